"""Server-side SVG charts of the IOC: no script, no CDN, nothing inline that the CSP forbids (colours are
SVG attributes or CSS classes of ioc.css, never `style=`). A chart is an `<svg role="img">` with a title
and a description; one whose parts are links (bars, the map's communes) is a `role="group"` of named links.
The pages also show the same figures as a table.
"""
from __future__ import annotations

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tinhso.ioc.formatting import vn_dec, vn_int

# Map classes 0 (best) … 4 (worst): a colour-blind-safe diverging scheme (ColorBrewer RdYlBu, 5 classes).
PALETTE = ("#2c7bb6", "#abd9e9", "#ffffbf", "#fdae61", "#d7191c")
NO_VALUE = "#bdbdbd"


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1
    for step in (1, 2, 2.5, 5, 10):
        m = 10 ** (len(str(int(v))) - 1) * step
        if m >= v:
            return m
    return v


def _ticks(top: float, n: int = 4) -> list[float]:
    return [top * i / n for i in range(n + 1)]


def _fmt(v: float) -> str:
    return vn_int(v) if float(v).is_integer() else vn_dec(v, 1)


def line_chart(rows: list[dict], *, x_label, bars: tuple[str, str] | None, lines: list[tuple[str, str, str]],
               title: str, desc: str = "", width: int = 960, height: int = 320, chart_id: str = "chart") -> SafeString:
    """Bars (one series) and lines (several series, each (key, label, css class)) over the rows' x labels."""
    left, right, top, bottom = 56, 16, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    keys = ([bars[0]] if bars else []) + [k for k, _l, _c in lines]
    peak = max([float(r.get(k) or 0) for r in rows for k in keys] + [0])
    top_v = _nice_max(peak)
    n = max(len(rows), 1)
    step = plot_w / n
    y = lambda v: top + plot_h - (float(v or 0) / top_v) * plot_h  # noqa: E731
    parts = [format_html('<svg class="ioc-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
                         'preserveAspectRatio="xMidYMid meet">', width, height, chart_id, chart_id),
             format_html('<title id="{}-t">{}</title><desc id="{}-d">{}</desc>', chart_id, title, chart_id, desc or title)]
    for t in _ticks(top_v):
        parts.append(format_html('<line class="ioc-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                                 '<text class="ioc-axis" x="{}" y="{}" text-anchor="end">{}</text>',
                                 left, width - right, round(y(t), 1), round(y(t), 1), left - 6, round(y(t) + 4, 1), _fmt(t)))
    label_every = max(1, n // 12)
    for i, r in enumerate(rows):
        cx = left + step * i + step / 2
        if bars:
            v = float(r.get(bars[0]) or 0)
            bw = max(step * 0.6, 1)
            parts.append(format_html('<rect class="ioc-bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
                                     round(cx - bw / 2, 1), round(y(v), 1), round(bw, 1), round(top + plot_h - y(v), 1),
                                     x_label(r), _fmt(v)))
        if i % label_every == 0:
            parts.append(format_html('<text class="ioc-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                                     round(cx, 1), top + plot_h + 18, x_label(r)))
    for key, label, css in lines:
        pts = " ".join(f"{round(left + step * i + step / 2, 1)},{round(y(r.get(key)), 1)}" for i, r in enumerate(rows))
        parts.append(format_html('<polyline class="ioc-line {}" points="{}" fill="none"/>', css, pts))
    # legend
    lx = left
    legend = ([(bars[1], "ioc-bar", True)] if bars else []) + [(label, css, False) for _k, label, css in lines]
    for label, css, is_bar in legend:
        if is_bar:
            parts.append(format_html('<rect class="{}" x="{}" y="{}" width="14" height="10"/>', css, lx, height - 18))
        else:
            parts.append(format_html('<line class="ioc-line {}" x1="{}" x2="{}" y1="{}" y2="{}"/>', css, lx, lx + 14,
                                     height - 13, height - 13))
        parts.append(format_html('<text class="ioc-legend" x="{}" y="{}">{}</text>', lx + 20, height - 9, label))
        lx += 34 + 8 * len(str(label))
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def hbar_chart(items: list[tuple[str, float | None, str]], *, title: str, unit: str = "", width: int = 720,
               chart_id: str = "bars") -> SafeString:
    """Horizontal bars, one per (label, value, href), in the given order; a missing value is written "–"."""
    row_h, left, right = 18, 200, 70
    height = row_h * len(items) + 10
    peak = max([float(v) for _l, v, _h in items if v is not None] + [0])
    top_v = peak or 1
    plot_w = width - left - right
    parts = [format_html('<svg class="ioc-chart ioc-hbars" viewBox="0 0 {} {}" role="group" aria-labelledby="{}-t">'
                         '<title id="{}-t">{}</title>', width, height, chart_id, chart_id, title)]
    for i, (label, value, href) in enumerate(items):
        yy = 5 + i * row_h
        w = 0 if value is None else float(value) / top_v * plot_w
        text = "–" if value is None else _fmt(float(value)) + unit
        parts.append(format_html(
            '<a href="{}"><text class="ioc-axis" x="{}" y="{}" text-anchor="end">{}</text>'
            '<rect class="ioc-bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>'
            '<text class="ioc-axis" x="{}" y="{}">{}</text></a>',
            href, left - 6, yy + 12, label[:32], left, yy + 2, round(max(w, 0.5), 1), row_h - 5, label, text,
            round(left + w + 4, 1), yy + 12, text))
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def map_svg(points: list[dict], *, title: str, desc: str, width: int, height: int, href, value_text,
            chart_id: str = "map") -> SafeString:
    """The communes as circles at their (projected) points, filled by class; each a link to the commune."""
    parts = [format_html('<svg class="ioc-map" viewBox="0 0 {} {}" role="group" aria-labelledby="{}-t {}-d">'
                         '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>', width, height, chart_id, chart_id,
                         chart_id, title, chart_id, desc)]
    # larger circles first, so that small communes stay visible on top
    for p in sorted(points, key=lambda p: -p["r"]):
        fill = PALETTE[p["klass"]] if p["klass"] is not None else NO_VALUE
        parts.append(format_html(
            '<a href="{}" aria-label="{}"><circle class="ioc-commune" cx="{}" cy="{}" r="{}" fill="{}">'
            '<title>{}</title></circle></a>',
            href(p), f"{p['name']}: {value_text(p)}", p["x"], p["y"], p["r"], fill, f"{p['name']}: {value_text(p)}"))
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def legend_items(breaks: list[float], higher_better: bool, unit: str = "", values=None) -> list[dict]:
    """The classes of a map as (colour, text) from best to worst; with `values`, only the classes that
    hold at least one of them."""
    if not breaks:
        return [{"colour": NO_VALUE, "text": _("Không có số liệu")}]
    bounds = [None, *breaks, None]
    items = []
    for i in range(len(bounds) - 1):
        lo, hi = bounds[i], bounds[i + 1]
        if values is not None and not any((lo is None or v > lo) and (hi is None or v <= hi) for v in values):
            continue
        if lo is None:
            text = _("≤ %(v)s") % {"v": _fmt(hi) + unit}
        elif hi is None:
            text = _("> %(v)s") % {"v": _fmt(lo) + unit}
        else:
            text = _("> %(a)s đến %(b)s") % {"a": _fmt(lo) + unit, "b": _fmt(hi) + unit}
        k = round(i * 4 / max(len(breaks), 1))
        items.append({"colour": PALETTE[4 - k if higher_better else k], "text": text})
    if higher_better:
        items.reverse()
    items.append({"colour": NO_VALUE, "text": _("Không có số liệu")})
    return items


__all__ = ["line_chart", "hbar_chart", "map_svg", "legend_items", "PALETTE", "escape"]

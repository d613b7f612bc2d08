"""The operations centre (IOC) pages: /ioc/... (namespace `web`).

Views parse the query string, ask `tinhso.ioc.access` whether the user may see the scope, read through
`tinhso.ioc.selectors` and render. Every table answers `?dinh_dang=xlsx` and `?dinh_dang=csv`.
"""
from __future__ import annotations

from datetime import datetime
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_safe

from tinhso.dossiers.selectors import timeliness
from tinhso.ioc import access, exports, selectors
from tinhso.ioc.formatting import display, vn_dec, vn_int, vn_pct
from tinhso.places.selectors import installation_province
from tinhso.scoring.periods import Period, Scope, period_of, period_parse, today_local

from ..workspace.common import timeliness_badge
from . import charts, links

PAGE_SIZE = 50
REFRESH_SECONDS = 30  # settings.IOC_REFRESH_SECONDS overrides it


def refresh_seconds() -> int:
    return int(getattr(settings, "IOC_REFRESH_SECONDS", REFRESH_SECONDS))


def ioc_required(view):
    """Signed in, and allowed to see some scope of the IOC (else 403). Bad parameters → 400 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        access.require_ioc(request.user)
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            msgs = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages
            return render(request, "ioc/error.html", {"errors": msgs}, status=400)

    return require_safe(wrapper)  # read-only screens: GET and HEAD (405 otherwise)


# --- parameters -----------------------------------------------------------------------------------------

def _period(request, *, allow_now: bool = False) -> Period | None:
    text = request.GET.get("ky", "").strip()
    if allow_now and text == selectors.NOW:
        return None
    return period_parse(text)


def _scope(request) -> Scope:
    return access.scope_for(request.user, request.GET.get("pham_vi", ""))


def _metric(request) -> tuple[str, str]:
    metric = request.GET.get("chi_so", "").strip()
    if selectors.metric_kind(metric) is None:
        raise ValidationError({"chi_so": [_("Chỉ tiêu “%(m)s” không có: hãy chọn một số liệu trên trang tổng quan.")
                                          % {"m": metric[:30]}]})
    part = request.GET.get("phan", "").strip() or "numerator"
    if part not in selectors.parts_of(metric):
        raise ValidationError({"phan": [_("Phần “%(p)s” không có ở chỉ tiêu này.") % {"p": part[:20]}]})
    return metric, part


def _export(request, table: exports.Table, filename: str) -> HttpResponse | None:
    fmt = request.GET.get("dinh_dang", "")
    if fmt == "xlsx":
        response = HttpResponse(exports.table_xlsx(table), content_type=exports.XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.xlsx")
        return response
    if fmt == "csv":
        response = HttpResponse(exports.table_csv(table), content_type=exports.CSV_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
        return response
    return None


def _period_choices(current: Period, now: datetime) -> list[tuple[str, str]]:
    """The periods offered in the selector: this year's and last year's months, quarters and years."""
    today = today_local(now)
    out, seen = [], set()
    p = period_of("month", today)
    for _i in range(15):
        out.append((p.key, p.label))
        p = p.previous()
    q = period_of("quarter", today)
    for _i in range(5):
        out.append((q.key, q.label))
        q = q.previous()
    y = period_of("year", today)
    out += [(y.key, y.label), (y.previous().key, y.previous().label)]
    if current.key not in {k for k, _l in out}:
        out.insert(0, (current.key, current.label))
    result = []
    for k, label in out:
        if k not in seen:
            seen.add(k)
            result.append((k, label))
    return result


def _scope_title(scope: Scope) -> str:
    if scope.kind == "province":
        return scope.name or _("Toàn tỉnh")
    return scope.name


def _base(request, scope: Scope | None, period: Period | None, now: datetime, **extra) -> dict:
    return {"scope": scope, "period": period, "now": now, "sees_province": access.sees_province(request.user),
            "scope_title": _scope_title(scope) if scope else "", "period_key": period.key if period else "",
            "period_choices": _period_choices(period or period_of("month", today_local(now)), now),
            "export_xlsx": _with(request, dinh_dang="xlsx"), "export_csv": _with(request, dinh_dang="csv"),
            "keep": [(k, v) for k, v in request.GET.items() if k not in ("ky", "trang", "dinh_dang")], **extra}


def _with(request, **params) -> str:
    """This page's query string with `params` changed (None or "" removes one); the page number is dropped
    unless given."""
    q = request.GET.copy()
    if "trang" not in params:
        q.pop("trang", None)
    for k, v in params.items():
        if v in (None, ""):
            q.pop(k, None)
        else:
            q[k] = str(v)
    return "?" + q.urlencode()


# --- overview and wall screen ---------------------------------------------------------------------------

def figure_cards(ov: dict, scope: Scope, period: Period, now: datetime) -> list[dict]:
    """The overview's figures with their text and where each leads (shared with the live-refresh API)."""
    cards = []
    for fig in selectors.FIGURES:
        value = selectors.figure_value(fig, ov)
        if fig.key == "index766_total":
            text = display(value, "points")
            sub = _("trên %(max)s điểm") % {"max": vn_dec(ov.get("index766_max"))}
            url = links._url("web:ioc_index766", {"pham_vi": "" if scope.kind == "province" else scope.key,
                                                  "ky": period.key})
            cards.append({"key": fig.key, "label": str(fig.label), "text": text, "unit": "", "sub": sub, "url": url,
                          "links": [], "hint": str(fig.hint), "tone": ""})
            continue
        drill = selectors.figure_links(fig, ov, scope, period, now)
        main = links.drill_url(drill[0]) if drill else ""
        sub = ""
        if fig.unit == "pct" and fig.numerator:
            sub = f"{vn_int(ov.get(fig.numerator))} / {vn_int(ov.get(fig.denominator))}"
        elif fig.key == "avg_processing_days":
            sub = _("%(h)s giờ làm việc") % {"h": vn_dec(ov.get("avg_processing_hours"))}
        elif fig.key == "on_time_rate":
            sub = _("đã xong đúng hạn: %(a)s · quá hạn: %(b)s") % {"a": vn_int(ov.get("done_on_time")),
                                                                 "b": vn_int(ov.get("done_late"))}
        tone = ""
        if fig.key in ("late_now", "reports_late") and value:
            tone = "bad"
        cards.append({
            "key": fig.key, "label": str(fig.label), "hint": str(fig.hint),
            "text": display(value, fig.unit),
            "unit": _("ngày") if fig.unit == "days" and value is not None else "",
            "sub": sub, "url": main, "tone": tone,
            "links": [{"label": d.label, "count": vn_int(d.count) if d.count is not None else "",
                       "url": links.drill_url(d)} for d in drill[1:]] if len(drill) > 1 else [],
        })
    return cards


def _overview_context(request, scope: Scope, period: Period, now: datetime) -> dict:
    ov = selectors.overview(scope, period, now=now)
    cards = figure_cards(ov, scope, period, now)
    rows = selectors.series(scope, "day", period)
    chart = charts.line_chart(
        rows, x_label=lambda r: r["start"].strftime("%d/%m"), bars=("received", _("Tiếp nhận")),
        lines=[("done_on_time", _("Xong đúng hạn"), "ioc-l1"), ("done_late", _("Xong quá hạn"), "ioc-l2")],
        title=_("Hồ sơ theo ngày tiếp nhận, %(p)s") % {"p": period.label},
        desc=_("Cột: hồ sơ tiếp nhận mỗi ngày; đường: hồ sơ đã xong đúng hạn và quá hạn."), chart_id="ov-series")
    api = links._url("api:ioc_overview", {"scope": scope.key, "period": period.key})
    return _base(request, scope, period, now, overview=ov, cards=cards, chart=chart, api_url=api,
                 refresh_seconds=refresh_seconds(), procedures=(ov.get("procedures") or [])[:10])


@ioc_required
def overview(request):
    now = timezone.now()
    scope = _scope(request)
    period = _period(request)
    ctx = _overview_context(request, scope, period, now)
    if scope.kind == "province":
        ctx["worst_communes"] = [
            {**r, "late_url": links.list_url("late_now", "numerator", selectors.NOW, r["scope"]),
             "url": links.overview_url(r["scope"], period.key)} for r in _worst_communes(scope, now, 10)]
    return render(request, "ioc/overview.html", ctx)


def _worst_communes(scope: Scope, now: datetime, n: int) -> list[dict]:
    """The communes with the most dossiers late now (one grouped query over the late dossiers only)."""
    rows = selectors.breakdown("late_now", "numerator", scope, None, by="commune", now=now)
    return [r for r in rows if r["scope"] and r["count"]][:n]


@ioc_required
def wall(request):
    """The wall screen (1920×1080, dark, large numerals, refreshed live)."""
    now = timezone.now()
    scope = _scope(request)
    period = _period(request)
    ctx = _overview_context(request, scope, period, now)
    ctx["wall"] = True
    if scope.kind == "province":
        m = selectors.map_points(period, "late_now", now=now)
        ctx["map"] = _map_svg(m, period, width=640, height=640)
        ctx["map_legend"] = charts.legend_items(m["breaks"], m["higher_better"], "",
                                                [float(p["value"]) for p in m["points"] if p["value"] is not None])
        ctx["map_source"] = m["source"]
        ctx["worst_communes"] = _worst_communes(scope, now, 8)
    return render(request, "ioc/wall.html", ctx)


# --- drill-down -----------------------------------------------------------------------------------------

def _drill_header(metric: str, part: str, period: Period | None) -> dict:
    title = selectors.metric_label(metric)
    if part != "numerator" or len(selectors.parts_of(metric)) > 1:
        title = f"{title} ({selectors.PART_LABELS[part]})"
    when = period.label if period else _("Hiện tại")
    return {"title": title, "when": when}


@ioc_required
def breakdown(request):
    """A number split by commune or agency (province), or by official (agency, commune)."""
    now = timezone.now()
    metric, part = _metric(request)
    period = _period(request, allow_now=True)
    scope = _scope(request)
    kind = selectors.metric_kind(metric)
    pkey = selectors.period_key(period)
    if scope.kind != "province" and kind == "report":
        return redirect(links.list_url(metric, part, pkey, scope.key))
    if scope.kind == "province":
        by = "agency" if request.GET.get("theo") == "co-quan" else "commune"
    else:
        by = "official"
    rows = selectors.breakdown(metric, part, scope, period, by=by, now=now)
    for r in rows:
        if by == "official":
            r["url"] = links.list_url(metric, part, pkey, scope.key, official=r["official"])
        elif r["scope"]:
            r["url"] = (links.breakdown_url(metric, part, pkey, r["scope"]) if kind == "dossier"
                        else links.list_url(metric, part, pkey, r["scope"]))
            r["list_url"] = links.list_url(metric, part, pkey, r["scope"])
        else:
            r["url"] = ""
    total = sum(r["count"] for r in rows)
    head = _drill_header(metric, part, period)
    unit_label = {"commune": _("Xã, phường"), "agency": _("Cơ quan"), "official": _("Cán bộ phụ trách")}[by]
    table = exports.Table(f"{head['title']} – {_scope_title(scope)}", [unit_label, _("Mã"), _("Số lượng")],
                          [[r["name"], r["code"], r["count"]] for r in rows], head["when"],
                          [_("Tổng cộng"), "", total])
    exported = _export(request, table, f"ioc-{metric}-{by}")
    if exported:
        return exported
    other_parts = [{"part": p, "label": selectors.PART_LABELS[p],
                    "url": links.breakdown_url(metric, p, pkey, scope.key, request.GET.get("theo", ""))}
                   for p in selectors.parts_of(metric) if p != part]
    ctx = _base(request, scope, period, now, metric=metric, part=part, head=head, rows=rows, total=total, by=by,
                unit_label=unit_label, kind=kind, other_parts=other_parts,
                all_url=links.list_url(metric, part, pkey, scope.key),
                by_commune_url=links.breakdown_url(metric, part, pkey, scope.key, ""),
                by_agency_url=links.breakdown_url(metric, part, pkey, scope.key, "co-quan"),
                province_url=links.breakdown_url(metric, part, pkey, "province") if access.sees_province(request.user) else "")
    return render(request, "ioc/breakdown.html", ctx)


@ioc_required
def dossiers(request):
    """Exactly the dossiers a number counts (paginated): code, procedure, state, due time."""
    now = timezone.now()
    metric, part = _metric(request)
    if selectors.metric_kind(metric) != "dossier":
        raise ValidationError({"chi_so": [_("Chỉ tiêu này không phải là hồ sơ.")]})
    period = _period(request, allow_now=True)
    scope = _scope(request)
    official = request.GET.get("can_bo", "").strip()
    if official and official != selectors.NOBODY and not official.isdigit():
        raise ValidationError({"can_bo": [_("Mã cán bộ phải là một số.")]})
    qs = selectors.dossier_list(metric, part, scope, period, official=official, now=now)
    head = _drill_header(metric, part, period)
    official_name = ""
    if official == selectors.NOBODY:
        official_name = _("Chưa phân công cán bộ")
    elif official:
        official_name = selectors.names_of_users([int(official)]).get(int(official), "")
        if not official_name:
            raise Http404(_("Không tìm thấy cán bộ."))
    fmt = request.GET.get("dinh_dang", "")
    if fmt in ("xlsx", "csv"):
        items = list(qs[:100_000])
        names = selectors.names_of_users({d.in_charge for d in items})
        table = exports.Table(
            f"{head['title']} – {_scope_title(scope)}" + (f" – {official_name}" if official_name else ""),
            [_("STT"), _("Mã hồ sơ"), _("Mã thủ tục"), _("Tên thủ tục"), _("Cơ quan"), _("Trạng thái"),
             _("Tiếp nhận"), _("Hạn trả kết quả"), _("Xong lúc"), _("Cán bộ phụ trách")],
            [[i, d.code, d.procedure_code, d.procedure_name, d.agency.name, str(d.state_label), d.received_at, d.due_at,
              d.finished_at, names.get(d.in_charge, "")] for i, d in enumerate(items, start=1)], head["when"])
        return _export(request, table, f"ioc-ho-so-{metric}")
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("trang"))
    names = selectors.names_of_users({d.in_charge for d in page.object_list})
    rows = [{"d": d, "badge": timeliness_badge(timeliness(d, now=now)), "in_charge": names.get(d.in_charge, "")}
            for d in page.object_list]
    ctx = _base(request, scope, period, now, metric=metric, part=part, head=head, page=page, rows=rows,
                total=paginator.count, official=official, official_name=official_name,
                back_url=links.breakdown_url(metric, part, selectors.period_key(period), scope.key),
                prev_url=_with(request, trang=page.previous_page_number()) if page.has_previous() else "",
                next_url=_with(request, trang=page.next_page_number()) if page.has_next() else "")
    return render(request, "ioc/dossiers.html", ctx)


@ioc_required
def reports(request):
    """Exactly the citizen reports a number counts (paginated)."""
    now = timezone.now()
    metric, part = _metric(request)
    if selectors.metric_kind(metric) != "report":
        raise ValidationError({"chi_so": [_("Chỉ tiêu này không phải là phản ánh.")]})
    period = _period(request, allow_now=True)
    scope = _scope(request)
    qs = selectors.report_list(metric, part, scope, period, now=now)
    head = _drill_header(metric, part, period)
    fmt = request.GET.get("dinh_dang", "")
    if fmt in ("xlsx", "csv"):
        table = exports.Table(
            f"{head['title']} – {_scope_title(scope)}",
            [_("STT"), _("Mã phản ánh"), _("Lĩnh vực"), _("Xã, phường"), _("Cơ quan xử lý"), _("Trạng thái"),
             _("Gửi lúc"), _("Hạn xử lý")],
            [[i, r.public_id, str(r.category), r.commune.name if r.commune else "", r.agency.name if r.agency else "",
              r.get_state_display(), r.created_at, r.due_at] for i, r in enumerate(qs[:100_000], start=1)],
            head["when"])
        return _export(request, table, f"ioc-phan-anh-{metric}")
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("trang"))
    ctx = _base(request, scope, period, now, metric=metric, part=part, head=head, page=page, total=paginator.count,
                late_ids={r.pk for r in page.object_list if r.due_at and r.due_at <= now and r.state in
                          ("accepted", "assigned", "in_progress")},
                back_url=links.breakdown_url(metric, part, selectors.period_key(period), "province")
                if access.sees_province(request.user) else "",
                prev_url=_with(request, trang=page.previous_page_number()) if page.has_previous() else "",
                next_url=_with(request, trang=page.next_page_number()) if page.has_next() else "")
    return render(request, "ioc/reports.html", ctx)


# --- communes: table, comparison, map -------------------------------------------------------------------

def _cell_text(key: str, value) -> str:
    if key in ("online_rate", "on_time_rate", "satisfaction_rate"):
        return vn_pct(value)
    if key in ("avg_processing_hours", "index766_total"):
        return vn_dec(value)
    if key == "name":
        return value
    return vn_int(value)


@ioc_required
def communes(request):
    """The commune table, sortable by every column (server-side: ?sap=<column>&chieu=giam), and a bar
    chart comparing the communes on the sorted column."""
    access.require_province(request.user)
    now = timezone.now()
    period = _period(request)
    sort = request.GET.get("sap", "name")
    if sort not in selectors.COMMUNE_SORT_KEYS:
        sort = "name"
    descending = request.GET.get("chieu") == "giam"
    rows = selectors.commune_rows(period, sort=sort, descending=descending, now=now)
    columns = [(k, str(label)) for k, label in selectors.COMMUNE_COLUMNS]
    table = exports.Table(_("Xã, phường – %(p)s") % {"p": period.label}, [label for _k, label in columns],
                          [[r.get(k) for k, _l in columns] for r in rows], period.label)
    exported = _export(request, table, f"ioc-xa-phuong-{period.key}")
    if exported:
        return exported
    headers = []
    for k, label in columns:
        active = k == sort
        next_desc = not descending if active else k != "name"
        headers.append({"key": k, "label": label, "active": active, "descending": descending if active else None,
                        "url": _with(request, sap=k, chieu="giam" if next_desc else "tang"),
                        "aria_sort": ("descending" if descending else "ascending") if active else "none"})
    table_rows = []
    for r in rows:
        cells = []
        for k, _label in columns:
            link = ""
            if k == "name":
                link = links.overview_url(f"commune:{r['code']}", period.key)
            elif k in selectors.COMMUNE_LINKS and r.get(k):
                metric, when = selectors.COMMUNE_LINKS[k]
                link = links.list_url(metric, "numerator", selectors.NOW if when == "now" else period.key,
                                      f"commune:{r['code']}")
            cells.append({"key": k, "text": _cell_text(k, r.get(k)), "url": link})
        table_rows.append({"code": r["code"], "cells": cells})
    chart = None
    if sort != "name":
        label = dict(columns)[sort]
        unit = "%" if sort.endswith("_rate") else ""
        chart = charts.hbar_chart(
            [(r["name"], r.get(sort), links.overview_url(f"commune:{r['code']}", period.key)) for r in rows],
            title=_("So sánh xã, phường: %(c)s") % {"c": label}, unit=unit, chart_id="cmp")
    ctx = _base(request, None, period, now, headers=headers, rows=table_rows, chart=chart, sort=sort,
                sort_label=dict(columns)[sort], descending=descending, count=len(rows))
    return render(request, "ioc/communes.html", ctx)


def _map_svg(m: dict, period: Period, *, width: int, height: int):
    from tinhso.ioc.geo import project

    pts = project(m["points"], width=width, height=height)
    unit = "%" if m["indicator"].endswith("_rate") else ""

    def value_text(p):
        v = p["value"]
        return "–" if v is None else _cell_text(m["indicator"], v)

    return charts.map_svg(
        pts, title=_("Bản đồ xã, phường: %(i)s, %(p)s") % {"i": m["label"], "p": period.label},
        desc=_("Mỗi vòng tròn là một xã, phường, đặt tại điểm trung tâm xấp xỉ, diện tích vòng tròn tỷ lệ với diện tích "
               "xã; màu theo chỉ tiêu. Không phải ranh giới hành chính."),
        width=width, height=height, href=lambda p: links.overview_url(f"commune:{p['code']}", period.key),
        value_text=value_text, chart_id="map") if pts else None


@ioc_required
def commune_map(request):
    access.require_province(request.user)
    now = timezone.now()
    period = _period(request)
    indicator = request.GET.get("chi_tieu", "late_now")
    if indicator not in selectors.MAP_INDICATORS:
        indicator = "late_now"
    m = selectors.map_points(period, indicator, now=now)
    unit = "%" if indicator.endswith("_rate") else ""
    values = sorted(m["points"] + m["unplaced"], key=lambda p: (p["value"] is None, p["name"]))
    table = exports.Table(_("Bản đồ xã, phường: %(i)s") % {"i": m["label"]},
                          [_("Mã"), _("Xã, phường"), str(m["label"]), _("Vĩ độ"), _("Kinh độ")],
                          [[p["code"], p["name"], p["value"], p.get("lat"), p.get("lon")] for p in values], period.label)
    exported = _export(request, table, f"ioc-ban-do-{indicator}")
    if exported:
        return exported
    ctx = _base(request, None, period, now, map=_map_svg(m, period, width=900, height=900), m=m,
                legend=charts.legend_items(m["breaks"], m["higher_better"], unit,
                                           [float(p["value"]) for p in m["points"] if p["value"] is not None]),
                indicators=[(k, str(v[0])) for k, v in selectors.MAP_INDICATORS.items()], indicator=indicator,
                values=[{**p, "text": "–" if p["value"] is None else _cell_text(indicator, p["value"]),
                         "url": links.overview_url(f"commune:{p['code']}", period.key)} for p in values])
    return render(request, "ioc/map.html", ctx)


# --- time series, index 766, monthly report -------------------------------------------------------------

GRANULARITY_LABELS = {"day": gettext_lazy("Theo ngày"), "week": gettext_lazy("Theo tuần"),
                      "month": gettext_lazy("Theo tháng")}


@ioc_required
def series(request):
    now = timezone.now()
    scope = _scope(request)
    period = _period(request)
    granularity = request.GET.get("theo", "day")
    if granularity not in selectors.GRANULARITIES:
        granularity = "day"
    rows = selectors.series(scope, granularity, period)

    def x_label(r):
        if granularity == "month":
            return r["start"].strftime("%m/%Y")
        return r["start"].strftime("%d/%m")

    columns = [_("Từ ngày"), _("Tiếp nhận"), _("Trực tuyến"), _("Đã xong"), _("Xong đúng hạn"), _("Xong quá hạn"),
               _("Đang giải quyết"), _("Rút, dừng"), _("Trực tuyến (%)"), _("Đúng hạn (%)"), _("Phản ánh tiếp nhận"),
               _("Phản ánh đang mở")]
    keys = ["start", "received", "online", "finished", "done_on_time", "done_late", "open", "cancelled",
            "online_rate", "on_time_rate", "reports_received", "reports_open"]
    table = exports.Table(_("Diễn biến – %(s)s") % {"s": _scope_title(scope)}, columns,
                          [[r[k] for k in keys] for r in rows], str(GRANULARITY_LABELS[granularity]))
    exported = _export(request, table, f"ioc-dien-bien-{granularity}")
    if exported:
        return exported
    chart_counts = charts.line_chart(
        rows, x_label=x_label, bars=("received", _("Tiếp nhận")),
        lines=[("online", _("Trực tuyến"), "ioc-l3"), ("done_on_time", _("Xong đúng hạn"), "ioc-l1"),
               ("done_late", _("Xong quá hạn"), "ioc-l2")],
        title=_("Hồ sơ tiếp nhận và kết quả giải quyết (%(g)s)") % {"g": str(GRANULARITY_LABELS[granularity]).lower()},
        chart_id="s-counts")
    chart_reports = charts.line_chart(
        rows, x_label=x_label, bars=("reports_received", _("Phản ánh tiếp nhận")),
        lines=[("reports_answered_on_time", _("Trả lời đúng hạn"), "ioc-l1"),
               ("reports_answered_late", _("Trả lời quá hạn"), "ioc-l2")],
        title=_("Phản ánh, kiến nghị (%(g)s)") % {"g": str(GRANULARITY_LABELS[granularity]).lower()}, chart_id="s-reports")
    granularities = [{"key": k, "label": str(v), "url": _with(request, theo=k), "active": k == granularity}
                     for k, v in GRANULARITY_LABELS.items()]
    display_rows = [{"label": x_label(r), "cells": [_cell_text(k, r[k]) if k.endswith("_rate") is False else vn_pct(r[k])
                                                    for k in keys[1:]]} for r in rows]
    ctx = _base(request, scope, period, now, chart_counts=chart_counts, chart_reports=chart_reports,
                granularities=granularities, columns=columns, rows=display_rows)
    return render(request, "ioc/series.html", ctx)


@ioc_required
def index766(request):
    now = timezone.now()
    scope = _scope(request)
    period = _period(request)
    idx = selectors.index766(scope, period, now=now)
    table = exports.Table(
        _("Chỉ số 766 – %(s)s") % {"s": _scope_title(scope)},
        [_("Chỉ số"), _("Tên"), _("Tử số"), _("Mẫu số"), _("Giá trị"), _("Điểm"), _("Điểm tối đa"), _("Ghi chú")],
        [[i["code"], i["name"], i["numerator"], i["denominator"], i["value"], i["points"], i["max_points"], i["note"]]
         for i in idx["indicators"]], period.label, ["", _("Tổng điểm"), "", "", "", idx["total"], idx["max_points"], ""])
    exported = _export(request, table, f"ioc-chi-so-766-{period.key}")
    if exported:
        return exported
    rows = []
    for i in idx["indicators"]:
        lists = []
        metric = i["code"]
        if metric in selectors.INDICATOR_LISTS and i["available"]:
            for part in selectors.parts_of(metric):
                lists.append({"label": selectors.PART_LABELS[part],
                              "url": links.list_url(metric, part, period.key, scope.key)})
        value = "–" if i["value"] is None else (vn_dec(i["value"]) + (" " + _("giờ") if i["unit"] == "h" else "%"))
        rows.append({**i, "value_text": value, "points_text": vn_dec(i["points"]) if i["points"] is not None else "–",
                     "max_text": vn_dec(i["max_points"]) if i["max_points"] is not None else "–",
                     "num_text": vn_int(i["numerator"]) if i["numerator"] is not None else "–",
                     "den_text": vn_int(i["denominator"]) if i["denominator"] is not None else "–", "lists": lists})
    ctx = _base(request, scope, period, now, idx=idx, rows=rows)
    return render(request, "ioc/index766.html", ctx)


@ioc_required
def monthly_report(request):
    """The monthly one-stop report (báo cáo tình hình tiếp nhận, giải quyết TTHC) as a page, PDF, Excel, CSV."""
    access.require_province(request.user)
    now = timezone.now()
    period = _period(request)
    report = selectors.monthly_report(period, now=now)
    fmt = request.GET.get("dinh_dang", "")
    name = f"bao-cao-mot-cua-{period.key}"
    if fmt == "pdf":
        province = installation_province()
        pname = (province.name if province else "").upper()
        for prefix in ("TỈNH ", "THÀNH PHỐ "):
            if pname.startswith(prefix):
                pname = pname[len(prefix):]
        response = HttpResponse(exports.monthly_report_pdf(report, province_name=pname),
                                content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.pdf")
        return response
    exported = _export(request, exports.monthly_report_table(report), name)
    if exported:
        return exported
    rows = [{"code": r["code"], "name": r["name"],
             "cells": [_cell_text(k, r[k]) if not k.endswith("_rate") else vn_pct(r[k]) for k, _l in report["columns"]]}
            for r in report["rows"]]
    total = [_cell_text(k, report["total"][k]) if not k.endswith("_rate") else vn_pct(report["total"][k])
             for k, _l in report["columns"]]
    ctx = _base(request, None, period, now, report=report, rows=rows, total=total,
                export_pdf=_with(request, dinh_dang="pdf"))
    return render(request, "ioc/monthly.html", ctx)


__all__ = ["overview", "wall", "breakdown", "dossiers", "reports", "communes", "commune_map", "series", "index766",
           "monthly_report", "figure_cards"]

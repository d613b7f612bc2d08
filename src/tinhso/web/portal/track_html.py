"""The public tracking page's content, written as Python instead of a template.

The tracking page is the portal's most visited page (every citizen who was handed a slip, every
re-visit). Rendering its content with the template engine cost about as much as all of Django's request
handling; building the same markup here costs a tenth of that. The markup is the one of `_steps.html` and
the other portal pages (same classes), and tests/dossiers/test_portal_pages.py checks what it shows."""
from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tinhso.web.words import per_language

DASH = "—"
@per_language
def _words() -> dict[str, str]:
    """The page's fixed words, translated and escaped (once per language: web/words.py)."""
    words = {key: escape(text) for key, text in (
        ("procedure", _("Thủ tục")), ("agency", _("Nơi giải quyết")), ("submitted", _("Ngày nộp")),
        ("received", _("Ngày tiếp nhận")), ("due", _("Hẹn trả kết quả")), ("finished", _("Xử lý xong")),
        ("returned", _("Đã trả kết quả")), ("other", _("Tra cứu hồ sơ khác")), ("dossier", _("Hồ sơ")),
        ("steps", _("Các bước xử lý")),
        ("no_steps", _("Các bước xử lý sẽ hiện ra sau khi hồ sơ được tiếp nhận.")))}
    words["track_url"] = reverse("web:track")
    return words


def tracking_body(t, steps: list[dict], dates: dict[str, str]) -> SafeString:
    """`t`: selectors.PublicTracking; `steps`: display.step_rows(t.steps); `dates`: the dates as shown."""
    w = _words()
    facts = [(w["procedure"], t.procedure_name), (w["agency"], t.agency_name),
             (w["submitted"], dates["submitted"] or DASH), (w["received"], dates["received"] or DASH),
             (w["due"], dates["due"] or DASH)]
    if t.finished_at:
        facts.append((w["finished"], dates["finished"]))
    if t.returned_at:
        facts.append((w["returned"], dates["returned"]))
    out = [
        f'<p><a href="{w["track_url"]}">{w["other"]}</a></p>\n',
        f'<h1>{w["dossier"]} {escape(t.code)}</h1>\n',
        f'<p class="portal-state"><strong>{escape(t.state_label)}</strong></p>\n<dl class="facts">\n',
        *(f"  <dt>{label}</dt><dd>{escape(value)}</dd>\n" for label, value in facts),
        f'</dl>\n<h2>{w["steps"]}</h2>\n',
    ]
    if steps:
        out.append('<ol class="portal-steps">\n')
        for s in steps:
            out.append(f'  <li class="portal-step portal-step-{escape(s["status"])}">\n'
                       f'    <span class="portal-step-name">{escape(s["name"])}</span>\n'
                       f'    <span class="portal-step-status">{escape(s["progress"])}</span>\n')
            if s["agency"]:
                out.append(f'    <span class="hint">{escape(s["agency"])}</span>\n')
            out.append("  </li>\n")
        out.append("</ol>\n")
    else:
        out.append(f'<p>{w["no_steps"]}</p>\n')
    return mark_safe("".join(out))  # every value above is escaped (the words once, in _words)

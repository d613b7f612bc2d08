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

DASH = "—"


def tracking_body(t, steps: list[dict], dates: dict[str, str]) -> SafeString:
    """`t`: selectors.PublicTracking; `steps`: display.step_rows(t.steps); `dates`: the dates as shown."""
    facts = [(_("Thủ tục"), t.procedure_name), (_("Nơi giải quyết"), t.agency_name),
             (_("Ngày nộp"), dates["submitted"] or DASH), (_("Ngày tiếp nhận"), dates["received"] or DASH),
             (_("Hẹn trả kết quả"), dates["due"] or DASH)]
    if t.finished_at:
        facts.append((_("Xử lý xong"), dates["finished"]))
    if t.returned_at:
        facts.append((_("Đã trả kết quả"), dates["returned"]))
    out = [
        f'<p><a href="{reverse("web:track")}">{escape(_("Tra cứu hồ sơ khác"))}</a></p>\n',
        f'<h1>{escape(_("Hồ sơ"))} {escape(t.code)}</h1>\n',
        f'<p class="portal-state"><strong>{escape(t.state_label)}</strong></p>\n<dl class="facts">\n',
        *(f"  <dt>{escape(label)}</dt><dd>{escape(value)}</dd>\n" for label, value in facts),
        f'</dl>\n<h2>{escape(_("Các bước xử lý"))}</h2>\n',
    ]
    if steps:
        out.append('<ol class="portal-steps">\n')
        for s in steps:
            status = escape(s["status"])
            out.append(f'  <li class="portal-step portal-step-{status}">\n'
                       f'    <span class="portal-step-name">{escape(s["name"])}</span>\n'
                       f'    <span class="portal-step-status">{escape(s["progress"])}</span>\n')
            if s["agency"]:
                out.append(f'    <span class="hint">{escape(s["agency"])}</span>\n')
            out.append("  </li>\n")
        out.append("</ol>\n")
    else:
        out.append(f'<p>{escape(_("Các bước xử lý sẽ hiện ra sau khi hồ sơ được tiếp nhận."))}</p>\n')
    return mark_safe("".join(out))  # every value above is escaped

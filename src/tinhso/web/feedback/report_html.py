"""A public report's page content, written as Python instead of a template.

The report's page is read at random across every report (bench/reports_read.py: about 190,000 public
ones), so the page cache almost never holds it and its content is built for nearly every request.
Rendering `feedback/_report_detail_body.html` with the template engine cost about a quarter of the
request; this builds the very same markup (tests/feedback/test_report_page_html.py renders both and
compares them, in Vietnamese and English) in a fraction of that. Change the two together.

Escaping is the template's: every value from the database goes through `escape` (what autoescape does),
numbers through `localize` (the language's decimal separator, as `{{ }}` writes them), the description
and the answer through `linebreaksbr`; the fixed words are the `{% translate %}` ones, looked up once per
language and, as the template leaves them, not escaped (they are our own catalogue's)."""
from __future__ import annotations

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tinhso.web.words import per_language

@per_language
def _words() -> dict[str, str]:
    """The page's fixed words (translated once per language: web/words.py)."""
    return {
        "back": _("← Danh sách phản ánh"), "state": _("Trạng thái"), "sent": _("Ngày gửi"),
        "urgency": _("Mức độ"), "commune": _("Xã, phường"), "address": _("Địa chỉ"), "coords": _("Tọa độ"),
        "agency": _("Cơ quan xử lý"), "due": _("Hạn xử lý"), "content": _("Nội dung phản ánh"),
        "photos": _("Ảnh"), "photo_alt": _("Ảnh hiện trường số %(n)s"), "answer": _("Trả lời của cơ quan"),
        "rating": _("Đánh giá của người phản ánh:"), "no_answer": _("Chưa có câu trả lời."),
        "history": _("Quá trình xử lý"), "list_url": escape(reverse("web:report_list")),
    }


def _v(value) -> str:
    """`{{ value }}`: localized when a number, escaped."""
    return escape(value if isinstance(value, str) else localize(value))


def report_body(r: dict) -> SafeString:
    """`r`: selectors.report_public(...) with the view's "*_text" dates and the photos' "url"."""
    w = _words()
    out = [
        f'<p><a href="{w["list_url"]}">{w["back"]}</a></p>\n',
        f'<h1>{_v(r["category__name"])} · {_v(r["public_id"])}</h1>\n<dl class="facts">\n',
        f'  <dt>{w["state"]}</dt><dd><span class="fb-state fb-state-{_v(r["state"])}">{_v(r["state_label"])}</span></dd>\n',
        f'  <dt>{w["sent"]}</dt><dd>{_v(r["created_at_text"])}</dd>\n',
        f'  <dt>{w["urgency"]}</dt><dd>{_v(r["urgency_label"])}</dd>\n  ',
    ]
    if r["commune__name"]:
        out.append(f'<dt>{w["commune"]}</dt><dd>{_v(r["commune__name"])}</dd>')
    out.append("\n  ")
    if r["address"]:
        out.append(f'<dt>{w["address"]}</dt><dd>{_v(r["address"])}</dd>')
    out.append("\n  ")
    if r["lat"] is not None:
        out.append(f'<dt>{w["coords"]}</dt><dd>{_v(r["lat"])}, {_v(r["long"])}</dd>')
    out.append("\n  ")
    if r["agency__name"]:
        out.append(f'<dt>{w["agency"]}</dt><dd>{_v(r["agency__name"])}</dd>')
    out.append("\n  ")
    if r["due_at"]:
        out.append(f'<dt>{w["due"]}</dt><dd>{_v(r["due_at_text"])}</dd>')
    out.append(f'\n</dl>\n<h2>{w["content"]}</h2>\n<p class="fb-text">{linebreaksbr(r["description"])}</p>\n')
    if r["photos"]:
        out.append(f'\n<h2>{w["photos"]}</h2>\n<ul class="fb-photos">')
        for n, p in enumerate(r["photos"], 1):
            url = _v(p["url"])
            alt = w["photo_alt"] % {"n": _v(n)}
            out.append(f'\n  <li><a href="{url}"><img src="{url}" width="{_v(p["width"])}" height="{_v(p["height"])}"'
                       f' alt="{alt}" loading="lazy"></a></li>\n')
        out.append("</ul>\n")
    out.append(f'\n<h2>{w["answer"]}</h2>\n')
    if r["answer"]:
        out.append(f'\n<div class="fb-answer"><p>{linebreaksbr(r["answer"])}</p>\n'
                   f'<p class="fb-meta">{_v(r["agency__name"])} · {_v(r["answered_at_text"])}</p></div>\n')
        if r["rating_label"]:
            out.append(f'<p>{w["rating"]} <strong>{_v(r["rating_label"])}</strong></p>')
        out.append("\n")
    else:
        out.append(f'\n<p>{w["no_answer"]}</p>\n')
    out.append(f'\n<h2>{w["history"]}</h2>\n<ol class="fb-history">')
    for e in r["events"]:
        note = f': {_v(e["note"])}' if e["action"] != "answered" and e["note"] else ""
        out.append(f'\n  <li><span class="fb-meta">{_v(e["at_text"])}</span> · <strong>{_v(e["state_label"])}</strong>'
                   f'{note}</li>\n')
    out.append("</ol>\n")
    return mark_safe("".join(out))  # every value above is escaped (the fixed words are our catalogue's)

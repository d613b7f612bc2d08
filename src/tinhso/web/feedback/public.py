"""Public pages: every accepted report with its answer (`/phan-anh/`), one report, and its photos.
Nothing here reads a reporter field (the selectors return dicts without them).

The list and a report's page are cached for anonymous visitors (no session, no pending message): the
whole page, by host, path with query string and language, for PUBLIC_PAGE_SECONDS at most and only while
the public version of reports is the same (any visible change made through the services replaces it, in
the shared cache: feedback/public_version.py; one cache read per request). The pages themselves are kept
in this process (LocMem, PAGES_KEPT at most): storing each rendered page in the shared cache would cost a
write per miss (with the database's cache, a transaction and a count of its table), and a report's page,
read at random among 200,000, misses almost always. A page that carries a CSRF token (a POST form) is
never stored: the public pages have none (the header's language switch is a link). Signed-in users always
get a freshly rendered page."""
from __future__ import annotations

import hashlib
from html import escape

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinhso.feedback import public_version, selectors, states
from tinhso.feedback.models import Report

from ..frame import render_framed
from .report_html import report_body

PAGE_SIZE = 20
PUBLIC_PAGE_SECONDS = 30
PAGES_KEPT = 1000  # pages kept by each process (at most ~20 MB; LocMem drops a third when full)
_pages = LocMemCache("tinhso-feedback-public-pages", {"TIMEOUT": PUBLIC_PAGE_SECONDS, "OPTIONS": {"MAX_ENTRIES": PAGES_KEPT}})


def _cacheable(request) -> bool:
    return (request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES)


def _anonymous_cache(request, make_page):
    """`make_page()` -> response, cached as the module's docstring says."""
    if not _cacheable(request):
        return make_page()
    version = public_version.current()
    page_key = hashlib.sha256(f"{version}|{request.get_host()}|{get_language()}|{request.get_full_path()}".encode()).hexdigest()
    kept = _pages.get(page_key)
    if kept is None:
        response = make_page()
        if response.status_code != 200 or b"csrfmiddlewaretoken" in response.content:
            return response  # a page with a visitor's own token is never shared
        kept = (response.content, response["Content-Type"])
        _pages.set(page_key, kept, getattr(settings, "FEEDBACK_PUBLIC_PAGE_SECONDS", PUBLIC_PAGE_SECONDS))
    return HttpResponse(kept[0], content_type=kept[1])


@require_GET
def report_list(request):
    category = request.GET.get("linh_vuc", "")[:40]
    commune = request.GET.get("xa", "")[:5]
    state = request.GET.get("trang_thai", "")[:12]

    def page():
        result = selectors.reports_public_page(category=category, commune=commune, state=state,
                                               page=request.GET.get("trang"), size=PAGE_SIZE)
        query = request.GET.copy()
        query.pop("trang", None)
        # What the template would do per row and per option, done in Python (a page of 20 cards and 92
        # communes cost several times a report's page to render: bench/reports_read.py).
        detail = reverse("web:report_detail", args=["PA-0"])
        for r in result.object_list:
            r["url"] = detail.replace("PA-0", r["public_id"])
            r["created_day"] = timezone.localtime(r["created_at"]).strftime("%d/%m/%Y")
            r["description_short"] = _short(r["description"], 220)
            r["answer_short"] = _short(r["answer"], 200)
        body = get_template("feedback/_report_list_body.html").render({
            "page": result, "rows": result.object_list, "user": request.user,
            "category_options": _options(selectors.category_choices(), category),
            "commune_options": _options(selectors.commune_choices(), commune),
            "state_options": _options([(s, Report.State(s).label) for s in states.PUBLIC_STATES], state),
            "query": query.urlencode(),
        })
        return render_framed(request, body, title=_("Phản ánh hiện trường"), head=_feedback_head())

    return _anonymous_cache(request, page)


_HEAD: str | None = None


def _feedback_head() -> str:
    """feedback/_head.html (addresses and static files only) rendered once per process."""
    global _HEAD
    if _HEAD is None:
        _HEAD = render_to_string("feedback/_head.html")
    return mark_safe(_HEAD)


def _options(pairs, selected: str) -> str:
    """<option> elements of (value, label) pairs, `selected` marked (escaped as Django escapes)."""
    return mark_safe("".join(
        f'<option value="{escape(str(value))}"{" selected" if value == selected else ""}>{escape(str(label))}</option>'
        for value, label in pairs))


def _short(text: str, limit: int) -> str:
    """`truncatechars` for text in NFC (what the forms store): at most `limit` characters, "…" included."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(value) -> str:
    """"H:i d/m/Y" in the province's time, as the `date` filter writes it, without the template machinery
    (a report's page is rendered for nearly every request: bench/reports_read.py)."""
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def report_page_data(public_id: str) -> dict | None:
    """selectors.report_public with what the page shows prepared: the dates as text ("*_text") and the
    photos' addresses ("url"); None when the report is not public."""
    report = selectors.report_public(public_id=public_id)
    if report is None:
        return None
    for key in ("created_at", "due_at", "answered_at"):
        report[key + "_text"] = _when(report[key])
    for e in report["events"]:
        e["at_text"] = _when(e["at"])
    if report["photos"]:
        first = reverse("web:report_photo", args=[report["public_id"], report["photos"][0]["id"]])
        prefix = first[: first.rstrip("/").rfind("/") + 1]
        for p in report["photos"]:
            p["url"] = f"{prefix}{p['id']}/"
    return report


@require_GET
def report_detail(request, public_id: str):
    """One statement (selectors.report_public), the content built in Python (report_html.py: the same
    markup as feedback/_report_detail_body.html), pasted into the shared frame (web/frame.py)."""
    def page():
        report = report_page_data(public_id)
        if report is None:
            raise Http404(_("Không tìm thấy phản ánh, hoặc phản ánh chưa được công khai."))
        return render_framed(request, report_body(report), title=f"{_('Phản ánh')} {report['public_id']}",
                             head=_feedback_head())

    return _anonymous_cache(request, page)


@require_GET
def report_photo(request, public_id: str, photo_id: int):
    """A photo, always served by tinhso as image/jpeg (we re-encoded it); hidden photos only to the coordinator."""
    photo = selectors.photo_for_viewer(user=request.user, public_id=public_id, photo_id=photo_id)
    if photo is None:
        raise Http404(_("Không tìm thấy ảnh."))
    response = FileResponse(photo.file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300" if photo.hidden else "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response

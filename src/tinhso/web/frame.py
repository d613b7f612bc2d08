"""Pages rendered inside a frame that is built once: the public portal's most visited pages.

For an anonymous visitor, everything around a page's content (base.html: the head, the header with its
links and language switch, the footer) depends only on the language and the day (the footer's date). This
module renders that frame once per process for each (language, day), splits it at two markers (title and
head and content), and pastes each page's own title, head and content (HTML the view built) into it.

Signed-in visitors (their name and a logout form with a CSRF token are in the header) and requests with
messages to show get the normal full rendering of `framed.html` with the same title and content, so the HTML
is the same either way (tests/dossiers/test_portal_pages.py compares them).
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE = "\ue000frame-title\ue000"  # private-use characters: never escaped, never in a page
HEAD = "\ue000frame-head\ue000"
BODY = "\ue000frame-body\ue000"
_frames: dict[tuple[str, str], tuple[str, str, str, str]] = {}


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _frame(request) -> tuple[str, str, str, str] | None:
    key = (get_language() or "", datetime.now(VN).strftime("%Y-%m-%d"))
    parts = _frames.get(key)
    if parts is None:
        html = render_to_string("framed.html", {"frame_title": TITLE, "frame_head": mark_safe(HEAD),
                                                "frame_body": mark_safe(BODY)}, request=request)
        if any(html.count(m) != 1 for m in (TITLE, HEAD, BODY)) or "csrfmiddlewaretoken" in html:
            return None  # something per-visitor slipped into the frame: never share it
        start, rest = html.split(TITLE)
        after_title, rest = rest.split(HEAD)
        after_head, tail = rest.split(BODY)
        parts = (start, after_title, after_head, tail)
        if len(_frames) > 8:  # yesterday's frames
            _frames.clear()
        _frames[key] = parts
    return parts


def render_framed(request, body: SafeString, *, title: str, head: SafeString = "", status: int = 200) -> HttpResponse:
    """The page content `body` (safe HTML) inside base.html, titled `title` (text, escaped here), with `head`
    (safe HTML: the page's own stylesheets and scripts) at the end of <head>."""
    parts = None
    if not request.user.is_authenticated and not _has_messages(request):
        parts = _frame(request)
    if parts is None:
        html = render_to_string("framed.html", {"frame_title": title, "frame_head": head, "frame_body": body},
                                request=request)
    else:
        html = parts[0] + escape(title) + parts[1] + head + parts[2] + body + parts[3]
    return HttpResponse(html, status=status)


def frame_cache_clear() -> None:
    _frames.clear()

"""Public pages: every accepted report with its answer (`/phan-anh/`), one report, and its photos.
Nothing here reads a reporter field (the selectors return dicts without them)."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinhso.feedback import selectors, states
from tinhso.feedback.models import Report

PAGE_SIZE = 20


@require_GET
def report_list(request):
    category = request.GET.get("linh_vuc", "")[:40]
    commune = request.GET.get("xa", "")[:5]
    state = request.GET.get("trang_thai", "")[:12]
    qs = selectors.reports_public(category=category, commune=commune, state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = [selectors._labels(dict(r)) for r in page.object_list]
    query = request.GET.copy()
    query.pop("trang", None)
    return render(request, "feedback/report_list.html", {
        "page": page, "rows": rows, "categories": selectors.categories_active(),
        "communes": selectors.communes_of_installation(),
        "states": [(s, Report.State(s).label) for s in states.PUBLIC_STATES],
        "f": {"category": category, "commune": commune, "state": state}, "query": query.urlencode(),
    })


@require_GET
def report_detail(request, public_id: str):
    report = selectors.report_public(public_id=public_id)
    if report is None:
        raise Http404(_("Không tìm thấy phản ánh, hoặc phản ánh chưa được công khai."))
    return render(request, "feedback/report_detail.html", {"r": report})


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

"""The official's inbox (boxes with counts, filters, search, sortable paged table) and warnings."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from tinhso.dossiers import access, selectors, services
from tinhso.dossiers.states import State
from tinhso.people.models import Role

from .common import official_required, parse_date, timeliness_badge

BOXES = [
    ("new", gettext_lazy("Mới (chờ tiếp nhận)")),
    ("to_process", gettext_lazy("Cần xử lý")),
    ("to_approve", gettext_lazy("Chờ phê duyệt")),
    ("to_return", gettext_lazy("Chờ trả kết quả")),
    ("due_soon", gettext_lazy("Sắp đến hạn")),
    ("late", gettext_lazy("Quá hạn")),
    ("paused", gettext_lazy("Tạm dừng")),
    ("all", gettext_lazy("Tất cả")),
]
SORTS = {
    "due": ("due_at", "id"), "-due": ("-due_at", "-id"),
    "received": ("received_at", "id"), "-received": ("-received_at", "-id"),
    "code": ("code", "id"), "-code": ("-code", "-id"),
}
SORT_COLUMNS = [("code", gettext_lazy("Mã hồ sơ")), ("received", gettext_lazy("Ngày nhận")),
                ("due", gettext_lazy("Hạn trả"))]
PAGE_SIZE = 50


def _default_box(user) -> str:
    roles = access.roles_of(user)
    if Role.RECEIVER in roles:
        return "new"
    if Role.LEADER in roles:
        return "to_approve"
    if Role.SPECIALIST in roles:
        return "to_process"
    return "all"


def _query(params, **changes) -> str:
    q = params.copy()
    for k, v in changes.items():
        if v is None:
            q.pop(k, None)
        else:
            q[k] = v
    return q.urlencode()


@require_safe
@official_required
def inbox(request):
    user = request.user
    now = timezone.now()
    box = request.GET.get("hop") or _default_box(user)
    if box not in dict(BOXES):
        box = "all"
    q = request.GET.get("q", "").strip()
    procedure = request.GET.get("thu_tuc", "").strip()
    state = request.GET.get("trang_thai", "").strip()
    date_from = parse_date(request.GET.get("tu_ngay"))
    date_to = parse_date(request.GET.get("den_ngay"))
    sort = request.GET.get("sap", "due")
    if sort not in SORTS:
        sort = "due"

    qs = selectors.inbox(user=user, box=box, now=now)
    qs = selectors.inbox_search(qs, q=q, procedure=procedure, state=state, date_from=date_from, date_to=date_to)
    qs = qs.select_related("assignee").order_by(*SORTS[sort])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = [{"d": d, "badge": timeliness_badge(selectors.timeliness(d, now=now))} for d in page.object_list]

    counts = selectors.inbox_counts(user=user, now=now)
    params = request.GET.copy()
    boxes = [{"key": k, "label": label, "count": counts.get(k), "current": k == box,
              "query": _query(params, hop=k, trang=None)} for k, label in BOXES]
    sort_links = []
    for key, label in SORT_COLUMNS:
        active = sort.lstrip("-") == key
        descending = sort.startswith("-")
        nxt = ("" if descending else "-") + key if active else key
        sort_links.append({"key": key, "label": label, "query": _query(params, sap=nxt, trang=None),
                           "aria": ("descending" if descending else "ascending") if active else None})
    procedures = selectors.inbox_procedures(user=user)
    context = {
        "box": box, "box_label": dict(BOXES)[box], "boxes": boxes, "rows": rows, "page": page,
        "q": q, "procedure": procedure, "state": state,
        "date_from": request.GET.get("tu_ngay", ""), "date_to": request.GET.get("den_ngay", ""),
        "sort": sort, "sort_links": {s["key"]: s for s in sort_links},
        "states": State.choices, "procedures": procedures,
        "page_query_prev": _query(params, trang=page.previous_page_number()) if page.has_previous() else "",
        "page_query_next": _query(params, trang=page.next_page_number()) if page.has_next() else "",
        "unread_warnings": selectors.warnings_for(user=user, unread_only=True).count(),
    }
    return render(request, "workspace/inbox.html", context)


@require_safe
@official_required
def my_warnings(request):
    warnings = list(selectors.warnings_for(user=request.user)[:200])
    rows = [{"w": w, "badge": timeliness_badge("late" if w.kind == "late" else "due_soon")} for w in warnings]
    return render(request, "workspace/warnings.html", {"rows": rows})


@require_POST
@official_required
def warning_read(request, warning_id: int):
    services.warning_mark_read(actor=request.user, warning_id=warning_id)
    messages.success(request, _("Đã đánh dấu cảnh báo là đã đọc."))
    return redirect("web:my_warnings")

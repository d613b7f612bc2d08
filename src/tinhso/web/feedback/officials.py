"""Officials' pages: the province coordinator's queue (accept, re-route, reject, hide photos; the only
place the reporter is shown), the handling agency's queue (start, answer: never the reporter), and the
routing table editor. Permission checks are in `feedback.access`, called by the selectors/services."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tinhso.feedback import access, selectors, services
from tinhso.feedback.models import Category, Report, ReportPhoto, RoutingRule
from tinhso.places.models import Agency, Commune

from .forms import AcceptForm, AnswerForm, RejectForm, RerouteForm, RouteForm, apply_errors, error_summary

State = Report.State
COORD_TABS = [State.NEW, State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS, State.ANSWERED, State.REJECTED, State.CLOSED]


def _tabs(current):
    return [{"state": s, "label": State(s).label, "current": s == current} for s in COORD_TABS]


@require_safe
@login_required
def coord_queue(request):
    state = request.GET.get("trang_thai", State.NEW)
    if state not in COORD_TABS:
        state = State.NEW
    qs = selectors.coordinator_queue(user=request.user, state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("trang"))
    rows = [{"r": r, "timeliness": selectors.timeliness(due_at=r.due_at, state=r.state)} for r in page.object_list]
    return render(request, "feedback/coord_queue.html", {"page": page, "rows": rows, "tabs": _tabs(state), "state": state})


def _coord_page(request, report, *, accept=None, reroute=None, reject=None, status=200):
    return render(request, "feedback/coord_report.html", {
        "r": report, "photos": report.photos.order_by("id"), "events": report.events.order_by("id"),
        "accept_form": accept or AcceptForm(prefix="accept"), "reroute_form": reroute or RerouteForm(prefix="reroute"),
        "reject_form": reject or RejectForm(prefix="reject"),
        "summary": [i for f in (accept, reroute, reject) if f is not None for i in error_summary(f)],
        "timeliness": selectors.timeliness(due_at=report.due_at, state=report.state),
        "answers": selectors.report_answers(category_id=report.category_id, attributes=report.attributes),
    }, status=status)


@login_required
def coord_report(request, public_id: str):
    report = access.report_for_coordinator(request.user, public_id)
    if request.method != "POST":
        return _coord_page(request, report)
    action = request.POST.get("action", "")
    try:
        if action == "accept":
            form = AcceptForm(request.POST, prefix="accept")
            code = request.POST.get("accept-commune") or ""
            commune = Commune.objects.filter(code=code).first() if code else None
            services.report_accept(actor=request.user, report=report, commune=commune)
            messages.success(request, _("Đã tiếp nhận phản ánh %(id)s.") % {"id": report.public_id})
        elif action == "reroute":
            form = RerouteForm(request.POST, prefix="reroute")
            agency_id = request.POST.get("reroute-agency") or ""
            agency = Agency.objects.filter(pk=agency_id).first() if agency_id.isdigit() else None
            if agency is None:
                raise ValidationError({"agency": [_("Hãy chọn một cơ quan đang hoạt động.")]})
            services.report_reroute(actor=request.user, report=report, agency=agency)
            messages.success(request, _("Đã chuyển phản ánh cho %(a)s.") % {"a": agency.name})
        elif action == "reject":
            form = RejectForm(request.POST, prefix="reject")
            dup_id = (request.POST.get("reject-duplicate_of") or "").strip().upper()
            duplicate = Report.objects.filter(public_id=dup_id).first() if dup_id else None
            if dup_id and duplicate is None:
                raise ValidationError({"duplicate_of": [_("Không có phản ánh nào mang mã %(id)s.") % {"id": dup_id}]})
            services.report_reject(actor=request.user, report=report, reason=request.POST.get("reject-reason", ""),
                                   note=request.POST.get("reject-note", ""), duplicate_of=duplicate)
            messages.success(request, _("Đã không tiếp nhận phản ánh %(id)s.") % {"id": report.public_id})
        elif action in ("hide_photo", "show_photo"):
            form = None
            photo = ReportPhoto.objects.filter(report=report, pk=request.POST.get("photo") or 0).first()
            if photo is None:
                raise Http404(_("Không tìm thấy ảnh."))
            services.photo_hide(actor=request.user, photo=photo, hidden=action == "hide_photo")
            messages.success(request, _("Đã ẩn ảnh.") if action == "hide_photo" else _("Đã hiện lại ảnh."))
        elif action == "close":
            form = None
            services.report_close(actor=request.user, report=report)
            messages.success(request, _("Phản ánh đã đóng."))
        else:
            raise Http404()
    except ValidationError as exc:
        if form is None:
            for m in exc.messages:
                messages.error(request, m)
            return redirect("web:feedback_coord_report", public_id=report.public_id)
        form._errors = ErrorDict()
        form.cleaned_data = {}
        apply_errors(form, exc)
        report.refresh_from_db()
        return _coord_page(request, report, status=400, **{action: form})
    return redirect("web:feedback_coord_report", public_id=report.public_id)


@require_safe
@login_required
def agency_queue(request):
    state = request.GET.get("trang_thai", "")
    if state not in ("", State.ASSIGNED, State.IN_PROGRESS, State.ANSWERED, State.CLOSED):
        state = ""
    qs = selectors.agency_queue(user=request.user, state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("trang"))
    rows = []
    for r in page.object_list:
        r = selectors._labels(dict(r))
        r["timeliness"] = selectors.timeliness(due_at=r["due_at"], state=r["state"])
        rows.append(r)
    tabs = [{"state": s, "label": label, "current": s == state} for s, label in (
        ("", _("Cần xử lý")), (State.ANSWERED, State.ANSWERED.label), (State.CLOSED, State.CLOSED.label))]
    return render(request, "feedback/agency_queue.html", {"page": page, "rows": rows, "tabs": tabs, "state": state})


@login_required
def agency_report(request, public_id: str):
    row = selectors.report_for_agency(user=request.user, public_id=public_id)
    form = AnswerForm(prefix="answer")
    status = 200
    if request.method == "POST":
        report = access.report_for_handler(request.user, public_id)
        action = request.POST.get("action", "")
        try:
            if action == "start":
                services.report_start(actor=request.user, report=report)
                messages.success(request, _("Đã chuyển sang đang xử lý."))
            elif action == "answer":
                form = AnswerForm(request.POST, prefix="answer")
                services.report_answer(actor=request.user, report=report, answer=request.POST.get("answer-answer", ""))
                messages.success(request, _("Đã gửi câu trả lời; câu trả lời được công khai."))
            else:
                raise Http404()
            return redirect("web:feedback_agency_report", public_id=public_id)
        except ValidationError as exc:
            form._errors = ErrorDict()
            form.cleaned_data = {}
            apply_errors(form, exc)
            status = 400
    row["timeliness"] = selectors.timeliness(due_at=row["due_at"], state=row["state"])
    return render(request, "feedback/agency_report.html",
                  {"r": row, "answer_form": form, "summary": error_summary(form),
                   "answers": selectors.report_answers(category_id=row["category_id"], attributes=row["attributes"]),
                   "dossier": selectors.report_dossier(report_id=row["id"])}, status=status)


@login_required
def routing_table(request):
    access.require_coordinator(request.user)
    form = RouteForm(prefix="route")
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            rule = RoutingRule.objects.filter(pk=request.POST.get("rule") or 0).first()
            if rule is None:
                raise Http404(_("Không tìm thấy quy tắc."))
            services.route_delete(actor=request.user, rule=rule)
            messages.success(request, _("Đã xóa quy tắc."))
            return redirect("web:feedback_routing")
        form = RouteForm(request.POST, prefix="route")
        if form.is_valid():
            category = Category.objects.filter(code=form.cleaned_data["category"]).first()
            commune = Commune.objects.filter(code=form.cleaned_data["commune"]).first() if form.cleaned_data["commune"] else None
            agency = Agency.objects.filter(pk=form.cleaned_data["agency"]).first()
            try:
                services.route_set(actor=request.user, category=category, commune=commune, agency=agency)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu quy tắc chuyển xử lý."))
                return redirect("web:feedback_routing")
        status = 400
    rules = selectors.routing_rules()
    page = Paginator(rules, 50).get_page(request.GET.get("trang"))
    return render(request, "feedback/routing.html",
                  {"form": form, "summary": error_summary(form), "page": page}, status=status)


from django.forms.utils import ErrorDict  # noqa: E402

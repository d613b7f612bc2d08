"""The signed-in citizen: send a report (`/phan-anh/gui/`, also as JSON for the offline queue of the
installable app), and "my reports" with rating, closing and reopening."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tinhso.feedback import access, selectors, services, states

from .forms import RateForm, ReopenForm, ReportForm, apply_errors, error_summary, question_forms


def _wants_json(request) -> bool:
    return request.headers.get("X-Tinhso-Offline") == "1" or "application/json" in request.headers.get("Accept", "")


@login_required
def report_create(request):
    dossiers = selectors.dossiers_of_reporter(user=request.user)
    ref = selectors.reference()  # the categories and their questions, checked once for this request
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, dossiers=dossiers)
        data = request.POST
        questions = question_forms(data, reference=ref)
        # only the chosen category's answers count (without JS every category's questions are posted)
        chosen = next((q for q in questions if q.category.code == (data.get("category") or "").strip()), None)
        try:
            dossier_code = (data.get("dossier") or "").strip()
            dossier = next((d for d in dossiers if d.code == dossier_code), None)
            if dossier_code and dossier is None:
                raise ValidationError({"dossier": [_("Hãy chọn một hồ sơ do chính bạn nộp trong danh sách.")]})
            report = services.report_create(
                actor=request.user, category=data.get("category", ""), description=data.get("description", ""),
                lat=data.get("lat") or None, long=data.get("long") or None, address=data.get("address", ""),
                commune=data.get("commune") or None, urgency=data.get("urgency") or "normal",
                photos=request.FILES.getlist("photos"), via="web", dossier=dossier,
                attributes=chosen.answers() if chosen is not None else {}, reference=ref)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            form._errors = ErrorDict()  # only the service's rules decide what is wrong
            form.cleaned_data = {}
            apply_errors(form, exc, questions=chosen)
            answer_errors = [] if chosen is None else [
                (chosen.add_prefix(f), ms) for f, ms in chosen.errors.items()]
            if _wants_json(request):
                return JsonResponse({"detail": _("Phản ánh chưa gửi được: hãy sửa các lỗi."),
                                     "errors": [{"field": f, "message": m}
                                                for f, ms in [*form.errors.items(), *answer_errors] for m in ms]},
                                    status=400)
            summary = error_summary(form)
            if chosen is not None:  # the answers' errors right after the category's
                at = next((i + 1 for i, item in enumerate(summary) if item["href"] == f"#{form['category'].auto_id}"), 0)
                summary[at:at] = error_summary(chosen)
            return render(request, "feedback/report_form.html",
                          {"form": form, "questions": questions, "summary": summary,
                           "files_note": bool(request.FILES)}, status=400)
        if _wants_json(request):
            return JsonResponse({"public_id": report.public_id}, status=201)
        messages.success(request, _("Đã gửi phản ánh %(id)s. Điều phối viên sẽ xem xét và tiếp nhận.") % {"id": report.public_id})
        return redirect("web:my_reports")
    return render(request, "feedback/report_form.html", {"form": ReportForm(initial={"urgency": "normal"}, dossiers=dossiers),
                                                         "questions": question_forms(reference=ref)})


@require_safe
@login_required
def my_reports(request):
    rows = []
    for r in selectors.reports_of_reporter(user=request.user)[:200]:
        can_rate = r.state in states.TRANSITIONS["rate"][0]
        rows.append({"r": r, "can_rate": can_rate, "can_reopen": can_rate and r.rating != "satisfied",
                     "events": selectors.report_history_for_reporter(report=r),
                     "rate_form": RateForm(prefix=f"rate-{r.pk}", initial={"rating": r.rating or None}),
                     "reopen_form": ReopenForm(prefix=f"reopen-{r.pk}")})
    return render(request, "feedback/my_reports.html", {"rows": rows})


def _act(request, public_id, call, success):
    report = access.report_for_reporter(request.user, public_id)
    try:
        call(report)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, success)
    return redirect("web:my_reports")


@login_required
@require_POST
def report_rate(request, public_id: str):
    report = access.report_for_reporter(request.user, public_id)
    p = f"rate-{report.pk}-"
    return _act(request, public_id, lambda r: services.report_rate(
        actor=request.user, report=r, rating=request.POST.get(p + "rating", ""), comment=request.POST.get(p + "comment", "")),
        _("Cảm ơn bạn đã đánh giá."))


@login_required
@require_POST
def report_reopen(request, public_id: str):
    report = access.report_for_reporter(request.user, public_id)
    p = f"reopen-{report.pk}-"
    return _act(request, public_id, lambda r: services.report_reopen(
        actor=request.user, report=r, reason=request.POST.get(p + "reason", "")),
        _("Đã gửi phản ánh lại; cơ quan sẽ xử lý lại."))


@login_required
@require_POST
def report_close(request, public_id: str):
    return _act(request, public_id, lambda r: services.report_close(actor=request.user, report=r),
                _("Phản ánh đã đóng."))

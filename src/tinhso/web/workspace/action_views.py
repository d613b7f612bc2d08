"""One POST view per action on a dossier. Each parses its small form and calls the service; errors
from the service become messages on the dossier page, and nothing changes (the service's transaction).
A refusal (PermissionDenied: not the role, not the agency) is a 403 page with its reason."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tinhso.dossiers import access, selectors, services
from tinhso.places.selectors import agencies_of_installation

from .common import SERVICE_ERRORS, add_errors, official_required, parse_datetime_vn


def _official(user, value: str, *, role: str | None = None):
    """An active official of the user's agency chosen in a select (None when empty or not one)."""
    if not (value or "").isdigit():
        return None
    return selectors.officials_of_agency(agency_id=access.agency_id_of(user), role=role).filter(pk=int(value)).first()


def _receive(request, dossier):
    d = services.dossier_receive(actor=request.user, dossier=dossier, note=request.POST.get("note", ""))
    return _("Đã tiếp nhận hồ sơ. Mã hồ sơ: %(code)s. Hẹn trả kết quả: %(due)s.") % {
        "code": d.code, "due": timezone.localtime(d.due_at).strftime("%H:%M %d/%m/%Y")}


def _refuse(request, dossier):
    services.dossier_refuse(actor=request.user, dossier=dossier, reason=request.POST.get("reason", ""))
    return _("Đã từ chối tiếp nhận hồ sơ; hãy in phiếu từ chối cho công dân.")


def _assign(request, dossier):
    assignee = _official(request.user, request.POST.get("assignee", ""), role="specialist")
    # No choice (or not one of the agency's specialists) is refused by the service, after the permission:
    # someone who may not assign learns only that.
    services.dossier_assign(actor=request.user, dossier=dossier, assignee=assignee, note=request.POST.get("note", ""))
    return _("Đã chuyển hồ sơ cho %(name)s xử lý.") % {"name": assignee.full_name}


def _forward(request, dossier):
    assignee = _official(request.user, request.POST.get("assignee", ""))
    agency = None
    agency_id = request.POST.get("agency", "")
    if agency_id.isdigit():
        agency = agencies_of_installation(include_inactive=False).filter(pk=int(agency_id)).first()
    # "No official and no agency" is refused by the service, after the permission.
    services.dossier_forward(actor=request.user, dossier=dossier, assignee=None if agency else assignee,
                             agency=agency, note=request.POST.get("note", ""))
    return _("Đã chuyển tiếp hồ sơ.")


def _submit_approval(request, dossier):
    leader = _official(request.user, request.POST.get("leader", ""), role="leader")
    services.dossier_submit_for_approval(actor=request.user, dossier=dossier, note=request.POST.get("note", ""),
                                         leader=leader)
    return _("Đã trình lãnh đạo phê duyệt.")


def _request_supplement(request, dossier):
    keys = set(request.POST.getlist("items"))
    items = [{"key": c.key, "name": c.name} for c in dossier.procedure.components.all() if c.key in keys]
    services.dossier_request_supplement(actor=request.user, dossier=dossier, reason=request.POST.get("reason", ""),
                                        items=items)
    return _("Đã gửi yêu cầu bổ sung; thời gian giải quyết tạm dừng đến khi công dân bổ sung.")


def _request_payment(request, dossier):
    raw = (request.POST.get("amount") or "").replace(".", "").replace(",", "").replace(" ", "")
    if not raw.isdigit() or int(raw) <= 0:
        raise ValidationError({"amount": [_("Số tiền: hãy nhập số nguyên dương (đồng), ví dụ 50000.")]})
    services.dossier_request_payment(actor=request.user, dossier=dossier, amount=int(raw),
                                     purpose=request.POST.get("purpose", ""))
    return _("Đã gửi yêu cầu nộp phí, lệ phí.")


def _stop(request, dossier):
    services.dossier_stop(actor=request.user, dossier=dossier, reason=request.POST.get("reason", ""))
    return _("Đã dừng xử lý hồ sơ.")


def _approve(request, dossier):
    services.dossier_approve(actor=request.user, dossier=dossier, result_file=request.FILES.get("result_file"),
                             note=request.POST.get("note", ""))
    return _("Đã phê duyệt; hồ sơ chờ trả kết quả.")


def _return(request, dossier):
    services.dossier_return_result(actor=request.user, dossier=dossier, method=request.POST.get("method") or None)
    return _("Đã trả kết quả cho công dân.")


def _apologize(request, dossier):
    new_due = parse_datetime_vn(request.POST.get("new_due_at"))
    if new_due is None:
        raise ValidationError({"new_due_at": [_("Ngày giờ hẹn mới: hãy nhập dạng dd/mm/yyyy HH:MM, ví dụ 15/03/2026 16:00.")]})
    services.dossier_apologize(actor=request.user, dossier=dossier, reason=request.POST.get("reason", ""),
                               new_due_at=new_due)
    return _("Đã lập phiếu xin lỗi và hẹn lại ngày trả kết quả.")


HANDLERS = {
    "receive": _receive, "refuse": _refuse, "assign": _assign, "forward": _forward,
    "submit_approval": _submit_approval, "request_supplement": _request_supplement,
    "request_payment": _request_payment, "stop": _stop, "approve": _approve, "return": _return,
    "apologize": _apologize,
}


def action_view(action: str):
    handler = HANDLERS[action]

    @require_POST
    @official_required
    def view(request, pk: int):
        dossier = access.dossier_for_actor(request.user, pk=pk)
        try:
            done = handler(request, dossier)
        except PermissionDenied:
            raise  # a refusal is a 403 with its reason, not a message on a page the user may not act on
        except SERVICE_ERRORS as exc:
            add_errors(request, exc)
        else:
            messages.success(request, done)
        return redirect("web:official_dossier", pk=dossier.pk)

    view.__name__ = f"official_dossier_{action}"
    return view

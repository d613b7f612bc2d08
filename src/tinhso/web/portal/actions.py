"""The citizen's actions on their own dossier: each a POST to its own URL that calls one service.

On success: a Vietnamese message and back to the dossier page. On failure: the dossier page again,
with the error summary and the messages next to the fields; the service's transaction changed nothing."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tinhso.dossiers import services
from tinhso.dossiers.states import TransitionNotAllowed

from . import papers
from .forms import ComplainForm, PayForm, RateForm, SupplyForm, WithdrawForm
from .mine import own_dossier, render_dossier_page


def _apply_errors(form, exc: ValidationError, *, field_map: dict[str, str] | None = None) -> tuple[list[str], dict]:
    """Put the service's messages on the form fields they name; return (general, component) errors."""
    field_map = field_map or {}
    general: list[str] = []
    components: dict[str, list[str]] = {}
    if hasattr(exc, "error_dict"):
        for key, errs in exc.message_dict.items():
            name = field_map.get(key, key)
            if key.startswith("component_"):
                components[key] = errs
            elif name in form.fields:
                form.add_error(name, errs)
            else:
                general.extend(errs)
    else:
        general.extend(exc.messages)
    return general, components


def _run(request, dossier, prefix: str, form, call, success: str, field_map: dict[str, str] | None = None):
    if form.is_valid():
        try:
            call(form)
        except ValidationError as exc:
            general, components = _apply_errors(form, exc, field_map=field_map)
            return render_dossier_page(request, dossier, bound={prefix: form}, errors=general, file_errors=components)
        except TransitionNotAllowed as exc:
            return render_dossier_page(request, dossier, bound={prefix: form}, errors=[str(exc)])
        messages.success(request, success)
        return redirect("web:my_dossier", pk=dossier.pk)
    return render_dossier_page(request, dossier, bound={prefix: form})


@login_required
@require_POST
def supply(request, pk: int):
    """The answer to a supplement request: papers (uploaded ahead and ticked, or sent with the form) and a note.
    Refused, the page comes back with the papers it carried kept (papers.py), but a wrong one."""
    dossier = own_dossier(request, pk)
    form = SupplyForm(data=request.POST, prefix="supply")
    keys = [c.key for c in dossier.procedure.components.all()]
    file_errors: dict[str, list[str]] = {}
    kept = papers.kept_papers(request, keys, lambda k: f"supply-giay_{k}", file_errors)
    files = {k: [*request.FILES.getlist(f"supply-tep_{k}"), *kept.get(k, [])] for k in keys}
    general: list[str] = []
    if form.is_valid() and not file_errors:
        try:
            services.dossier_supply(actor=request.user, dossier=dossier, files={k: v for k, v in files.items() if v},
                                    note=form.cleaned_data["note"])
        except ValidationError as exc:
            general, components = _apply_errors(form, exc, field_map={"files": "note"})
            file_errors.update(components)
        except TransitionNotAllowed as exc:
            return render_dossier_page(request, dossier, bound={"supply": form}, errors=[str(exc)])
        else:
            messages.success(request, _("Đã gửi phần bổ sung; hồ sơ tiếp tục được xử lý."))
            return redirect("web:my_dossier", pk=dossier.pk)
    papers.keep_sent_files(request, keys, lambda k: f"supply-tep_{k}", kept, file_errors)
    return render_dossier_page(request, dossier, bound={"supply": form}, errors=general, file_errors=file_errors,
                               kept=kept)


@login_required
@require_POST
def pay(request, pk: int):
    dossier = own_dossier(request, pk)
    form = PayForm(data=request.POST, prefix="pay")
    return _run(
        request, dossier, "pay", form,
        lambda f: services.dossier_pay(actor=request.user, dossier=dossier, reference=f.cleaned_data["reference"]),
        _("Đã ghi nhận việc nộp phí, lệ phí; hồ sơ tiếp tục được xử lý."),
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    dossier = own_dossier(request, pk)
    form = WithdrawForm(data=request.POST, prefix="withdraw")
    return _run(
        request, dossier, "withdraw", form,
        lambda f: services.dossier_withdraw(actor=request.user, dossier=dossier, reason=f.cleaned_data["reason"]),
        _("Đã rút hồ sơ; hồ sơ không còn được giải quyết."),
    )


@login_required
@require_POST
def rate(request, pk: int):
    dossier = own_dossier(request, pk)
    form = RateForm(data=request.POST, prefix="rate")
    return _run(
        request, dossier, "rate", form,
        lambda f: services.dossier_rate(actor=request.user, dossier=dossier, level=f.cleaned_data["level"],
                                        criteria=f.criteria_dict(), comment=f.cleaned_data["comment"]),
        _("Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ."),
    )


@login_required
@require_POST
def complain(request, pk: int):
    dossier = own_dossier(request, pk)
    form = ComplainForm(data=request.POST, prefix="complain")
    return _run(
        request, dossier, "complain", form,
        lambda f: services.dossier_complain(actor=request.user, dossier=dossier, text=f.cleaned_data["text"]),
        _("Đã gửi phản ánh, kiến nghị của bạn đến cơ quan giải quyết."),
    )

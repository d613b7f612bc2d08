"""`/ho-so-cua-toi/`: the citizen's own dossiers, one dossier's page, and its documents as downloads.

Dossiers are fetched only through `dossiers.access.dossier_for_actor`, and these pages are for the
applicant alone: anyone else (another citizen, any official) gets 404, as if it did not exist."""
from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tinhso.dossiers import access, selectors
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.payments import qr_svg
from tinhso.dossiers.states import Action, State

from . import papers
from .display import history_rows, money, step_rows, summary_items, timeliness_words
from .forms import ComplainForm, PayForm, RateForm, SupplyForm, WithdrawForm

ACTION_FORMS = {
    Action.SUPPLY: ("supply", SupplyForm),
    Action.PAY: ("pay", PayForm),
    Action.WITHDRAW: ("withdraw", WithdrawForm),
    Action.RATE: ("rate", RateForm),
    Action.COMPLAIN: ("complain", ComplainForm),
}


def own_dossier(request, pk: int) -> Dossier:
    """The dossier if the signed-in user submitted it; 404 for anyone else."""
    dossier = access.dossier_for_actor(request.user, pk=pk)
    if not access.is_owner(request.user, dossier):
        raise Http404(_("Không tìm thấy hồ sơ."))
    return dossier


@require_safe
@login_required
def my_dossiers(request):
    qs = selectors.dossiers_for_citizen(user=request.user)
    page = Paginator(qs, 20).get_page(request.GET.get("trang"))
    rows = [{"d": d, "timeliness": timeliness_words(selectors.timeliness(d))} for d in page.object_list]
    return render(request, "portal/my_dossiers.html", {"page": page, "rows": rows})


def _qr_inline(payload: str) -> str:
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", qr_svg(payload))
    label = _("Mã VietQR để chuyển khoản phí, lệ phí")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="portal-qr-svg" ', 1)


def _supply_items(dossier: Dossier, request_obj, kept: dict | None = None) -> list[dict]:
    """The upload inputs for a supplement: the requested papers that are components of the procedure
    (every component when the request names none), with the papers already uploaded for each (`kept`)."""
    components = {c.key: c for c in dossier.procedure.components.all()}
    keys = [i.get("key") for i in (request_obj.items if request_obj else []) if i.get("key") in components]
    if not keys:
        keys = list(components)
    return [{"key": k, "name": components[k].name, "input_name": f"supply-tep_{k}", "input_id": f"id_supply-tep_{k}",
             "accept": ",".join("." + t for t in components[k].file_type_list),
             "kept_name": f"supply-giay_{k}", "kept": papers.kept_rows(kept or {}, k)} for k in keys]


def documents_of(dossier: Dossier) -> list[dict]:
    """The documents the applicant may download now."""
    from django.urls import reverse

    docs = []
    if dossier.received_at:
        docs.append({"name": _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
                     "url": reverse("web:portal_document", args=[dossier.pk, "phieu-tiep-nhan"])})
    if dossier.state == State.REFUSED:
        docs.append({"name": _("Phiếu từ chối tiếp nhận hồ sơ"),
                     "url": reverse("web:portal_document", args=[dossier.pk, "tu-choi"])})
    if dossier.supplement_requests.exists():
        docs.append({"name": _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
                     "url": reverse("web:portal_document", args=[dossier.pk, "yeu-cau-bo-sung"])})
    if _has_apology(dossier):
        docs.append({"name": _("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
                     "url": reverse("web:portal_document", args=[dossier.pk, "xin-loi"])})
    if dossier.state in (State.FINISHED, State.RETURNED) and dossier.result_file:
        docs.append({"name": _("Kết quả giải quyết: %(name)s") % {"name": dossier.result_name or _("tệp kết quả")},
                     "url": reverse("web:portal_result", args=[dossier.pk])})
    return docs


def _has_apology(dossier: Dossier) -> bool:
    from tinhso.dossiers.models import Apology

    return Apology.objects.filter(dossier=dossier).exists()


def render_dossier_page(request, dossier: Dossier, *, bound: dict | None = None, errors: list[str] | None = None,
                        file_errors: dict | None = None, status: int = 200, kept: dict | None = None):
    """The dossier page; after a failed action, `bound` holds that action's bound form (with errors)."""
    bound = bound or {}
    actions = selectors.actions_for(user=request.user, dossier=dossier)
    forms = {}
    for action in actions:
        if action in ACTION_FORMS:
            prefix, cls = ACTION_FORMS[action]
            forms[prefix] = bound.get(prefix) or cls(prefix=prefix)
    open_supplement = dossier.supplement_requests.filter(answered_at__isnull=True).first()
    open_payment = dossier.payment_requests.filter(paid_at__isnull=True).first()
    payment = None
    if Action.PAY in actions and open_payment is not None:
        payment = {"amount": money(open_payment.amount), "purpose": open_payment.purpose,
                   "qr": _qr_inline(open_payment.qr_payload) if open_payment.qr_payload else "",
                   "account_number": settings.PAYMENT_ACCOUNT_NUMBER, "account_name": settings.PAYMENT_ACCOUNT_NAME}
    steps = step_rows(dossier.steps.select_related("agency"), agencies=True)
    error_forms = [f for f in bound.values() if f is not None and f.errors]
    return render(request, "portal/my_dossier.html", {
        "d": dossier,
        "timeliness": timeliness_words(selectors.timeliness(dossier)),
        "steps": steps,
        "history": history_rows(dossier),
        "components": list(dossier.components.all()),
        "documents": documents_of(dossier),
        "actions": actions,
        "forms": forms,
        "open_supplement": open_supplement if Action.SUPPLY in actions else None,
        "supply_items": _supply_items(dossier, open_supplement, kept) if Action.SUPPLY in actions else [],
        "file_errors": file_errors or {},
        "payment": payment,
        "fee": money(dossier.fee_amount) if dossier.fee_amount else "",
        "errors": errors or [],
        "error_forms": error_forms,
        "has_errors": bool(errors or error_forms or file_errors),
        "summary": summary_items(forms=error_forms, general=errors or [], files=[
            (f"id_supply-tep_{key[len('component_'):]}", _("Giấy tờ bổ sung"), msgs)
            for key, msgs in (file_errors or {}).items()]),
    }, status=status)


@require_safe
@login_required
def my_dossier(request, pk: int):
    return render_dossier_page(request, own_dossier(request, pk))


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@login_required
def component_file(request, pk: int, component_id: int):
    dossier = own_dossier(request, pk)
    comp = dossier.components.filter(pk=component_id).exclude(file="").first()
    if comp is None:
        raise Http404(_("Không tìm thấy tệp."))
    return FileResponse(comp.file.open("rb"), as_attachment=True,
                        filename=comp.original_filename or comp.file.name.rsplit("/", 1)[-1],
                        content_type=comp.content_type or "application/octet-stream")


@require_safe
@login_required
def result_file(request, pk: int):
    dossier = own_dossier(request, pk)
    if dossier.state not in (State.FINISHED, State.RETURNED) or not dossier.result_file:
        raise Http404(_("Hồ sơ chưa có kết quả."))
    return FileResponse(dossier.result_file.open("rb"), as_attachment=True,
                        filename=dossier.result_name or f"{dossier.code}-ket-qua.pdf", content_type="application/pdf")


@require_safe
@login_required
def document(request, pk: int, kind: str):
    """The papers the law gives the citizen (receipt, refusal, supplement request, apology) as PDF."""
    from tinhso.dossiers import documents
    from tinhso.dossiers.models import Apology

    dossier = own_dossier(request, pk)
    name = dossier.code or f"ho-so-{dossier.pk}"
    if kind == "phieu-tiep-nhan" and dossier.received_at:
        return _attachment(documents.receipt_pdf(dossier), f"{name}-tiep-nhan.pdf")
    if kind == "tu-choi" and dossier.state == State.REFUSED:
        return _attachment(documents.refusal_pdf(dossier), f"{name}-tu-choi.pdf")
    if kind == "yeu-cau-bo-sung":
        req = dossier.supplement_requests.order_by("-id").first()
        if req is not None:
            return _attachment(documents.supplement_pdf(req), f"{name}-yeu-cau-bo-sung.pdf")
    if kind == "xin-loi":
        apology = Apology.objects.filter(dossier=dossier).first()
        if apology is not None:
            return _attachment(documents.apology_pdf(apology), f"{name}-xin-loi.pdf")
    raise Http404(_("Không có văn bản này."))

"""The official's page of one dossier: everything about it, the actions allowed now, its files and PDFs.
Every dossier is fetched through `access.dossier_for_actor`: another agency's dossier is a 404."""
from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tinhso.dossiers import access, documents, selectors
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.states import Action, State
from tinhso.places.selectors import agencies_of_installation

from .common import official_required, timeliness_badge

# action -> URL slug (one URL per action, see urls.py)
ACTION_SLUGS = {
    Action.RECEIVE: "tiep-nhan",
    Action.REFUSE: "tu-choi",
    Action.ASSIGN: "chuyen-xu-ly",
    Action.FORWARD: "chuyen-tiep",
    Action.SUBMIT_APPROVAL: "trinh-phe-duyet",
    Action.REQUEST_SUPPLEMENT: "yeu-cau-bo-sung",
    Action.REQUEST_PAYMENT: "yeu-cau-nop-phi",
    Action.STOP: "dung-xu-ly",
    Action.APPROVE: "phe-duyet",
    Action.RETURN: "tra-ket-qua",
    Action.APOLOGIZE: "xin-loi",
}


def form_rows(dossier: Dossier) -> list[tuple[str, str]]:
    """The application form's answers with the catalog's labels, dates dd/mm/yyyy."""
    data = dossier.form_data or {}
    rows, seen = [], set()
    for ff in dossier.procedure.form_fields.all():
        seen.add(ff.key)
        if ff.key not in data or data[ff.key] in (None, ""):
            continue
        value = data[ff.key]
        if ff.type == "date" and isinstance(value, str) and len(value) == 10 and value[4] == "-":
            value = f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
        elif ff.type == "select":
            value = next((c.get("label") for c in ff.choices or [] if str(c.get("value")) == str(value)), value)
        elif ff.type == "checkbox":
            value = _("Có") if value else _("Không")
        rows.append((ff.label, str(value)))
    rows += [(k, str(v)) for k, v in data.items() if k not in seen and v not in (None, "")]
    return rows


def _related(dossier: Dossier, name: str):
    try:
        return getattr(dossier, name)
    except ObjectDoesNotExist:
        return None


@require_safe
@official_required
def official_dossier(request, pk: int):
    user = request.user
    dossier = access.dossier_for_actor(user, pk=pk)
    allowed = selectors.actions_for(user=user, dossier=dossier)
    actions = [{"key": str(a), "label": Action(a).label,
                "url": reverse(f"web:official_dossier_{a}", args=[dossier.pk])}
               for a in allowed if a in ACTION_SLUGS]
    own_agency = access.agency_id_of(user)
    needs = set(allowed)
    context = {
        "dossier": dossier,
        "may_open_papers": access.may_open_papers(user, dossier),
        "badge": timeliness_badge(selectors.timeliness(dossier)),
        "form_rows": form_rows(dossier),
        "components": list(dossier.components.all()),
        "steps": list(dossier.steps.select_related("agency", "assignee")),
        "events": list(dossier.events.select_related("actor")),
        "handovers": list(dossier.handovers.select_related("agency", "giver", "receiver")),
        "supplements": list(dossier.supplement_requests.all()),
        "payments": list(dossier.payment_requests.all()),
        "apology": _related(dossier, "apology"),
        "rating": _related(dossier, "rating"),
        "complaints": list(dossier.complaints.select_related("author")),
        "actions": actions,
        "specialists": (selectors.officials_of_agency(agency_id=own_agency, role="specialist")
                        if needs & {Action.ASSIGN} else []),
        "colleagues": (selectors.officials_of_agency(agency_id=own_agency).exclude(pk=user.pk)
                       if Action.FORWARD in needs else []),
        "leaders": (selectors.officials_of_agency(agency_id=own_agency, role="leader")
                    if Action.SUBMIT_APPROVAL in needs else []),
        "agencies": (agencies_of_installation(include_inactive=False).exclude(pk=dossier.agency_id)
                     if Action.FORWARD in needs else []),
        "procedure_components": list(dossier.procedure.components.all()) if Action.REQUEST_SUPPLEMENT in needs else [],
        "fee_default": dossier.procedure.fee_total_min or dossier.fee_amount or "",
        "return_methods": Dossier.ReturnMethod.choices,
    }
    return render(request, "workspace/dossier.html", context)


@require_safe
@official_required
def component_download(request, pk: int, component_id: int):
    dossier = access.dossier_for_actor(request.user, pk=pk)
    access.require_papers(request.user, dossier)
    comp = dossier.components.filter(pk=component_id).first()
    if comp is None or not comp.file:
        raise Http404(_("Không tìm thấy giấy tờ."))
    if comp.reused_from_id:
        # A paper of the citizen's data store is opened through the checked, logged view only.
        return redirect("web:official_store_document", pk=dossier.pk, doc_id=comp.reused_from_id)
    return FileResponse(comp.file.open("rb"), as_attachment=True,
                        filename=comp.original_filename or comp.file.name.rsplit("/", 1)[-1],
                        content_type=comp.content_type or "application/octet-stream")


@require_safe
@official_required
def result_download(request, pk: int):
    dossier = access.dossier_for_actor(request.user, pk=pk)
    access.require_papers(request.user, dossier)
    if not dossier.result_file:
        raise Http404(_("Hồ sơ chưa có kết quả."))
    return FileResponse(dossier.result_file.open("rb"), as_attachment=True,
                        filename=dossier.result_name or f"{dossier.code}-ket-qua.pdf", content_type="application/pdf")


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@official_required
def dossier_pdf(request, pk: int, kind: str):
    """Receipt, refusal, apology, control slip of one dossier (supplement: see `supplement_pdf`)."""
    dossier = access.dossier_for_actor(request.user, pk=pk)
    name = dossier.code or f"ho-so-{dossier.pk}"
    if kind == "giay-tiep-nhan" and dossier.code:
        return pdf_response(documents.receipt_pdf(dossier), f"{name}-giay-tiep-nhan.pdf")
    if kind == "tu-choi" and dossier.state_note and dossier.state == State.REFUSED:
        return pdf_response(documents.refusal_pdf(dossier), f"{name}-tu-choi.pdf")
    if kind == "xin-loi":
        apology = _related(dossier, "apology")
        if apology is not None:
            return pdf_response(documents.apology_pdf(apology), f"{name}-xin-loi.pdf")
    if kind == "phieu-kiem-soat" and dossier.received_at:
        return pdf_response(documents.control_slip_pdf(dossier), f"{name}-phieu-kiem-soat.pdf")
    raise Http404(_("Hồ sơ này chưa có giấy tờ này."))


@require_safe
@official_required
def supplement_pdf(request, pk: int, request_id: int):
    dossier = access.dossier_for_actor(request.user, pk=pk)
    req = dossier.supplement_requests.filter(pk=request_id).first()
    if req is None:
        raise Http404(_("Không tìm thấy yêu cầu bổ sung."))
    return pdf_response(documents.supplement_pdf(req), f"{dossier.code}-yeu-cau-bo-sung-{req.pk}.pdf")

"""The papers of the one-stop shop as PDF (forms of Circular 01/2018/TT-VPCP, DOMAIN.md §2).

mẫu 01 `receipt_pdf`, 02 `supplement_pdf`, 03 `refusal_pdf`, 04 `apology_pdf`, 05 `control_slip_pdf`,
06 `register_pdf`; and `result_pdf`, the result document generated when the leader approves without
uploading one. Each function builds a context and hands it to `pdf.render`; they read, never write.
"""
from __future__ import annotations

from datetime import date, datetime

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from . import pdf
from .models import Apology, Dossier, SupplementRequest


def _base(dossier: Dossier, at: datetime) -> dict:
    return {
        "dossier": dossier,
        "agency": dossier.agency,
        "place_date": pdf.place_date(dossier.agency, at or timezone.now()),
        "procedure_name": dossier.procedure_name or dossier.procedure.name,
    }


def _component_rows(dossier: Dossier) -> list[dict]:
    rows = []
    for c in dossier.components.all():
        forms = [(c.originals, _("Bản chính")), (c.certified_copies, _("Bản sao chứng thực")),
                 (c.copies, _("Bản sao"))]
        kinds = [f"{label}: {n:02d}" for n, label in forms if n]
        if c.file and not kinds:
            kinds = [_("Bản điện tử: %(file)s") % {"file": c.original_filename or c.file.name}]
        rows.append({"name": c.name, "kinds": kinds,
                     "supplement": c.supplement_round})
    return rows


def receipt_pdf(dossier: Dossier) -> bytes:
    """Mẫu số 01: giấy tiếp nhận hồ sơ và hẹn trả kết quả."""
    url = pdf.tracking_url(dossier)
    return pdf.render("receipt.html", {
        **_base(dossier, dossier.received_at),
        "title": _("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        "qr": pdf.qr_data_uri(url), "tracking_url": url,
        "components": _component_rows(dossier), "sets": 1,
        "time_limit": pdf.time_limit_words(dossier.limit_kind, dossier.limit_amount),
        "received": pdf.hour_date(dossier.received_at), "due": pdf.hour_date(dossier.due_at),
        "return_method": dossier.get_return_method_display(),
    })


def supplement_pdf(request: SupplementRequest) -> bytes:
    """Mẫu số 02: phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""
    dossier = request.dossier
    return pdf.render("supplement.html", {
        **_base(dossier, request.requested_at),
        "title": _("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        "request": request, "items": [i.get("name") or i.get("key", "") for i in request.items or []],
        "received": pdf.hour_date(dossier.received_at),
        "officer": pdf.person_name(request.requested_by),
    })


def refusal_pdf(dossier: Dossier) -> bytes:
    """Mẫu số 03: phiếu từ chối tiếp nhận giải quyết hồ sơ (lý do: `dossier.state_note`)."""
    at = dossier.closed_at or dossier.updated_at
    return pdf.render("refusal.html", {
        **_base(dossier, at),
        "title": _("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        "submitted": pdf.hour_date(dossier.submitted_at or dossier.created_at),
        "reason": dossier.state_note,
    })


def apology_pdf(apology: Apology) -> bytes:
    """Mẫu số 04: phiếu xin lỗi và hẹn lại ngày trả kết quả."""
    dossier = apology.dossier
    return pdf.render("apology.html", {
        **_base(dossier, apology.created_at),
        "title": _("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
        "apology": apology, "received_day": pdf.day(dossier.received_at),
        "previous_due": pdf.hour_date(apology.previous_due_at), "new_due": pdf.hour_date(apology.new_due_at),
        "signer": pdf.person_name(apology.created_by), "signer_title": pdf.person_title(apology.created_by),
    })


def control_slip_pdf(dossier: Dossier) -> bytes:
    """Mẫu số 05: phiếu kiểm soát quá trình giải quyết hồ sơ, one row per hand-over."""
    rows = [{"agency": h.agency.name, "at": pdf.hour_date(h.at), "giver": pdf.person_name(h.giver),
             "receiver": pdf.person_name(h.receiver), "result": h.result,
             "timeliness": h.get_timeliness_display(), "step_due": pdf.hour_date(h.step_due_at)}
            for h in dossier.handovers.select_related("agency", "giver", "receiver")]
    return pdf.render("control_slip.html", {
        **_base(dossier, timezone.now()),
        "title": _("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        "rows": rows, "received": pdf.hour_date(dossier.received_at), "due": pdf.hour_date(dossier.due_at),
    })


def register_pdf(*, agency, dossiers, date_from: date, date_to: date) -> bytes:
    """Mẫu số 06: sổ theo dõi hồ sơ of a period (landscape), one row per dossier."""
    rows = [{"code": d.code or "", "procedure": d.procedure_name, "applicant": d.applicant_name,
             "address": d.applicant_address, "phone": d.applicant_phone,
             "received": pdf.hour_date(d.received_at), "due": pdf.hour_date(d.due_at),
             "finished": pdf.hour_date(d.finished_at), "returned": pdf.hour_date(d.returned_at),
             "state": d.state_label} for d in dossiers]
    return pdf.render("register.html", {
        "agency": agency, "place_date": pdf.place_date(agency, timezone.now()),
        "title": _("SỔ THEO DÕI HỒ SƠ"), "rows": rows,
        "date_from": date_from.strftime("%d/%m/%Y"), "date_to": date_to.strftime("%d/%m/%Y"),
    }, landscape=True)


def _form_rows(dossier: Dossier) -> list[tuple[str, str]]:
    rows = []
    data = dossier.form_data or {}
    for ff in dossier.procedure.form_fields.all():
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
    return rows


def result_document(dossier: Dossier, *, approver, at: datetime) -> bytes:
    """Kết quả giải quyết thủ tục hành chính, signed (by name) by the approving leader."""
    url = pdf.tracking_url(dossier)
    return pdf.render("result.html", {
        **_base(dossier, at),
        "title": _("KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"),
        "result_name": dossier.procedure.result_name, "form_rows": _form_rows(dossier),
        "approver": pdf.person_name(approver), "approver_title": pdf.person_title(approver),
        "approved": pdf.hour_date(at), "qr": pdf.qr_data_uri(url), "tracking_url": url,
    })


def result_pdf(dossier: Dossier, *, approver, at: datetime) -> ContentFile:
    """The result document as a file, as `services.dossier_approve` stores it."""
    return ContentFile(result_document(dossier, approver=approver, at=at), name=f"{dossier.code}-ket-qua.pdf")

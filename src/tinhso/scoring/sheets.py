"""The year-end evaluation sheet of an official (phiếu tổng hợp kết quả giải quyết hồ sơ) as PDF
(WeasyPrint, DejaVu fonts, the layout of the one-stop PDFs) and as Excel (openpyxl). Both read the
figures of `evaluation.official_evaluation`; they write nothing."""
from __future__ import annotations

import io
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tinhso.dossiers import pdf as dossier_pdf


def rows(ev: dict) -> list[tuple[str, str]]:
    """(label, value) rows of the sheet, in order."""
    def pct(v):
        return "—" if v is None else f"{v}".replace(".", ",") + " %"

    return [
        (_("Số hồ sơ đã tham gia giải quyết"), str(ev["dossiers_handled"])),
        (_("Số hồ sơ đã tiếp nhận"), str(ev["dossiers_received"])),
        (_("Số bước xử lý đã chuyển (phiếu kiểm soát quá trình)"), str(ev["steps"])),
        (_("— trước hạn"), str(ev["steps_early"])),
        (_("— đúng hạn"), str(ev["steps_on_time"])),
        (_("— quá hạn"), str(ev["steps_late"])),
        (_("Tỷ lệ bước xử lý trước và đúng hạn"), pct(ev["steps_on_time_rate"])),
        (_("Số lần yêu cầu bổ sung, hoàn thiện hồ sơ"), str(ev["supplement_requests"])),
        (_("Số hồ sơ từ chối tiếp nhận"), str(ev["refusals"])),
        (_("Số hồ sơ đã phê duyệt"), str(ev["approvals"])),
        (_("Số hồ sơ đã trả kết quả"), str(ev["returns"])),
        (_("Số phiếu xin lỗi và hẹn lại"), str(ev["apologies"])),
        (_("Số lượt đánh giá của người dân"), str(ev["rated"])),
        (_("— hài lòng"), str(ev["rated_satisfied"])),
        (_("— chấp nhận được"), str(ev["rated_acceptable"])),
        (_("— không hài lòng"), str(ev["rated_unsatisfied"])),
        (_("Tỷ lệ hài lòng"), pct(ev["satisfaction_rate"])),
        (_("Số phản ánh, kiến nghị về hồ sơ đã tham gia"), str(ev["complaints"])),
        (_("Số phản ánh hiện trường đã trả lời"), str(ev["reports_answered"])),
        (_("— trả lời đúng hạn"), str(ev["reports_answered_on_time"])),
        (_("Tỷ lệ phản ánh trả lời đúng hạn"), pct(ev["reports_on_time_rate"])),
    ]


def _context(ev: dict, user, at: datetime) -> dict:
    agency = getattr(getattr(user, "official", None), "agency", None)
    return {
        "title": _("PHIẾU TỔNG HỢP KẾT QUẢ GIẢI QUYẾT HỒ SƠ CỦA CÁN BỘ, CÔNG CHỨC"),
        "agency": agency, "ev": ev, "rows": rows(ev),
        "place_date": dossier_pdf.place_date(agency, at) if agency else at.strftime("%d/%m/%Y"),
        "generated": dossier_pdf.hour_date(at),
    }


def evaluation_pdf(ev: dict, user, *, at: datetime | None = None) -> bytes:
    from weasyprint import CSS, HTML

    at = at or timezone.now()
    with translation.override("vi"):
        html = render_to_string("scoring/pdf/evaluation.html", _context(ev, user, at))
        css = render_to_string("dossiers/pdf/document.css", {"landscape": False})
    fetcher = dossier_pdf.url_fetcher()
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(stylesheets=[CSS(string=css, url_fetcher=fetcher)])


def evaluation_xlsx(ev: dict, user, *, at: datetime | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    at = at or timezone.now()
    with translation.override("vi"):
        ctx = _context(ev, user, at)
        wb = Workbook()
        ws = wb.active
        ws.title = _("Đánh giá")
        ws.append([ctx["title"]])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([ev["period_label"]])
        ws.append([_("Họ và tên"), ev["name"]])
        ws.append([_("Chức vụ"), ev["title"] or "—"])
        ws.append([_("Cơ quan"), ev["agency"]["name"] if ev["agency"] else "—"])
        ws.append([])
        ws.append([_("Nội dung"), _("Kết quả")])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for label, value in ctx["rows"]:
            ws.append([label, value])
            ws.cell(row=ws.max_row, column=2).alignment = Alignment(horizontal="right")
        ws.append([])
        ws.append([_("Số liệu tổng hợp tự động từ phiếu kiểm soát quá trình giải quyết hồ sơ, lúc %(at)s.")
                   % {"at": ctx["generated"]}])
        ws.column_dimensions["A"].width = 58
        ws.column_dimensions["B"].width = 22
        out = io.BytesIO()
        wb.save(out)
    return out.getvalue()

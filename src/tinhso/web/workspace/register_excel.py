"""The dossier register as an Excel workbook, with the same columns as the PDF (mẫu số 06)."""
from __future__ import annotations

import io
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font


def _hd(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def register_columns() -> list[str]:
    return [_("STT"), _("Mã hồ sơ"), _("Tên thủ tục"), _("Người nộp"), _("Địa chỉ"), _("Số điện thoại"),
            _("Ngày nhận"), _("Hẹn trả"), _("Ngày xử lý xong"), _("Ngày trả kết quả"), _("Trạng thái")]


def register_xlsx(*, agency, dossiers, date_from: date, date_to: date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Sổ theo dõi")
    ws.append([_("SỔ THEO DÕI HỒ SƠ")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([str(agency) if agency else ""])
    ws.append([_("Từ ngày %(a)s đến ngày %(b)s") % {"a": date_from.strftime("%d/%m/%Y"), "b": date_to.strftime("%d/%m/%Y")}])
    ws.append([])
    ws.append(register_columns())
    for cell in ws[5]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, d in enumerate(dossiers, start=1):
        ws.append([i, d.code or "", d.procedure_name, d.applicant_name, d.applicant_address, d.applicant_phone,
                   _hd(d.received_at), _hd(d.due_at), _hd(d.finished_at), _hd(d.returned_at), str(d.state_label)])
    for col, width in zip("ABCDEFGHIJK", (6, 24, 40, 24, 36, 14, 18, 18, 18, 18, 22)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A6"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

"""Every IOC table as Excel (openpyxl) and CSV, and the monthly one-stop report as PDF (WeasyPrint) and
Excel. A table is a title, column headings and rows of plain values (numbers stay numbers in Excel;
Decimal rates become numbers with 2 decimals; dates dd/mm/yyyy, times HH:MM dd/mm/yyyy in
Asia/Ho_Chi_Minh).

CSV is UTF-8 with a byte-order mark (so that Excel opens Vietnamese text correctly) and `,` separators.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

VN = ZoneInfo("Asia/Ho_Chi_Minh")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    subtitle: str = ""
    total: list | None = None


def cell(value):
    """A value as it goes into a cell: numbers stay numbers, times in the province's zone as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.astimezone(VN).strftime("%H:%M %d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = (table.title or "IOC")[:31].translate({ord(c): " " for c in "[]:*?/\\"})
    ws.append([table.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([table.subtitle])
    ws.append([])
    ws.append([str(c) for c in table.columns])
    for c in ws[4]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        ws.append([cell(v) for v in row])
    if table.total is not None:
        ws.append([cell(v) for v in table.total])
        for c in ws[ws.max_row]:
            c.font = Font(bold=True)
    for i, _col in enumerate(table.columns, start=1):
        letter = ws.cell(row=4, column=i).column_letter
        width = max([len(str(table.columns[i - 1]))] + [len(str(cell(r[i - 1]))) for r in table.rows[:200]])
        ws.column_dimensions[letter].width = min(max(8, width + 2), 60)
    ws.freeze_panes = "A5"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_csv(table: Table) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([str(c) for c in table.columns])
    for row in table.rows:
        w.writerow([cell(v) for v in row])
    if table.total is not None:
        w.writerow([cell(v) for v in table.total])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# --- the monthly one-stop report ----------------------------------------------------------------------

def monthly_report_table(report: dict) -> Table:
    period = report["period"]
    columns = [_("STT"), _("Mã cơ quan"), _("Cơ quan"), *[label for _k, label in report["columns"]]]
    rows = [[i, r["code"], r["name"], *[r[k] for k, _l in report["columns"]]]
            for i, r in enumerate(report["rows"], start=1)]
    total = ["", "", _("Tổng cộng"), *[report["total"][k] for k, _l in report["columns"]]]
    subtitle = _("%(period)s · số liệu đến %(at)s") % {
        "period": period.label, "at": report["now"].astimezone(VN).strftime("%H:%M %d/%m/%Y")}
    return Table(_("Báo cáo tình hình tiếp nhận, giải quyết thủ tục hành chính"), columns, rows, subtitle, total)


def monthly_report_xlsx(report: dict) -> bytes:
    return table_xlsx(monthly_report_table(report))


def _fetcher():
    """WeasyPrint may read `data:` URIs only: nothing is fetched while rendering."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), timeout=1)


def monthly_report_pdf(report: dict, *, province_name: str) -> bytes:
    from weasyprint import HTML

    from .formatting import vn_dec, vn_int

    def text(v):
        if isinstance(v, Decimal):
            return vn_dec(v)
        if isinstance(v, int) and not isinstance(v, bool):
            return vn_int(v)
        return "" if v is None else v

    table = monthly_report_table(report)
    table.rows = [[r[0], r[1], r[2], *[text(v) for v in r[3:]]] for r in table.rows]
    table.total = [*table.total[:3], *[text(v) for v in table.total[3:]]]
    with translation.override("vi"):
        html = render_to_string("ioc/pdf/monthly.html", {
            "report": report, "table": table, "province_name": province_name,
            "at": report["now"].astimezone(VN)})
    return HTML(string=html, base_url=None, url_fetcher=_fetcher()).write_pdf()

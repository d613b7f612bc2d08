"""Reading agency files (CSV in UTF-8, Excel .xlsx), checked by extension, size and content."""
from __future__ import annotations

import csv
import io
import zipfile
from typing import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import search_key

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
ALLOWED_EXTENSIONS = (".csv", ".xlsx")

COLUMNS = ["ma_dinh_danh", "ten_co_quan", "ten_viet_tat", "loai", "ma_co_quan_cap_tren", "ma_xa_phuong", "dang_hoat_dong"]
REQUIRED_COLUMNS = ["ma_dinh_danh", "ten_co_quan", "loai"]


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _read_bytes(file) -> bytes:
    if hasattr(file, "size") and file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise _refuse(_("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_UPLOAD_BYTES + 1) if hasattr(file, "read") else bytes(file)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(_("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    if not data:
        raise _refuse(_("Tệp rỗng: hãy chọn tệp có dòng tiêu đề và ít nhất một dòng dữ liệu."))
    return data


def _header_key(value) -> str:
    return search_key(str(value or "")).replace(" ", "_")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows_from_csv(data: bytes) -> list[list[str]]:
    if b"\x00" in data:
        raise _refuse(_("Tệp .csv không phải văn bản: hãy lưu lại dưới dạng CSV UTF-8."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(_("Tệp .csv phải được mã hoá UTF-8: hãy lưu lại dưới dạng “CSV UTF-8”.")) from None
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _rows_from_xlsx(data: bytes) -> list[list[str]]:
    if not data.startswith(b"PK\x03\x04"):
        raise _refuse(_("Tệp .xlsx không phải tệp Excel hợp lệ: hãy lưu lại dưới dạng “Sổ làm việc Excel (.xlsx)”."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise _refuse(_("Tệp .xlsx không phải tệp Excel hợp lệ: hãy lưu lại dưới dạng “Sổ làm việc Excel (.xlsx)”."))
            if sum(i.file_size for i in zf.infolist()) > 20 * MAX_UPLOAD_BYTES:
                raise _refuse(_("Tệp .xlsx quá lớn khi giải nén."))
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception:
        raise _refuse(_("Không đọc được tệp .xlsx: tệp hỏng hoặc không phải tệp Excel.")) from None
    try:
        ws = wb.worksheets[0]
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append([_cell(c) for c in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        wb.close()


def agency_rows_read(*, file, filename: str) -> list[tuple[int, dict[str, str]]]:
    """Return [(row number in the file, {column: value})] or raise ValidationError({"file": message})."""
    name = (filename or "").strip().lower()
    if not name.endswith(ALLOWED_EXTENSIONS):
        raise _refuse(_("Chỉ nhận tệp .csv (UTF-8) hoặc .xlsx (Excel)."))
    data = _read_bytes(file)
    rows = _rows_from_csv(data) if name.endswith(".csv") else _rows_from_xlsx(data)
    rows = [r for r in rows]
    if not rows or not any(rows[0]):
        raise _refuse(_("Tệp không có dòng tiêu đề. Dòng đầu phải là: %(cols)s.") % {"cols": ", ".join(COLUMNS)})
    header = [_header_key(h) for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise _refuse(
            _("Dòng tiêu đề thiếu cột: %(missing)s. Các cột: %(cols)s.") % {"missing": ", ".join(missing), "cols": ", ".join(COLUMNS)}
        )
    if len(rows) - 1 > MAX_ROWS:
        raise _refuse(_("Tệp có quá %(n)s dòng dữ liệu.") % {"n": MAX_ROWS})
    out: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        values = {col: (row[i] if i < len(row) else "") for i, col in enumerate(header) if col in COLUMNS}
        out.append((number, {c: values.get(c, "") for c in COLUMNS}))
    if not out:
        raise _refuse(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return out


def agency_rows_to_csv(rows: Iterable[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()

"""The only write path of the places domain: agencies (create, update, deactivate, import)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.events.services import event_record

from .access import require_province_admin
from .codes import agency_code_normalize, agency_code_parent_problem, agency_code_problem
from .models import Agency, Commune
from .text import search_key
from .uploads import agency_rows_read

DEMO_AGENCIES_FILE = Path(__file__).resolve().parent / "data" / "thai-nguyen-agencies.csv"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class AgencyImportError(ValidationError):
    """An import refused as a whole; `row_errors` lists every problem (row number, column, message)."""

    def __init__(self, row_errors: list[RowError]):
        self.row_errors = row_errors
        super().__init__(
            [_("Dòng %(row)s, cột %(col)s: %(msg)s") % {"row": e.row, "col": e.column, "msg": e.message} for e in row_errors]
        )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _authorise(actor) -> None:
    if actor is not None:  # None = the system itself (set-up commands, demo data)
        require_province_admin(actor)


def _kind_parse(value: str) -> str | None:
    value = (value or "").strip()
    if value in Agency.Kind.values:
        return value
    key = search_key(value)
    for choice_value, label in Agency.Kind.choices:
        if key and key == search_key(str(label)):
            return choice_value
    return None


def _commune_find(value: str) -> Commune | None:
    value = (value or "").strip()
    if value.isdigit():
        return Commune.objects.filter(province_id=settings.PROVINCE_CODE, code=value.zfill(5)).first()
    return None


def _check_common(*, code: str, name: str, short_name: str, kind: str, commune_code: str) -> tuple[dict[str, str], Any, Any]:
    """Field errors {field: message}, the parsed kind and the commune (or None)."""
    errors: dict[str, str] = {}
    problem = agency_code_problem(code)
    if problem:
        errors["code"] = problem
    if not name.strip():
        errors["name"] = _("Tên cơ quan không được để trống.")
    elif len(name.strip()) > 255:
        errors["name"] = _("Tên cơ quan dài quá 255 ký tự.")
    if len(short_name.strip()) > 60:
        errors["short_name"] = _("Tên viết tắt dài quá 60 ký tự.")
    parsed_kind = _kind_parse(kind)
    if parsed_kind is None:
        errors["kind"] = _("Loại cơ quan “%(kind)s” không hợp lệ. Chọn một trong: %(choices)s.") % {
            "kind": kind,
            "choices": ", ".join(Agency.Kind.values),
        }
    commune = None
    if commune_code.strip():
        commune = _commune_find(commune_code)
        if commune is None:
            errors["commune_code"] = _("Không có xã, phường mã “%(code)s” trong tỉnh.") % {"code": commune_code}
    return errors, parsed_kind, commune


def _parent_check(*, code: str, parent_code: str, agency: Agency | None) -> tuple[str | None, Agency | None]:
    if not parent_code:
        return None, None
    parent = Agency.objects.filter(code=parent_code, province_id=settings.PROVINCE_CODE).first()
    if parent is None:
        return _("Không có cơ quan cấp trên mã “%(code)s”.") % {"code": parent_code}, None
    if agency_code_problem(code) is None:
        problem = agency_code_parent_problem(code, parent_code)
        if problem:
            return problem, None
    if agency is not None:
        node = parent
        while node is not None:
            if node.pk == agency.pk:
                return _("Cơ quan không thể là cấp trên của chính nó hoặc của cơ quan cấp trên nó."), None
            node = node.parent
    return None, parent


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({field: [msg] for field, msg in errors.items()})


def agency_create(
    *, actor, code: str, name: str, kind: str, short_name: str = "", parent_code: str = "", commune_code: str = ""
) -> Agency:
    """Create an agency of the installation's province. Raises ValidationError naming each bad field."""
    _authorise(actor)
    code, parent_code = agency_code_normalize(code), agency_code_normalize(parent_code)
    with transaction.atomic():
        errors, parsed_kind, commune = _check_common(
            code=code, name=name, short_name=short_name, kind=kind, commune_code=commune_code
        )
        if "code" not in errors and Agency.objects.filter(code=code).exists():
            errors["code"] = _("Đã có cơ quan mang mã định danh “%(code)s”.") % {"code": code}
        problem, parent = _parent_check(code=code, parent_code=parent_code, agency=None)
        if problem:
            errors["parent_code"] = problem
        _raise(errors)
        agency = Agency.objects.create(
            code=code, name=name.strip(), short_name=short_name.strip(), kind=parsed_kind, parent=parent,
            province_id=settings.PROVINCE_CODE, commune=commune,
        )
        event_record(actor=actor, name="places.agency_created", subject=agency, data={"code": code, "name": agency.name})
    return agency


def agency_update(
    *, actor, agency_code: str, name: str, kind: str, short_name: str = "", parent_code: str = "", commune_code: str = ""
) -> Agency:
    """Change an agency's name, kind, parent or commune (the identifier code itself does not change)."""
    _authorise(actor)
    parent_code = agency_code_normalize(parent_code)
    with transaction.atomic():
        agency = Agency.objects.select_for_update().filter(
            code=agency_code_normalize(agency_code), province_id=settings.PROVINCE_CODE
        ).first()
        if agency is None:
            raise ValidationError({"code": _("Không có cơ quan mã “%(code)s”.") % {"code": agency_code}})
        errors, parsed_kind, commune = _check_common(
            code=agency.code, name=name, short_name=short_name, kind=kind, commune_code=commune_code
        )
        problem, parent = _parent_check(code=agency.code, parent_code=parent_code, agency=agency)
        if problem:
            errors["parent_code"] = problem
        _raise(errors)
        before = {"name": agency.name, "kind": agency.kind, "parent": agency.parent.code if agency.parent else "",
                  "commune": agency.commune_id or "", "short_name": agency.short_name}
        agency.name, agency.short_name, agency.kind = name.strip(), short_name.strip(), parsed_kind
        agency.parent, agency.commune = parent, commune
        agency.save()
        after = {"name": agency.name, "kind": agency.kind, "parent": parent.code if parent else "",
                 "commune": agency.commune_id or "", "short_name": agency.short_name}
        event_record(actor=actor, name="places.agency_updated", subject=agency,
                     data={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return agency


def agency_deactivate(*, actor, agency_code: str) -> Agency:
    """Mark an agency as no longer operating. Refused while it still has operating sub-units."""
    _authorise(actor)
    with transaction.atomic():
        agency = Agency.objects.select_for_update().filter(
            code=agency_code_normalize(agency_code), province_id=settings.PROVINCE_CODE
        ).first()
        if agency is None:
            raise ValidationError({"code": _("Không có cơ quan mã “%(code)s”.") % {"code": agency_code}})
        if not agency.active:
            raise ValidationError({"code": _("Cơ quan “%(name)s” đã ngừng hoạt động.") % {"name": agency.name}})
        active_children = agency.children.filter(active=True).count()
        if active_children:
            raise ValidationError({"code": _(
                "Cơ quan “%(name)s” còn %(n)s đơn vị trực thuộc đang hoạt động: hãy cho các đơn vị đó ngừng hoạt động "
                "hoặc chuyển sang cơ quan khác trước."
            ) % {"name": agency.name, "n": active_children}})
        agency.active = False
        agency.save(update_fields=["active"])
        event_record(actor=actor, name="places.agency_deactivated", subject=agency, data={"code": agency.code})
    return agency


_COLUMN_OF_FIELD = {"code": "ma_dinh_danh", "name": "ten_co_quan", "short_name": "ten_viet_tat", "kind": "loai",
                    "commune_code": "ma_xa_phuong", "parent_code": "ma_co_quan_cap_tren", "active": "dang_hoat_dong"}
_TRUE = {"", "1", "co", "x", "true", "yes", "dang hoat dong"}
_FALSE = {"0", "khong", "false", "no", "ngung hoat dong"}


def _validate_rows(rows: list[tuple[int, dict[str, str]]]) -> tuple[list[RowError], list[dict[str, Any]]]:
    errors: list[RowError] = []
    planned: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        code = agency_code_normalize(row["ma_dinh_danh"])
        parent_code = agency_code_normalize(row["ma_co_quan_cap_tren"])
        field_errors, kind, commune = _check_common(
            code=code, name=row["ten_co_quan"], short_name=row["ten_viet_tat"], kind=row["loai"],
            commune_code=row["ma_xa_phuong"],
        )
        if "code" not in field_errors:
            if code in seen:
                field_errors["code"] = _("Mã “%(code)s” đã có ở dòng %(row)s.") % {"code": code, "row": seen[code]}
            elif Agency.objects.filter(code=code).exclude(province_id=settings.PROVINCE_CODE).exists():
                field_errors["code"] = _("Mã “%(code)s” đã thuộc một tỉnh khác.") % {"code": code}
            seen.setdefault(code, number)
        active_key = search_key(row["dang_hoat_dong"])
        if active_key not in _TRUE | _FALSE:
            field_errors["active"] = _("Giá trị “%(v)s” không hợp lệ: ghi 1 (đang hoạt động) hoặc 0 (ngừng hoạt động).") % {
                "v": row["dang_hoat_dong"]}
        if parent_code:
            problem = agency_code_problem(parent_code)
            if problem:
                field_errors["parent_code"] = problem
            elif parent_code == code:
                field_errors["parent_code"] = _("Cơ quan không thể là cấp trên của chính nó.")
            elif "code" not in field_errors and agency_code_parent_problem(code, parent_code):
                field_errors["parent_code"] = agency_code_parent_problem(code, parent_code)
        for field, message in field_errors.items():
            errors.append(RowError(number, _COLUMN_OF_FIELD[field], message))
        planned.append({"row": number, "code": code, "name": row["ten_co_quan"].strip(),
                        "short_name": row["ten_viet_tat"].strip(), "kind": kind, "commune": commune,
                        "parent_code": parent_code, "active": active_key not in _FALSE})
    # Parents: in the file or already in the province; and no cycles once the file is applied.
    in_file = {p["code"]: p for p in planned}
    existing = dict(Agency.objects.filter(province_id=settings.PROVINCE_CODE).values_list("code", "parent__code"))
    parent_of = {code: parent for code, parent in existing.items()}
    parent_of.update({p["code"]: p["parent_code"] or None for p in planned})
    for p in planned:
        pc = p["parent_code"]
        if not pc or any(e.row == p["row"] and e.column == "ma_co_quan_cap_tren" for e in errors):
            continue
        if pc not in in_file and pc not in existing:
            errors.append(RowError(p["row"], "ma_co_quan_cap_tren",
                                   _("Không có cơ quan cấp trên mã “%(code)s” trong tệp hay trong hệ thống.") % {"code": pc}))
            continue
        node, steps = pc, 0
        while node and steps <= len(parent_of):
            if node == p["code"]:
                errors.append(RowError(p["row"], "ma_co_quan_cap_tren",
                                       _("Quan hệ cấp trên tạo thành vòng lặp qua mã “%(code)s”.") % {"code": pc}))
                break
            node, steps = parent_of.get(node), steps + 1
    errors.sort(key=lambda e: (e.row, list(_COLUMN_OF_FIELD.values()).index(e.column)))
    return errors, planned


def _import_rows(*, actor, rows: list[tuple[int, dict[str, str]]], source: str) -> ImportResult:
    with transaction.atomic():
        errors, planned = _validate_rows(rows)
        if errors:
            raise AgencyImportError(errors)
        existing = {a.code: a for a in Agency.objects.select_for_update().filter(code__in=[p["code"] for p in planned])}
        created = updated = unchanged = 0
        by_code: dict[str, Agency] = {}
        for p in planned:
            agency = existing.get(p["code"])
            values = {"name": p["name"], "short_name": p["short_name"], "kind": p["kind"], "commune": p["commune"],
                      "active": p["active"]}
            if agency is None:
                agency = Agency.objects.create(code=p["code"], province_id=settings.PROVINCE_CODE, **values)
                created += 1
                agency._tinhso_changed = True
            else:
                changed = any(getattr(agency, k) != v for k, v in values.items())
                for k, v in values.items():
                    setattr(agency, k, v)
                if changed:
                    agency.save()
                agency._tinhso_changed = changed
            by_code[p["code"]] = agency
        parents = {a.code: a for a in Agency.objects.filter(
            code__in=[p["parent_code"] for p in planned if p["parent_code"]], province_id=settings.PROVINCE_CODE)}
        parents.update(by_code)
        for p in planned:
            agency = by_code[p["code"]]
            parent = parents.get(p["parent_code"]) if p["parent_code"] else None
            if agency.parent_id != (parent.pk if parent else None):
                agency.parent = parent
                agency.save(update_fields=["parent"])
                agency._tinhso_changed = True
            if agency.pk in {a.pk for a in existing.values()}:
                if agency._tinhso_changed:
                    updated += 1
                else:
                    unchanged += 1
        result = ImportResult(created=created, updated=updated, unchanged=unchanged)
        event_record(actor=actor, name="places.agencies_imported", subject_type="places.agency", subject_id="*",
                     data={"source": source, "rows": len(planned), "created": created, "updated": updated,
                           "unchanged": unchanged})
    return result


def agencies_import(*, actor, file, filename: str) -> ImportResult:
    """Import agencies from a CSV (UTF-8) or Excel (.xlsx) file: all rows or none.

    Columns (first row): ma_dinh_danh, ten_co_quan, ten_viet_tat, loai, ma_co_quan_cap_tren, ma_xa_phuong,
    dang_hoat_dong. Agencies are matched by code: existing ones are updated, new ones created; agencies
    absent from the file are left as they are. Importing the same file twice gives the same state.
    Raises ValidationError({"file": ...}) for an unreadable file and AgencyImportError (with
    `row_errors`) when any row is wrong; then nothing is written.
    """
    _authorise(actor)
    rows = agency_rows_read(file=file, filename=filename)
    return _import_rows(actor=actor, rows=rows, source=Path(filename).name[:200])


def demo_agencies_load(*, actor=None) -> ImportResult:
    """Import the demo agency list of Thái Nguyên shipped in data/thai-nguyen-agencies.csv."""
    with DEMO_AGENCIES_FILE.open("rb") as fh:
        return agencies_import(actor=actor, file=fh, filename=DEMO_AGENCIES_FILE.name)

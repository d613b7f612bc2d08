"""The catalog's exchange format: procedures as plain dicts, to and from JSON and Excel, and their
validation into unsaved model instances. No writes here: `services` writes."""
from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field as dc_field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tinhso.places.models import Agency

from .models import Component, Fee, Field, FormField, Procedure, Step, StepKind
from .text import search_key

FORMAT_VERSION = 1

PROCEDURE_COLUMNS = [
    "code", "name", "field_code", "field_name", "level", "agency_kind", "agency_code", "agency_match",
    "online_level", "legal_basis", "subjects", "result_name", "result_paper", "time_kind", "time_amount",
    "time_cutoff", "time_note", "fee_note", "source_url", "source_document", "verified", "verification_note",
    "published",
]
COMPONENT_COLUMNS = ["key", "name", "count_original", "count_certified", "count_copy", "mandatory", "file_types", "note"]
FEE_COLUMNS = ["description", "amount"]
FORM_COLUMNS = ["key", "label", "type", "required", "regex", "regex_message", "min_value", "max_value", "max_length",
                "choices", "help_text"]
STEP_COLUMNS = ["kind", "role", "share_percent", "forward_agency_kind"]
CHILDREN = [("components", COMPONENT_COLUMNS, Component), ("fees", FEE_COLUMNS, Fee),
            ("form_fields", FORM_COLUMNS, FormField), ("steps", STEP_COLUMNS, Step)]
SHEETS = ["procedures", "components", "fees", "form_fields", "steps"]


# ---------------------------------------------------------------- export

def _number_out(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def procedure_to_dict(p: Procedure) -> dict[str, Any]:
    return {
        "code": p.code, "name": p.name, "field_code": p.field.code, "field_name": p.field.name,
        "level": p.level, "agency_kind": p.agency_kind, "agency_code": p.agency.code if p.agency_id else "",
        "agency_match": p.agency_match, "online_level": p.online_level, "legal_basis": p.legal_basis,
        "subjects": p.subjects, "result_name": p.result_name, "result_paper": p.result_paper,
        "time_kind": p.time_kind, "time_amount": p.time_amount,
        "time_cutoff": p.time_cutoff.strftime("%H:%M") if p.time_cutoff else "", "time_note": p.time_note,
        "fee_note": p.fee_note, "source_url": p.source_url, "source_document": p.source_document,
        "verified": p.verified, "verification_note": p.verification_note, "published": p.published,
        "components": [
            {"key": c.key, "name": c.name, "count_original": c.count_original, "count_certified": c.count_certified,
             "count_copy": c.count_copy, "mandatory": c.mandatory, "file_types": c.file_types, "note": c.note}
            for c in p.components.all()
        ],
        "fees": [{"description": f.description, "amount": f.amount} for f in p.fees.all()],
        "form_fields": [
            {"key": f.key, "label": f.label, "type": f.type, "required": f.required, "regex": f.regex,
             "regex_message": f.regex_message, "min_value": _number_out(f.min_value),
             "max_value": _number_out(f.max_value), "max_length": f.max_length, "choices": f.choices,
             "help_text": f.help_text}
            for f in p.form_fields.all()
        ],
        "steps": [
            {"kind": s.kind, "role": s.role, "share_percent": s.share_percent,
             "forward_agency_kind": s.forward_agency_kind}
            for s in p.steps.all()
        ],
    }


def export_dict(procedures) -> dict[str, Any]:
    procedures = procedures.select_related("field", "agency").prefetch_related("components", "fees", "form_fields", "steps")
    return {"format": "tinhso.catalog", "version": FORMAT_VERSION, "procedures": [procedure_to_dict(p) for p in procedures]}


def export_json(procedures) -> bytes:
    return json.dumps(export_dict(procedures), ensure_ascii=False, indent=1).encode("utf-8")


def _cell_out(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def export_xlsx(procedures) -> bytes:
    from openpyxl import Workbook

    data = export_dict(procedures)["procedures"]
    wb = Workbook()
    ws = wb.active
    ws.title = "procedures"
    ws.append(PROCEDURE_COLUMNS)
    for p in data:
        ws.append([_cell_out(p[c]) for c in PROCEDURE_COLUMNS])
    for sheet, columns, _model in CHILDREN:
        ws = wb.create_sheet(sheet)
        ws.append(["procedure_code", *columns])
        for p in data:
            for row in p[sheet]:
                ws.append([p["code"], *[_cell_out(row[c]) for c in columns]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- parse

def parse_json(raw: bytes | str | dict) -> list[dict]:
    if isinstance(raw, dict):
        data = raw
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError(_("Tệp JSON không đọc được: %(e)s") % {"e": exc}) from exc
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        raise ValidationError(_("Tệp JSON phải là một đối tượng có danh sách “procedures”."))
    out = []
    for i, p in enumerate(data["procedures"]):
        if not isinstance(p, dict):
            raise ValidationError(_("procedures[%(i)s] phải là một đối tượng.") % {"i": i})
        p = dict(p)
        p["_where"] = f"procedures[{i}]"
        for sheet, _c, _m in CHILDREN:
            rows = p.get(sheet) or []
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise ValidationError(_("%(w)s.%(s)s phải là danh sách các đối tượng.") % {"w": p["_where"], "s": sheet})
            p[sheet] = [dict(r, _where=f"{p['_where']}.{sheet}[{j}]") for j, r in enumerate(rows)]
        out.append(p)
    return out


def _cell_in(value):
    if isinstance(value, str):
        return value
    return value


def parse_xlsx(raw: bytes) -> list[dict]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise ValidationError(_("Tệp Excel không đọc được: %(e)s") % {"e": exc}) from exc
    missing = [s for s in SHEETS if s not in wb.sheetnames]
    if missing:
        raise ValidationError(_("Tệp Excel thiếu trang: %(s)s.") % {"s": ", ".join(missing)})

    def rows_of(sheet):
        it = wb[sheet].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(it, [])]
        for n, values in enumerate(it, start=2):
            if values is None or all(v is None or v == "" for v in values):
                continue
            yield n, {h: values[k] if k < len(values) else None for k, h in enumerate(header) if h}

    procedures, by_code = [], {}
    for n, row in rows_of("procedures"):
        p = {k: ("" if v is None and k not in ("time_amount",) else v) for k, v in row.items()}
        p["code"] = str(p.get("code") or "").strip()
        p["_where"] = _("trang procedures, dòng %(n)s") % {"n": n}
        for sheet, _c, _m in CHILDREN:
            p[sheet] = []
        procedures.append(p)
        by_code.setdefault(p["code"], p)
    errors = []
    for sheet, columns, _m in CHILDREN:
        for n, row in rows_of(sheet):
            code = str(row.pop("procedure_code", "") or "").strip()
            where = _("trang %(s)s, dòng %(n)s") % {"s": sheet, "n": n}
            if code not in by_code:
                errors.append(_("Thủ tục %(c)s, %(w)s, trường “procedure_code”: không có thủ tục này ở trang procedures.")
                              % {"c": code or "?", "w": where})
                continue
            if sheet == "form_fields" and isinstance(row.get("choices"), str) and row["choices"].strip():
                try:
                    row["choices"] = json.loads(row["choices"])
                except ValueError:
                    errors.append(_("Thủ tục %(c)s, %(w)s, trường “choices”: phải là danh sách JSON, ví dụ "
                                    "[{\"value\": \"nam\", \"label\": \"Nam\"}].") % {"c": code, "w": where})
                    continue
            row = {k: v for k, v in row.items() if v is not None}
            row["_where"] = where
            by_code[code][sheet].append(row)
    if errors:
        procedures[:0] = [{"_parse_errors": errors}]
    return procedures


# ---------------------------------------------------------------- validate

def _bool(value, default=False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    return str(value).strip().lower() in ("1", "true", "yes", "x", "có", "co", "đúng")


def _str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Bad(Exception):
    def __init__(self, field, message):
        self.field, self.message = field, message


def _int(value, name, default=0):
    if value is None or value == "":
        return default
    try:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        return int(str(value).strip().split(".")[0]) if isinstance(value, str) and value.strip().endswith(".0") else int(value)
    except (TypeError, ValueError):
        raise _Bad(name, _("phải là số nguyên.")) from None


def _decimal(value, name):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise _Bad(name, _("phải là một số.")) from None


def _time(value, name):
    if value is None or value == "":
        return None
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    try:
        return dt.datetime.strptime(str(value).strip()[:5], "%H:%M").time()
    except ValueError:
        raise _Bad(name, _("phải là giờ dạng HH:MM, ví dụ 15:00.")) from None


def match_agency(kind: str, agency_code: str, agency_match: str) -> Agency | None:
    """The installation's agency for a province-level procedure: by code, else by name or code, same kind."""
    qs = Agency.objects.filter(kind=kind)
    if agency_code:
        found = qs.filter(code=agency_code).first()
        if found:
            return found
    if not agency_match:
        return None
    found = qs.filter(code=agency_match).first()
    if found:
        return found
    wanted = search_key(agency_match)
    candidates = list(qs.only("pk", "name", "kind", "code"))
    for a in candidates:
        if search_key(a.name) == wanted:
            return a
    for a in candidates:
        if search_key(a.name).startswith(wanted + " "):
            return a
    return None


@dataclass
class Prepared:
    """A validated procedure, ready to be written."""

    field_code: str
    field_name: str
    procedure: Procedure
    components: list[Component] = dc_field(default_factory=list)
    fees: list[Fee] = dc_field(default_factory=list)
    form_fields: list[FormField] = dc_field(default_factory=list)
    steps: list[Step] = dc_field(default_factory=list)


def _collect(errors: list, code: str, where: str, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for fname, msgs in exc.message_dict.items():
            for m in msgs:
                errors.append(_("Thủ tục %(c)s, %(w)s, trường “%(f)s”: %(m)s") % {"c": code, "w": where, "f": fname, "m": m})
    else:
        for m in exc.messages:
            errors.append(_("Thủ tục %(c)s, %(w)s: %(m)s") % {"c": code, "w": where, "m": m})


def build_procedure(p: Procedure, d: dict) -> None:
    """Set a procedure's own attributes from an exchange dict (raises _Bad for a malformed value)."""
    for name in ("name", "level", "agency_kind", "agency_match", "online_level", "legal_basis", "subjects",
                 "result_name", "time_kind", "time_note", "fee_note", "source_url", "source_document",
                 "verification_note"):
        if name in d:
            setattr(p, name, _str(d.get(name)))
    p.result_paper = _bool(d.get("result_paper"), True)
    p.verified = _bool(d.get("verified"), True)
    p.published = _bool(d.get("published"), False)
    p.time_amount = _int(d.get("time_amount"), "time_amount")
    p.time_cutoff = _time(d.get("time_cutoff"), "time_cutoff")
    p.agency = None
    if p.level == "province" and p.agency_kind:
        p.agency = match_agency(p.agency_kind, _str(d.get("agency_code")), p.agency_match)


def build_children(procedure: Procedure, d: dict, code: str, errors: list) -> dict[str, list]:
    """Unsaved, validated child rows of one procedure; problems go to `errors` with their place."""
    out: dict[str, list] = {"components": [], "fees": [], "form_fields": [], "steps": []}
    for sheet, columns, model in CHILDREN:
        seen_keys: set[str] = set()
        for pos, row in enumerate(d.get(sheet) or [], start=1):
            where = row.get("_where") or f"{sheet}[{pos - 1}]"
            try:
                if model is Component:
                    obj = Component(
                        position=pos, key=_str(row.get("key")), name=_str(row.get("name")),
                        count_original=_int(row.get("count_original"), "count_original"),
                        count_certified=_int(row.get("count_certified"), "count_certified"),
                        count_copy=_int(row.get("count_copy"), "count_copy"),
                        mandatory=_bool(row.get("mandatory"), True),
                        file_types=_str(row.get("file_types")) or "pdf,jpg,png", note=_str(row.get("note")))
                elif model is Fee:
                    obj = Fee(position=pos, description=_str(row.get("description")),
                              amount=_int(row.get("amount"), "amount", None))
                elif model is FormField:
                    choices = row.get("choices") or []
                    if not isinstance(choices, list):
                        raise _Bad("choices", _("phải là danh sách các lựa chọn {value, label}."))
                    obj = FormField(
                        position=pos, key=_str(row.get("key")), label=_str(row.get("label")), type=_str(row.get("type")),
                        required=_bool(row.get("required")), regex=_str(row.get("regex")),
                        regex_message=_str(row.get("regex_message")),
                        min_value=_decimal(row.get("min_value"), "min_value"),
                        max_value=_decimal(row.get("max_value"), "max_value"),
                        max_length=_int(row.get("max_length"), "max_length", None),
                        choices=[{"value": _str(c.get("value")), "label": _str(c.get("label"))} if isinstance(c, dict) else c
                                 for c in choices],
                        help_text=_str(row.get("help_text")))
                else:
                    obj = Step(position=pos, kind=_str(row.get("kind")), role=_str(row.get("role")),
                               share_percent=_int(row.get("share_percent"), "share_percent", None),
                               forward_agency_kind=_str(row.get("forward_agency_kind")))
            except _Bad as bad:
                errors.append(_("Thủ tục %(c)s, %(w)s, trường “%(f)s”: %(m)s") % {"c": code, "w": where, "f": bad.field, "m": bad.message})
                continue
            obj.procedure = procedure
            try:
                obj.full_clean(exclude=["procedure"], validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                _collect(errors, code, where, exc)
                continue
            key = getattr(obj, "key", None)
            if key is not None:
                if key in seen_keys:
                    errors.append(_("Thủ tục %(c)s, %(w)s, trường “key”: mã khóa “%(k)s” bị trùng trong thủ tục.")
                                  % {"c": code, "w": where, "k": key})
                seen_keys.add(key)
            out[sheet].append(obj)
    steps = out["steps"]
    if steps or d.get("steps"):
        total = sum(s.share_percent or 0 for s in steps)
        if total != 100:
            errors.append(_("Thủ tục %(c)s, %(w)s, trường “share_percent”: tổng tỷ lệ thời hạn của các bước phải bằng "
                            "100%%, hiện là %(t)s%%.") % {"c": code, "w": (d.get("_where") or "") + " steps", "t": total})
    return out


def prepare(rows: list[dict]) -> list[Prepared]:
    """Validate every procedure; raise one ValidationError listing every problem, or return them ready."""
    errors: list[str] = []
    prepared: list[Prepared] = []
    seen: set[str] = set()
    existing = {p.code: p.pk for p in Procedure.objects.only("pk", "code")}
    if rows and "_parse_errors" in rows[0]:
        errors.extend(rows[0]["_parse_errors"])
        rows = rows[1:]
    for d in rows:
        code = _str(d.get("code")) or "?"
        where = d.get("_where") or ""
        if code in seen:
            errors.append(_("Thủ tục %(c)s, %(w)s, trường “code”: mã thủ tục bị trùng trong tệp.") % {"c": code, "w": where})
            continue
        seen.add(code)
        field_code, field_name = _str(d.get("field_code")), _str(d.get("field_name"))
        if not field_code or not field_name:
            errors.append(_("Thủ tục %(c)s, %(w)s, trường “field_code”: cần mã và tên lĩnh vực.") % {"c": code, "w": where})
        else:
            try:
                Field(code=field_code, name=field_name).full_clean(validate_unique=False)
            except ValidationError as exc:
                _collect(errors, code, where, exc)
        p = Procedure(code=code, pk=existing.get(code))
        p._state.adding = p.pk is None
        try:
            build_procedure(p, d)
        except _Bad as bad:
            errors.append(_("Thủ tục %(c)s, %(w)s, trường “%(f)s”: %(m)s") % {"c": code, "w": where, "f": bad.field, "m": bad.message})
            continue
        try:
            p.full_clean(exclude=["field"])
        except ValidationError as exc:
            _collect(errors, code, where, exc)
        children = build_children(p, d, code, errors)
        prepared.append(Prepared(field_code=field_code, field_name=field_name, procedure=p, **children))
    if errors:
        raise ValidationError(errors)
    return prepared


def step_share_check(steps: list[Step]) -> None:
    total = sum(s.share_percent or 0 for s in steps)
    if steps and total != 100:
        raise ValidationError({"share_percent": _("Tổng tỷ lệ thời hạn của các bước phải bằng 100%%, hiện là %(t)s%%.")
                               % {"t": total}})
    for s in steps:
        if s.kind == StepKind.FORWARD and not s.forward_agency_kind:
            raise ValidationError({"forward_agency_kind": _("Bước chuyển cơ quan khác cần chọn loại cơ quan nhận chuyển.")})

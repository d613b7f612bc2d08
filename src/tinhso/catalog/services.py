"""The only write path of the catalog. Every function checks the actor, runs in one transaction and
records a domain event in that same transaction. Bad input raises ValidationError and changes nothing."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.events.services import event_record

from . import access, exchange
from .models import Component, Fee, Field, FormField, Procedure, Step
from .selectors import procedure_cache_clear

DEMO_FILE = Path(__file__).parent / "data" / "procedures.json"

BASIC_FIELDS = ["name", "field", "level", "agency_kind", "agency", "agency_match", "online_level", "legal_basis",
                "subjects", "result_name", "result_paper", "time_kind", "time_amount", "time_cutoff", "time_note",
                "fee_note", "source_url", "source_document", "verified", "verification_note"]


def _check_agency_admin_scope(actor, procedure: Procedure) -> None:
    """An agency administrator may only keep procedures on their own agency."""
    if access.is_catalog_admin(actor):
        return
    if procedure.agency_id is None or procedure.agency_id != access.admin_agency_id(actor):
        raise PermissionDenied(_("Quản trị cơ quan chỉ quản lý thủ tục do chính cơ quan mình thực hiện."))


def procedure_create(*, actor, data: dict[str, Any]) -> Procedure:
    """Create an (unpublished) procedure from its basic fields: code plus BASIC_FIELDS."""
    access.require_manage_catalog(actor)
    procedure = Procedure(code=str(data.get("code", "")).strip(), published=False)
    for name in BASIC_FIELDS:
        if name in data:
            setattr(procedure, name, data[name])
    procedure.full_clean()
    _check_agency_admin_scope(actor, procedure)
    with transaction.atomic():
        procedure.save()
        event_record(actor=actor, name="catalog.procedure_created", subject=procedure, data={"code": procedure.code})
    return procedure


def procedure_update(*, actor, procedure: Procedure, data: dict[str, Any]) -> Procedure:
    """Change a procedure's basic fields and time limit (any of BASIC_FIELDS)."""
    access.require_edit(actor, procedure)
    with transaction.atomic():
        locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
        changed = {}
        for name in BASIC_FIELDS:
            if name in data and getattr(locked, name) != data[name]:
                changed[name] = str(data[name])
                setattr(locked, name, data[name])
        locked.full_clean()
        _check_agency_admin_scope(actor, locked)
        locked.save()
        event_record(actor=actor, name="catalog.procedure_updated", subject=locked, data={"changed": changed})
    return locked


def procedure_publish(*, actor, procedure: Procedure, published: bool) -> Procedure:
    """Publish (citizens see it and may apply) or withdraw a procedure."""
    access.require_edit(actor, procedure)
    with transaction.atomic():
        locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if published:
            if not locked.steps.exists():
                raise ValidationError({"steps": _("Chưa thể công bố: thủ tục cần có quy trình xử lý nội bộ.")})
        locked.published = published
        locked.save(update_fields=["published", "updated_at", "search_key"])
        event_record(actor=actor, name="catalog.procedure_published" if published else "catalog.procedure_unpublished",
                     subject=locked, data={"code": locked.code})
    return locked


def _children_set(*, actor, procedure: Procedure, sheet: str, rows: list[dict], event: str) -> list:
    access.require_edit(actor, procedure)
    errors: list[str] = []
    rows = [dict(r, _where=_("dòng %(n)s") % {"n": i + 1}) for i, r in enumerate(rows)]
    payload = {sheet: rows, "_where": ""}
    built = exchange.build_children(procedure, payload, procedure.code, errors)[sheet]
    if errors:
        raise ValidationError(errors)
    model = {"components": Component, "fees": Fee, "form_fields": FormField, "steps": Step}[sheet]
    with transaction.atomic():
        Procedure.objects.select_for_update().get(pk=procedure.pk)
        model.objects.filter(procedure=procedure).delete()
        model.objects.bulk_create(built)
        Procedure.objects.filter(pk=procedure.pk).update(updated_at=timezone.now())
        event_record(actor=actor, name=event, subject=procedure, data={"count": len(built)})
        transaction.on_commit(procedure_cache_clear)  # bulk_create sends no signal
    procedure_cache_clear()
    return built


def procedure_set_fees(*, actor, procedure: Procedure, fees: list[dict]) -> list[Fee]:
    """Replace the fee items: [{"description", "amount" (VND, 0 allowed)}]."""
    return _children_set(actor=actor, procedure=procedure, sheet="fees", rows=fees, event="catalog.fees_set")


def procedure_set_components(*, actor, procedure: Procedure, components: list[dict]) -> list[Component]:
    """Replace the required components: [{"key", "name", "count_original", "count_certified", "count_copy",
    "mandatory", "file_types", "note"}]."""
    return _children_set(actor=actor, procedure=procedure, sheet="components", rows=components,
                         event="catalog.components_set")


def procedure_set_form_fields(*, actor, procedure: Procedure, form_fields: list[dict]) -> list[FormField]:
    """Replace the application form: [{"key", "label", "type", "required", "regex", "regex_message",
    "min_value", "max_value", "max_length", "choices": [{"value", "label"}], "help_text"}]."""
    return _children_set(actor=actor, procedure=procedure, sheet="form_fields", rows=form_fields,
                         event="catalog.form_set")


def procedure_set_steps(*, actor, procedure: Procedure, steps: list[dict]) -> list[Step]:
    """Replace the workflow: [{"kind", "role", "share_percent", "forward_agency_kind"}]; shares sum to 100."""
    if not steps:
        raise ValidationError({"steps": _("Quy trình cần ít nhất một bước.")})
    return _children_set(actor=actor, procedure=procedure, sheet="steps", rows=steps, event="catalog.steps_set")


def catalog_import(*, actor, data: bytes | str | dict | None = None, file=None, fmt: str = "json") -> dict[str, Any]:
    """Create or replace procedures (matched by code) from JSON or Excel. All or nothing: any problem raises one
    ValidationError listing every problem with the procedure code, sheet/row and field; nothing is written.
    `actor=None` means the system itself (set-up commands); a user must be a province administrator."""
    if actor is not None:
        access.require_catalog_admin(actor)
    if file is not None:
        data = file.read()
    if data is None:
        raise ValidationError(_("Chưa có tệp để nhập."))
    if fmt == "json":
        rows = exchange.parse_json(data)
    elif fmt == "xlsx":
        if isinstance(data, str):
            raise ValidationError(_("Tệp Excel phải là dữ liệu nhị phân (.xlsx)."))
        rows = exchange.parse_xlsx(data)
    else:
        raise ValidationError({"fmt": _("Định dạng phải là json hoặc xlsx.")})
    prepared = exchange.prepare(rows)
    created, updated = [], []
    with transaction.atomic():
        for item in prepared:
            field, _c = Field.objects.get_or_create(code=item.field_code, defaults={"name": item.field_name})
            if field.name != item.field_name:
                field.name = item.field_name
                field.save(update_fields=["name"])
            p = item.procedure
            p.field = field
            (updated if p.pk else created).append(p.code)
            p.save()
            for model, objs in ((Component, item.components), (Fee, item.fees), (FormField, item.form_fields),
                                (Step, item.steps)):
                model.objects.filter(procedure=p).delete()
                for o in objs:
                    o.procedure = p
                model.objects.bulk_create(objs)
        summary = {"created": created, "updated": updated, "format": fmt}
        event_record(actor=actor, name="catalog.imported", subject_type="catalog.procedure", subject_id="*",
                     data=summary)
        transaction.on_commit(procedure_cache_clear)  # bulk_create sends no signal
    procedure_cache_clear()
    return summary


def demo_catalog_load(*, actor=None) -> dict[str, Any]:
    """Load the shipped catalog of real procedures (idempotent: procedures are matched by code and replaced).
    Province-level procedures are attached to the installation's agency of the right kind and name when one
    exists; with no agencies yet they stay unattached and are matched on the next load."""
    return catalog_import(actor=actor, data=DEMO_FILE.read_bytes(), fmt="json")

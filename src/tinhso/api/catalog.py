"""Catalog API: search and read published procedures, validate an application form."""
from __future__ import annotations

from typing import Any

from ninja import Router, Schema
from ninja.pagination import paginate

from tinhso.api.errors import ErrorOut
from tinhso.api.pagination import BoundedPageNumberPagination
from tinhso.catalog import selectors
from tinhso.catalog.exchange import procedure_to_dict

router = Router(tags=["catalog"])


class FieldOut(Schema):
    code: str
    name: str


class ProcedureSummary(Schema):
    code: str
    name: str
    field: FieldOut
    level: str
    agency_kind: str
    agency_code: str | None
    online_level: str
    time_kind: str
    time_amount: int
    time_limit_words: str

    @staticmethod
    def resolve_agency_code(obj):
        return obj.agency.code if obj.agency_id else None


class ValidateIn(Schema):
    data: dict[str, Any]


class ValidateOut(Schema):
    valid: bool
    cleaned: dict[str, Any]
    errors: dict[str, list[str]]


@router.get("/procedures", response=list[ProcedureSummary])
@paginate(BoundedPageNumberPagination, page_size=20)
def procedures(request, q: str = "", field: str = "", level: str = "", agency: str = ""):
    """Published procedures; `q` matches every word without regard to diacritics."""
    return selectors.procedures_search(q=q, field=field, level=level, agency=agency)


@router.get("/procedures/{code}", response={200: dict[str, Any], 404: ErrorOut})
def procedure(request, code: str):
    """Everything about a published procedure: time limit, fees, components, form fields, workflow steps."""
    p = selectors.procedure_public(code=code)
    out = procedure_to_dict(p)
    out.pop("published", None)
    out["time_limit_words"] = p.time_limit_words
    out["agency_name"] = p.agency.name if p.agency_id else ""
    return out


@router.get("/fields", response=list[FieldOut])
def fields(request):
    return list(selectors.fields_list())


@router.post("/procedures/{code}/validate-form", response={200: ValidateOut, 404: ErrorOut})
def validate_form(request, code: str, payload: ValidateIn):
    """Check an application against the procedure's form; errors are keyed by form field."""
    p = selectors.procedure_public(code=code)
    cleaned, errors = selectors.form_validate(procedure=p, data=payload.data)
    return {"valid": not errors, "cleaned": cleaned, "errors": errors}

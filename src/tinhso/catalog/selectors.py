"""Reads of the catalog. Citizens and anonymous users see published procedures; catalog administrators see
the procedures they may edit (all of them for the province administrator)."""
from __future__ import annotations

import time

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from . import access, exchange
from .forms import form_class_for, json_safe, validator_class_for
from .models import Field, Procedure
from .text import search_words


def fields_list() -> QuerySet[Field]:
    """Fields (lĩnh vực) that have at least one published procedure."""
    return Field.objects.filter(procedures__published=True).distinct().order_by("name")


def _filter(qs: QuerySet[Procedure], *, q: str = "", field: str = "", level: str = "", agency: str = "") -> QuerySet:
    for word in search_words(q):
        qs = qs.filter(search_key__contains=word)
    if field:
        qs = qs.filter(field__code=field)
    if level:
        qs = qs.filter(level=level)
    if agency:
        # an agency code, or an agency kind (ubnd_xa, so, ...)
        qs = qs.filter(agency__code=agency) | qs.filter(agency_kind=agency)
    return qs


def procedures_search(*, q: str = "", field: str = "", level: str = "", agency: str = "") -> QuerySet[Procedure]:
    """Published procedures matching every word of `q` without regard to diacritics ("dang ky khai sinh"
    finds "Đăng ký khai sinh"), filtered by field code, level and agency (code or kind)."""
    qs = Procedure.objects.filter(published=True).select_related("field", "agency")
    return _filter(qs, q=q, field=field, level=level, agency=agency).order_by("name", "code")


# Published procedures as citizens read them, kept in this process: every submission and procedure page
# needs one with its fees, papers, form and workflow (5 queries and a generated form class). An edit in
# this process forgets them at once (signals, see apps.py); other processes see it within PUBLIC_TTL seconds.
PUBLIC_TTL = 10.0
_public: dict[str, tuple[float, Procedure]] = {}


def procedure_cache_clear(**_kwargs) -> None:
    """Forget the procedures cached in this process (after any catalog change)."""
    _public.clear()


def procedure_public(*, code: str) -> Procedure:
    """A published procedure with everything a citizen needs; Http404 when unknown or withdrawn.
    The instance is shared within this process for PUBLIC_TTL seconds: read it, never change it."""
    now = time.monotonic()
    hit = _public.get(code)
    if hit is not None and now - hit[0] < PUBLIC_TTL:
        return hit[1]
    p = (Procedure.objects.filter(code=code, published=True).select_related("field", "agency")
         .prefetch_related("fees", "components", "form_fields", "steps").first())
    if p is None:
        _public.pop(code, None)
        raise Http404(_("Không tìm thấy thủ tục %(code)s.") % {"code": code})
    p.form_class = form_class_for(p)
    p.validator_class = validator_class_for(p)
    _public[code] = (now, p)
    return p


def procedures_for_admin(*, actor, q: str = "", field: str = "", level: str = "") -> QuerySet[Procedure]:
    """Procedures the actor may edit (PermissionDenied for anyone who administers none)."""
    access.require_manage_catalog(actor)
    qs = Procedure.objects.select_related("field", "agency")
    if not access.is_catalog_admin(actor):
        qs = qs.filter(agency_id=access.admin_agency_id(actor))
    return _filter(qs, q=q, field=field, level=level).order_by("code")


def form_validate(*, procedure: Procedure, data: dict) -> tuple[dict, dict[str, list[str]]]:
    """Validate an application against the procedure's form: (cleaned, {}) or ({}, {field key: [messages]}).
    Cleaned values are JSON-safe (dates YYYY-MM-DD, numbers int/float)."""
    form_class = getattr(procedure, "validator_class", None) or validator_class_for(procedure)
    form = form_class(data=data)
    if form.is_valid():
        return json_safe(form.cleaned_data), {}
    return {}, {k: [str(m) for m in v] for k, v in form.errors.items()}


def catalog_export(*, actor, fmt: str = "json", codes: list[str] | None = None) -> bytes:
    """The catalog (or the given procedures) as JSON or Excel bytes, for a catalog administrator."""
    qs = procedures_for_admin(actor=actor)
    if codes:
        qs = qs.filter(code__in=codes)
    return exchange.export_xlsx(qs) if fmt == "xlsx" else exchange.export_json(qs)


def catalog_export_all(*, fmt: str = "json") -> bytes:
    """The whole catalog, for system use (commands, tests); no actor check."""
    qs = Procedure.objects.order_by("code")
    return exchange.export_xlsx(qs) if fmt == "xlsx" else exchange.export_json(qs)

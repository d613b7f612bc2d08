"""Reads of the personal data store, scoped by who asks."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import DataAccessLog, StoredDocument
from .vocabulary import DocType, requirement_for


def documents_of(user) -> QuerySet[StoredDocument]:
    """The papers in this citizen's own store (removed ones excluded)."""
    if not getattr(user, "is_authenticated", False):
        return StoredDocument.objects.none()
    return StoredDocument.objects.filter(owner=user, removed_at__isnull=True).select_related("source_dossier")


def document_of_owner(user, *, doc_id) -> StoredDocument:
    """One paper of the signed-in citizen's own store; 404 for anybody else's (we do not reveal it exists)."""
    try:
        return documents_of(user).get(pk=int(doc_id))
    except (StoredDocument.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Không tìm thấy giấy tờ trong kho dữ liệu của bạn.")) from None


def reusable_documents(*, owner, procedure, on: dt.date) -> dict[str, list[StoredDocument]]:
    """For each component of `procedure`, the owner's stored papers that satisfy it on day `on`
    (right type; still valid when the component requires validity)."""
    if owner is None:
        return {}
    docs = list(documents_of(owner))
    out: dict[str, list[StoredDocument]] = {}
    for comp in procedure.components.all():
        req = requirement_for(procedure.code, comp.key)
        if req is None:
            continue
        fit = [d for d in docs if d.doc_type == req.doc_type and (not req.requires_valid or d.valid_on(on))]
        if fit:
            out[comp.key] = fit
    return out


def document_for_reuse(*, owner, doc_id, procedure, component, on: dt.date) -> StoredDocument:
    """The stored paper `doc_id` if it may stand for `component` of `procedure` for `owner` on day `on`.

    Raises ValidationError keyed `component_<key>` naming the component: another citizen's paper (a forged
    reference), a removed one, a paper of the wrong type, or an expired one where validity is required."""
    field = f"component_{component.key}"
    try:
        doc = StoredDocument.objects.get(pk=int(doc_id), owner=owner, removed_at__isnull=True) if owner else None
    except (StoredDocument.DoesNotExist, ValueError, TypeError):
        doc = None
    if doc is None:
        raise ValidationError({field: [_("“%(name)s”: giấy tờ được chọn không có trong kho dữ liệu của người nộp; "
                                         "hãy chọn lại giấy tờ trong kho hoặc tải tệp lên.") % {"name": component.name}]})
    req = requirement_for(procedure.code, component.key)
    if req is None or req.doc_type != doc.doc_type:
        raise ValidationError({field: [_("“%(name)s”: giấy tờ “%(doc)s” không dùng được cho thành phần này; "
                                         "hãy tải tệp lên.") % {"name": component.name, "doc": doc.title}]})
    if req.requires_valid and not doc.valid_on(on):
        raise ValidationError({field: [_("“%(name)s”: giấy tờ “%(doc)s” đã hết hạn ngày %(until)s; hãy dùng giấy tờ "
                                         "còn hạn.") % {"name": component.name, "doc": doc.title,
                                                         "until": doc.valid_until.strftime("%d/%m/%Y")}]})
    return doc


def prefill_values(owner) -> dict[str, str]:
    """Facts stated by the owner's stored papers (newest first wins), by form field key."""
    values: dict[str, str] = {}
    for doc in documents_of(owner).order_by("created_at", "id"):
        for key, value in (doc.data or {}).items():
            if isinstance(value, (str, int)) and str(value).strip():
                values[key] = str(value)
    return values


def access_log_of(citizen) -> QuerySet[DataAccessLog]:
    """“Who used my data”: every read of this citizen's stored data by an official, newest first."""
    if not getattr(citizen, "is_authenticated", False):
        return DataAccessLog.objects.none()
    return DataAccessLog.objects.filter(citizen=citizen).select_related("official", "agency", "document")


def reuse_flags(dossier) -> dict[str, int | bool]:
    """Index 766-style facts of a dossier: did it reuse anything, how many components came from the store."""
    comps = list(dossier.components.all())
    from_store = sum(1 for c in comps if c.reuse_source == "datastore")
    return {"reused_any": any(c.reuse_source for c in comps), "from_store": from_store,
            "components": len(comps)}


def doc_type_label(value: str) -> str:
    return str(DocType(value).label) if value in DocType.values else value

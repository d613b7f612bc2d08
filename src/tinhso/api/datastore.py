"""Personal data store API (/api/v1/datastore/).

- `GET /documents`: the signed-in citizen's own stored papers.
- `GET /access-log`: “who used my data”: every read of the citizen's stored data by an official.
- `GET /dossiers/{pk}/documents`, `GET /dossiers/{pk}/documents/{doc_id}`: an official reads the stored
  papers of a dossier's applicant, only for a dossier their agency handles; every read, allowed or
  refused, is logged (403 with a Vietnamese `detail` on refusal).
Handlers only parse input and call selectors/services; errors follow api/errors.py."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import django_auth

from tinhso.api.errors import ErrorOut
from tinhso.datastore import selectors, services

router = Router(tags=["datastore"], auth=django_auth)


class DocumentOut(Schema):
    id: int
    doc_type: str
    doc_type_label: str
    title: str
    number: str
    issuer: str
    issued_on: dt.date | None
    valid_until: dt.date | None
    origin: str
    verified: bool
    source_dossier: str | None
    sha256: str
    created_at: dt.datetime


class AccessOut(Schema):
    at: dt.datetime
    official: str
    agency: str | None
    dossier: str
    what: str
    document: str | None
    allowed: bool
    reason: str


def _doc(d) -> dict:
    return {"id": d.pk, "doc_type": d.doc_type, "doc_type_label": selectors.doc_type_label(d.doc_type),
            "title": d.title, "number": d.number, "issuer": d.issuer, "issued_on": d.issued_on,
            "valid_until": d.valid_until, "origin": d.origin, "verified": d.verified,
            "source_dossier": d.source_dossier.code if d.source_dossier_id else None, "sha256": d.sha256,
            "created_at": d.created_at}


def _require_citizen(request):
    if getattr(request.user, "kind", "") != "citizen":
        raise PermissionDenied(_("Kho dữ liệu cá nhân chỉ dành cho công dân."))


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("/documents", response={200: list[DocumentOut], **ERRORS}, summary="Giấy tờ trong kho dữ liệu của tôi")
def my_documents(request):
    _require_citizen(request)
    return [_doc(d) for d in selectors.documents_of(request.user)]


@router.get("/access-log", response={200: list[AccessOut], **ERRORS}, summary="Ai đã dùng dữ liệu của tôi")
def my_access_log(request):
    _require_citizen(request)
    return [{"at": log.at, "official": log.official.full_name or log.official.username,
             "agency": log.agency.name if log.agency_id else None, "dossier": log.dossier_code,
             "what": log.what, "document": log.document.title if log.document_id else None,
             "allowed": log.allowed, "reason": log.reason}
            for log in selectors.access_log_of(request.user)[:500]]


@router.get("/dossiers/{pk}/documents", response={200: list[DocumentOut], **ERRORS},
            summary="Cán bộ xem kho dữ liệu của người nộp hồ sơ (được ghi lại)")
def dossier_documents(request, pk: int):
    _dossier, docs = services.documents_read_for_dossier(actor=request.user, dossier_pk=pk)
    return [_doc(d) for d in docs]


@router.get("/dossiers/{pk}/documents/{doc_id}", response={200: DocumentOut, **ERRORS},
            summary="Cán bộ mở một giấy tờ trong kho dữ liệu của người nộp hồ sơ (được ghi lại)")
def dossier_document(request, pk: int, doc_id: int):
    _dossier, doc = services.document_read_for_dossier(actor=request.user, dossier_pk=pk, doc_id=doc_id)
    return _doc(doc)

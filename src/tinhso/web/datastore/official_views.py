"""The official's view of a citizen's data store, only within a dossier of that citizen that the
official's agency handles. Every read, allowed or refused, is logged by the datastore services."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe
from django.utils.translation import gettext as _

from tinhso.datastore import services
from tinhso.web.workspace.common import official_required


@require_safe
@official_required
def official_dossier_store(request, pk: int):
    dossier, documents = services.documents_read_for_dossier(actor=request.user, dossier_pk=pk)
    reused_ids = set(dossier.components.filter(reused_from__isnull=False).values_list("reused_from_id", flat=True))
    return render(request, "datastore/official_store.html", {
        "dossier": dossier, "documents": documents, "reused_ids": reused_ids})


@require_safe
@official_required
def official_store_document(request, pk: int, doc_id: int):
    _dossier, doc = services.document_read_for_dossier(actor=request.user, dossier_pk=pk, doc_id=doc_id)
    try:
        fh = doc.file.open("rb")
    except (OSError, ValueError):
        raise Http404(_("Không tìm thấy tệp của giấy tờ này.")) from None
    return FileResponse(fh, as_attachment=True, filename=doc.original_filename or doc.file.name.rsplit("/", 1)[-1],
                        content_type=doc.content_type or "application/octet-stream")


@official_required
@require_POST
def official_store_verify(request, pk: int, doc_id: int):
    """The official has compared a self-declared paper with its original in hand: mark it verified."""
    try:
        doc = services.document_verify_against_original(actor=request.user, dossier_pk=pk, doc_id=doc_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã ghi nhận “%(t)s” đã được đối chiếu với bản chính.") % {"t": doc.title})
    return redirect("web:official_dossier_store", pk=pk)

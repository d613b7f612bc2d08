"""The citizen's pages of the personal data store: “Kho dữ liệu của tôi” and “Ai đã dùng dữ liệu của tôi”."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tinhso.datastore import selectors, services
from tinhso.web.portal.display import summary_items

from .forms import DocumentAddForm


def _citizen(request):
    if getattr(request.user, "kind", "") != "citizen":
        raise PermissionDenied(_("Kho dữ liệu cá nhân chỉ dành cho công dân."))
    return request.user


@login_required
def my_store(request):
    user = _citizen(request)
    form = DocumentAddForm()
    status = 200
    if request.method == "POST":
        form = DocumentAddForm(data=request.POST, files=request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                doc = services.document_add(actor=user, doc_type=d["doc_type"], title=d["title"], number=d["number"],
                                            issuer=d["issuer"], issued_on=d["issued_on"],
                                            valid_until=d["valid_until"], upload=d["file"])
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                messages.success(request, _("Đã thêm “%(title)s” vào kho dữ liệu của bạn.") % {"title": doc.title})
                return redirect("web:my_store")
        status = 400
    return render(request, "datastore/my_store.html", {
        "documents": list(selectors.documents_of(user)),
        "form": form,
        "summary": summary_items(forms=[form]) if form.is_bound else [],
    }, status=status)


@login_required
@require_POST
def my_store_remove(request, doc_id: int):
    user = _citizen(request)
    try:
        doc = services.document_remove(actor=user, document_id=doc_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xóa “%(title)s” khỏi kho dữ liệu của bạn.") % {"title": doc.title})
    return redirect("web:my_store")


@require_safe
@login_required
def my_store_download(request, doc_id: int):
    user = _citizen(request)
    doc = selectors.document_of_owner(user, doc_id=doc_id)
    try:
        fh = doc.file.open("rb")
    except (OSError, ValueError):
        raise Http404(_("Không tìm thấy tệp của giấy tờ này.")) from None
    return FileResponse(fh, as_attachment=True, filename=doc.original_filename or doc.file.name.rsplit("/", 1)[-1],
                        content_type=doc.content_type or "application/octet-stream")


@require_safe
@login_required
def who_used_my_data(request):
    user = _citizen(request)
    return render(request, "datastore/who_used.html", {"logs": list(selectors.access_log_of(user)[:500])})

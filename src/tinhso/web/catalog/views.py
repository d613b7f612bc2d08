"""Catalog pages: public search and detail; administration (list, create, edit, sections, publish, import/export)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import formset_factory
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tinhso.catalog import access, exchange, selectors, services
from tinhso.catalog.models import Field, Level, Procedure

from .forms import ComponentForm, FeeForm, FormFieldForm, ImportForm, ProcedureForm, StepForm, rows_from_formset

SECTIONS = {
    "phi": ("fees", FeeForm, _("Phí, lệ phí"), services.procedure_set_fees, "fees"),
    "thanh-phan": ("components", ComponentForm, _("Thành phần hồ sơ"), services.procedure_set_components, "components"),
    "to-khai": ("form_fields", FormFieldForm, _("Tờ khai (trường nhập liệu)"), services.procedure_set_form_fields, "form_fields"),
    "quy-trinh": ("steps", StepForm, _("Quy trình xử lý nội bộ"), services.procedure_set_steps, "steps"),
}


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


# ------------------------------------------------------------------ public

@require_safe
def procedure_list(request):
    q = request.GET.get("q", "").strip()
    field = request.GET.get("field", "")
    level = request.GET.get("level", "")
    qs = selectors.procedures_search(q=q, field=field, level=level)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "catalog/procedure_list.html", {
        "page": page, "q": q, "field": field, "level": level, "fields": selectors.fields_list(),
        "levels": Level.choices, "query_string": request.GET.urlencode(),
    })


@require_safe
def procedure_detail(request, code: str):
    p = selectors.procedure_public(code=code)
    return render(request, "catalog/procedure_detail.html", {"p": p, "can_edit": access.can_edit(request.user, p)})


# ------------------------------------------------------------------ administration

@require_safe
@login_required
def manage_list(request):
    q = request.GET.get("q", "").strip()
    qs = selectors.procedures_for_admin(actor=request.user, q=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "catalog/manage_list.html", {
        "page": page, "q": q, "is_catalog_admin": access.is_catalog_admin(request.user)})


@login_required
def manage_edit(request, code: str | None = None):
    procedure = access.procedure_for_editor(request.user, code) if code else None
    if procedure is None:
        access.require_manage_catalog(request.user)
    form = ProcedureForm(request.POST or None, instance=procedure)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if procedure is None:
                procedure = services.procedure_create(actor=request.user, data=data)
                messages.success(request, _("Đã tạo thủ tục %(c)s.") % {"c": procedure.code})
            else:
                data.pop("code", None)
                procedure = services.procedure_update(actor=request.user, procedure=procedure, data=data)
                messages.success(request, _("Đã lưu thủ tục %(c)s.") % {"c": procedure.code})
            return redirect("web:procedure_manage_edit", code=procedure.code)
        except ValidationError as exc:
            _errors_to_form(form, exc)
    return render(request, "catalog/manage_edit.html", {"form": form, "procedure": procedure, "sections": SECTIONS})


@login_required
def manage_section(request, code: str, section: str):
    if section not in SECTIONS:
        raise Http404
    procedure = access.procedure_for_editor(request.user, code)
    key, form_cls, title, service, kwarg = SECTIONS[section]
    FormSet = formset_factory(form_cls, extra=2, can_delete=True)
    rows = exchange.procedure_to_dict(procedure)[key]
    if form_cls is FormFieldForm:
        rows = [FormFieldForm.initial_from(r) for r in rows]
    formset = FormSet(request.POST or None, initial=rows, prefix=section)
    service_errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            service(actor=request.user, procedure=procedure, **{kwarg: rows_from_formset(formset)})
            messages.success(request, _("Đã lưu mục “%(s)s” của thủ tục %(c)s.") % {"s": title, "c": procedure.code})
            return redirect("web:procedure_manage_section", code=procedure.code, section=section)
        except ValidationError as exc:
            service_errors = exc.messages
    return render(request, "catalog/manage_section.html", {
        "procedure": procedure, "formset": formset, "title": title, "section": section,
        "service_errors": service_errors, "sections": SECTIONS})


@login_required
@require_POST
def manage_publish(request, code: str):
    procedure = access.procedure_for_editor(request.user, code)
    publish = request.POST.get("published") == "1"
    try:
        services.procedure_publish(actor=request.user, procedure=procedure, published=publish)
        messages.success(request, _("Đã công bố thủ tục %(c)s.") % {"c": code} if publish
                         else _("Đã ngừng công bố thủ tục %(c)s.") % {"c": code})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("web:procedure_manage_edit", code=code)


@login_required
def manage_import(request):
    access.require_catalog_admin(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        fmt = "xlsx" if f.name.lower().endswith(".xlsx") else "json"
        try:
            summary = services.catalog_import(actor=request.user, file=f, fmt=fmt)
            messages.success(request, _("Đã nhập %(n)s thủ tục mới và cập nhật %(m)s thủ tục.")
                             % {"n": len(summary["created"]), "m": len(summary["updated"])})
            return redirect("web:procedure_manage_list")
        except ValidationError as exc:
            errors = exc.messages
    return render(request, "catalog/manage_import.html", {"form": form, "import_errors": errors})


@require_safe
@login_required
def manage_export(request):
    fmt = "xlsx" if request.GET.get("fmt") == "xlsx" else "json"
    body = selectors.catalog_export(actor=request.user, fmt=fmt)
    ctype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
             else "application/json; charset=utf-8")
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="danh-muc-thu-tuc.{fmt}"'
    return resp

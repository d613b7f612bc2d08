"""Pages of the places domain: communes of the province, the agency tree and its administration."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from tinhso.places import access, selectors, services
from tinhso.places.models import Commune

from .forms import AgencyForm, AgencyImportForm, CommuneFilterForm


@require_safe
def commune_list(request):
    form = CommuneFilterForm(request.GET or None)
    query, type_ = "", ""
    if form.is_valid():
        query, type_ = form.cleaned_data["q"], form.cleaned_data["type"]
    communes = list(selectors.communes_of_installation(query=query, type=type_))
    total = selectors.communes_of_installation().count()
    return render(request, "places/commune_list.html", {
        "form": form, "communes": communes, "total": total, "province": selectors.installation_province(),
        "filtered": bool(query or type_), "type_labels": dict(Commune.Type.choices),
    })


@require_safe
def agency_list(request):
    return render(request, "places/agency_list.html", {
        "tree": selectors.agency_tree(), "province": selectors.installation_province(),
        "is_admin": access.is_province_admin(request.user),
        "count": selectors.agencies_of_installation().count(),
    })


def _form_kwargs(editing=False, exclude_code=None):
    agencies = [a for a in selectors.agencies_of_installation(include_inactive=False) if a.code != exclude_code]
    return {"agencies": agencies, "communes": selectors.communes_of_installation(), "editing": editing}


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
@require_http_methods(["GET", "POST"])
def agency_create(request):
    access.require_province_admin(request.user)
    form = AgencyForm(request.POST or None, **_form_kwargs())
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm cơ quan “%(name)s”.") % {"name": agency.name})
            return redirect("web:agency_list")
    return render(request, "places/agency_form.html", {"form": form, "title": _("Thêm cơ quan")})


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request, code):
    access.require_province_admin(request.user)
    agency = selectors.agency_get(code=code)
    initial = {"code": agency.code, "name": agency.name, "short_name": agency.short_name, "kind": agency.kind,
               "parent_code": agency.parent.code if agency.parent else "", "commune_code": agency.commune_id or ""}
    form = AgencyForm(request.POST or None, initial=initial, **_form_kwargs(editing=True, exclude_code=agency.code))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        try:
            agency = services.agency_update(actor=request.user, agency_code=agency.code, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu cơ quan “%(name)s”.") % {"name": agency.name})
            return redirect("web:agency_list")
    return render(request, "places/agency_form.html", {"form": form, "agency": agency,
                                                       "title": _("Sửa cơ quan %(code)s") % {"code": agency.code}})


@login_required
@require_http_methods(["GET", "POST"])
def agency_deactivate(request, code):
    access.require_province_admin(request.user)
    agency = selectors.agency_get(code=code)
    error = ""
    if request.method == "POST":
        try:
            services.agency_deactivate(actor=request.user, agency_code=agency.code)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Cơ quan “%(name)s” đã ngừng hoạt động.") % {"name": agency.name})
            return redirect("web:agency_list")
    return render(request, "places/agency_deactivate.html", {"agency": agency, "error": error})


@login_required
@require_http_methods(["GET", "POST"])
def agency_import(request):
    access.require_province_admin(request.user)
    form = AgencyImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.agencies_import(actor=request.user, file=upload, filename=upload.name)
        except services.AgencyImportError as exc:
            row_errors = exc.row_errors
            form.add_error("file", _("Tệp có %(n)s lỗi; chưa có dòng nào được ghi. Hãy sửa các lỗi bên dưới rồi tải lại.")
                           % {"n": len(row_errors)})
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã nhập tệp: %(c)s cơ quan mới, %(u)s cập nhật, %(s)s không đổi.")
                             % {"c": result.created, "u": result.updated, "s": result.unchanged})
            return redirect("web:agency_list")
    return render(request, "places/agency_import.html", {"form": form, "row_errors": row_errors})

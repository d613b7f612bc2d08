"""The coordinator's (province_admin) administration pages: Open311 API keys (the raw key is shown once,
right after it is made, and never stored), officials on duty per commune (alerted of urgent reports),
and the categories editor (name, description, deadline in working days, active, extra questions).
Every write goes through `feedback.services`, which checks the permission again."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tinhso.feedback import access, selectors, services
from tinhso.feedback.models import ApiKey, Category, CategoryAttribute, DutyOfficer
from tinhso.places.models import Commune

from .forms import ApiKeyForm, AttributeForm, CategoryForm, DutyForm, apply_errors, error_summary


@never_cache
@login_required
def apikeys(request):
    access.require_coordinator(request.user)
    form, raw_key, status = ApiKeyForm(), "", 200
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            key = ApiKey.objects.filter(pk=request.POST.get("key") or 0).first()
            if key is None:
                raise Http404(_("Không tìm thấy khóa API."))
            try:
                services.apikey_revoke(actor=request.user, key=key)
            except ValidationError as exc:
                for m in exc.messages:
                    messages.error(request, m)
            else:
                messages.success(request, _("Đã thu hồi khóa API “%(name)s”.") % {"name": key.name})
            return redirect("web:feedback_apikeys")
        form = ApiKeyForm(request.POST)
        try:
            key, raw_key = services.apikey_create(actor=request.user, name=request.POST.get("name", ""))
        except ValidationError as exc:
            form.full_clean()
            form._errors.clear()
            apply_errors(form, exc)
            status = 400
        else:
            form = ApiKeyForm()
            messages.success(request, _("Đã tạo khóa API “%(name)s”.") % {"name": key.name})
    return render(request, "feedback/apikeys.html", {
        "form": form, "summary": error_summary(form), "raw_key": raw_key,
        "keys": selectors.apikeys(user=request.user)}, status=status)


@login_required
def duty_officers(request):
    access.require_coordinator(request.user)
    officials = list(selectors.officials_for_duty(user=request.user))
    form, status = DutyForm(officials=officials), 200
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            duty = DutyOfficer.objects.filter(pk=request.POST.get("duty") or 0, active=True).first()
            if duty is None:
                raise Http404(_("Không tìm thấy cán bộ trực."))
            services.dutyofficer_remove(actor=request.user, duty=duty)
            messages.success(request, _("Đã thôi phân công trực."))
            return redirect("web:feedback_duty")
        form = DutyForm(request.POST, officials=officials)
        commune = Commune.objects.filter(code=request.POST.get("commune") or "").first()
        user_id = request.POST.get("user") or ""
        user = next((u for u in officials if str(u.pk) == user_id), None)
        try:
            services.dutyofficer_assign(actor=request.user, commune=commune, user=user)
        except ValidationError as exc:
            form.full_clean()
            form._errors.clear()
            apply_errors(form, exc)
            status = 400
        else:
            messages.success(request, _("Đã phân công %(name)s trực cho %(commune)s.") % {
                "name": user.full_name or user.username, "commune": commune.name})
            return redirect("web:feedback_duty")
    return render(request, "feedback/duty_officers.html", {
        "form": form, "summary": error_summary(form), "duties": selectors.duty_officers(user=request.user)},
        status=status)


@require_safe
@login_required
def categories(request):
    return render(request, "feedback/categories.html", {"categories": selectors.categories_all(user=request.user)})


def _category_initial(category: Category | None) -> dict:
    if category is None:
        return {"deadline_working_days": "15", "active": True}
    return {"code": category.code, "name": category.name, "description": category.description,
            "deadline_working_days": str(category.deadline_working_days), "active": category.active}


@login_required
def category_edit(request, code: str | None = None):
    access.require_coordinator(request.user)
    category = None
    if code is not None:
        category = Category.objects.filter(code=code).first()
        if category is None:
            raise Http404(_("Không tìm thấy lĩnh vực."))
    form, attr_form, status = CategoryForm(initial=_category_initial(category)), AttributeForm(prefix="attr"), 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "save":
                form = CategoryForm(request.POST)
                saved = services.category_save(
                    actor=request.user, category=category, code=request.POST.get("code", ""),
                    name=request.POST.get("name", ""), description=request.POST.get("description", ""),
                    deadline_working_days=request.POST.get("deadline_working_days", ""),
                    active=request.POST.get("active") == "on")
                messages.success(request, _("Đã lưu lĩnh vực “%(name)s”.") % {"name": saved.name})
                return redirect("web:feedback_category_edit", code=saved.code)
            if category is None:
                raise Http404()
            if action == "add_attribute":
                attr_form = AttributeForm(request.POST, prefix="attr")
                p = request.POST.get
                services.category_attribute_add(
                    actor=request.user, category=category, code=p("attr-code", ""), question=p("attr-question", ""),
                    datatype=p("attr-datatype", ""), required=p("attr-required") == "on",
                    values_text=p("attr-values_text", ""))
                messages.success(request, _("Đã thêm câu hỏi."))
            elif action == "delete_attribute":
                attr = CategoryAttribute.objects.filter(category=category, pk=request.POST.get("attribute") or 0).first()
                if attr is None:
                    raise Http404(_("Không tìm thấy câu hỏi."))
                services.category_attribute_delete(actor=request.user, attribute=attr)
                messages.success(request, _("Đã xóa câu hỏi."))
            else:
                raise Http404()
            return redirect("web:feedback_category_edit", code=category.code)
        except ValidationError as exc:
            target = form if action == "save" else attr_form
            target.full_clean()
            target._errors.clear()
            apply_errors(target, exc)
            status = 400
    return render(request, "feedback/category_edit.html", {
        "category": category, "form": form, "attr_form": attr_form,
        "summary": error_summary(form) + error_summary(attr_form),
        "attributes": category.attributes.order_by("order") if category else []}, status=status)

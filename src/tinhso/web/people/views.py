"""People pages: official sign-in, the profile page, the management of officials."""
from __future__ import annotations

from allauth.account.views import LoginView
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tinhso.people import access, selectors, services
from tinhso.people.models import Role

from .forms import OfficialCreateForm, OfficialLoginForm, OfficialRolesForm


class OfficialLoginView(LoginView):
    """The officials' entrance: the same allauth sign-in (axes lockout, TOTP step), official wording."""

    template_name = "people/official_login.html"
    form_class = OfficialLoginForm

    def get_form_class(self):
        return OfficialLoginForm


official_login = OfficialLoginView.as_view()


def _errors_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@login_required
def profile(request):
    user = request.user
    errors: dict[str, list[str]] = {}
    matches = []
    old_address = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "phone_send":
                services.phone_code_send(actor=user, phone=request.POST.get("phone") or None)
                messages.success(request, _("Đã gửi mã xác nhận tới số điện thoại. Mã có hiệu lực 5 phút."))
                return redirect("web:profile")
            if action == "phone_confirm":
                services.phone_code_confirm(actor=user, code=request.POST.get("code", ""))
                messages.success(request, _("Đã xác nhận số điện thoại."))
                return redirect("web:profile")
            if action == "address_lookup":
                old_address = request.POST.get("old_address", "").strip()
                if not old_address:
                    raise ValidationError({"old_address": _("Địa chỉ cũ: hãy nhập địa chỉ gồm xã, huyện, tỉnh.")})
                matches = selectors.address_candidates(text=old_address)
                if not matches:
                    raise ValidationError({"old_address": _(
                        "Địa chỉ cũ: không tìm được xã, phường mới tương ứng. Hãy ghi rõ tên xã, huyện, tỉnh "
                        "cũ, hoặc chọn xã, phường trong danh sách bên dưới.")})
            elif action == "address_confirm":
                services.citizen_address_set(
                    actor=user, commune_code=request.POST.get("commune", ""),
                    address_line=request.POST.get("address_line", ""), old_address=request.POST.get("old_address", ""))
                messages.success(request, _("Đã lưu địa chỉ."))
                return redirect("web:profile")
            elif action:
                raise ValidationError(_("Thao tác không hợp lệ."))
        except ValidationError as exc:
            errors = _errors_of(exc)
    has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    context = {
        "errors": errors,
        "matches": matches,
        "old_address": old_address,
        "has_totp": has_totp,
        "official": access.official_of(user),
        "roles": sorted(access.roles_of(user)),
        "role_labels": [Role(r).label for r in sorted(access.roles_of(user))],
        "communes": selectors.communes_of_installation() if user.kind == "citizen" else [],
        "can_manage_officials": bool(access.official_of(user)) and selectors.agencies_manageable_by(user=user).exists(),
    }
    return render(request, "people/profile.html", context, status=400 if errors else 200)


@require_safe
@login_required
def official_list(request):
    if not selectors.agencies_manageable_by(user=request.user).exists():
        raise PermissionDenied(_("Bạn không có quyền quản lý cán bộ."))
    officials = [o for o in selectors.officials_visible_to(viewer=request.user)]
    return render(request, "people/official_list.html", {"officials": officials})


@login_required
def official_create(request):
    agencies = selectors.agencies_manageable_by(user=request.user)
    if not agencies.exists():
        raise PermissionDenied(_("Bạn không có quyền tạo tài khoản cán bộ."))
    form = OfficialCreateForm(request.POST or None, agencies=agencies)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                official = services.official_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, msgs in _errors_of(exc).items():
                    for m in msgs:
                        form.add_error(field if field in form.fields else None, m)
            else:
                messages.success(request, _("Đã tạo tài khoản cán bộ %(n)s.") % {"n": official.user.full_name})
                return redirect("web:official_list")
        status = 400
    return render(request, "people/official_form.html", {"form": form}, status=status)


@login_required
def official_roles(request, official_id: int):
    official = access.official_for_manager(request.user, official_id)
    current = list(official.roles.values_list("role", flat=True))
    form = OfficialRolesForm(request.POST or None, initial={"roles": current})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.official_set_roles(actor=request.user, official=official, roles=form.cleaned_data["roles"])
            except ValidationError as exc:
                for msgs in _errors_of(exc).values():
                    for m in msgs:
                        form.add_error("roles", m)
            else:
                messages.success(request, _("Đã cập nhật vai trò."))
                return redirect("web:official_list")
        status = 400
    return render(request, "people/official_roles.html", {"form": form, "official": official}, status=status)


@login_required
@require_POST
def official_deactivate(request, official_id: int):
    official = access.official_for_manager(request.user, official_id)
    try:
        services.official_deactivate(actor=request.user, official=official)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã khóa tài khoản cán bộ %(n)s.") % {"n": official.user.full_name})
    return redirect("web:official_list")

"""Who may see and do what. Other domains use these helpers; they never raise for anonymous users."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.places.models import Agency

from .models import Official, Role, User


def official_of(user) -> Official | None:
    """The active official behind this user, or None (anonymous, citizen, deactivated)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if getattr(user, "kind", "") != User.Kind.OFFICIAL:
        return None
    try:
        return user.official
    except Official.DoesNotExist:
        return None


def roles_of(user) -> set[str]:
    official = official_of(user)
    if official is None:
        return set()
    cached = getattr(official, "_role_cache", None)
    if cached is None:
        cached = set(official.roles.values_list("role", flat=True))
        official._role_cache = cached
    return cached


def has_role(user, role: str, *, agency: Agency | int | None = None) -> bool:
    """True when the user is an active official holding `role` (in `agency`, when given)."""
    official = official_of(user)
    if official is None or role not in roles_of(user):
        return False
    if agency is None:
        return True
    agency_id = agency if isinstance(agency, int) else agency.pk
    return official.agency_id == agency_id


def is_province_admin(user) -> bool:
    return has_role(user, Role.PROVINCE_ADMIN)


def agency_ids_visible_to(user) -> set[int]:
    """Agencies whose work the user may see: the province administrator sees every agency, any other
    official only their own (so a commune's officials never see another commune's work); citizens and
    anonymous users none."""
    official = official_of(user)
    if official is None:
        return set()
    if is_province_admin(user):
        return set(Agency.objects.values_list("pk", flat=True))
    return {official.agency_id}


def can_manage_officials_of(user, agency: Agency) -> bool:
    """Province admin: any agency. Agency admin: their own agency only."""
    if is_province_admin(user):
        return True
    return has_role(user, Role.AGENCY_ADMIN, agency=agency)


def require_manage_officials_of(user, agency: Agency) -> None:
    if not can_manage_officials_of(user, agency):
        raise PermissionDenied(_("Bạn không có quyền quản lý cán bộ của cơ quan này."))


def official_for_manager(user, official_id: int) -> Official:
    """An official the user may manage; 404 when it does not exist or the user may not even see it."""
    official = Official.objects.select_related("user", "agency").filter(pk=official_id).first()
    if official is None or official.agency_id not in agency_ids_visible_to(user):
        raise Http404(_("Không tìm thấy cán bộ."))
    require_manage_officials_of(user, official.agency)
    return official

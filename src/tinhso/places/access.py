"""Who may change the province's agencies: officials holding the `province_admin` role."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tinhso.people.models import OfficialRole, Role


def is_province_admin(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "kind", "") != "official":
        return False
    return OfficialRole.objects.filter(
        official__user=user, role=Role.PROVINCE_ADMIN, official__agency__province_id=settings.PROVINCE_CODE
    ).exists()


def require_province_admin(user) -> None:
    """Raise PermissionDenied unless `user` administers the installation's province."""
    if not is_province_admin(user):
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh mới được thay đổi danh mục cơ quan."))

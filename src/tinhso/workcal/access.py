"""Who may change the working calendar: a province administrator (OfficialRole `province_admin`)."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tinhso.people.models import OfficialRole, Role


def can_administer_calendar(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return OfficialRole.objects.filter(official__user=user, role=Role.PROVINCE_ADMIN).exists()


def require_calendar_admin(user) -> None:
    """Raise PermissionDenied unless `user` administers the province's working calendar."""
    if not can_administer_calendar(user):
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh được sửa lịch làm việc và giờ làm việc."))

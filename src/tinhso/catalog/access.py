"""Who may edit the catalog: the province administrator edits every procedure, an agency administrator
only the procedures assigned to their own agency. Everyone may read published procedures."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.people.models import Official, OfficialRole, Role

from .models import Procedure


def _official(user) -> Official | None:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if getattr(user, "kind", "") != "official":
        return None
    return Official.objects.filter(user=user).first()


def _roles(official: Official | None) -> set[str]:
    if official is None:
        return set()
    return set(OfficialRole.objects.filter(official=official).values_list("role", flat=True))


def is_catalog_admin(user) -> bool:
    """Province administrator: edits, imports and exports the whole catalog."""
    return Role.PROVINCE_ADMIN in _roles(_official(user))


def admin_agency_id(user) -> int | None:
    """The agency whose procedures this user administers as agency administrator, if any."""
    official = _official(user)
    if official is not None and Role.AGENCY_ADMIN in _roles(official):
        return official.agency_id
    return None


def can_manage_catalog(user) -> bool:
    """May open the catalog administration pages at all."""
    return is_catalog_admin(user) or admin_agency_id(user) is not None


def can_edit(user, procedure: Procedure) -> bool:
    if is_catalog_admin(user):
        return True
    agency_id = admin_agency_id(user)
    return agency_id is not None and procedure.agency_id == agency_id


def require_manage_catalog(user) -> None:
    if not can_manage_catalog(user):
        raise PermissionDenied(_("Bạn không có quyền quản trị danh mục thủ tục hành chính."))


def require_catalog_admin(user) -> None:
    if not is_catalog_admin(user):
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh được nhập, xuất toàn bộ danh mục thủ tục."))


def require_edit(user, procedure: Procedure) -> None:
    if not can_edit(user, procedure):
        raise PermissionDenied(_("Bạn không có quyền sửa thủ tục %(code)s.") % {"code": procedure.code})


def procedure_for_editor(user, code: str) -> Procedure:
    """A procedure the user may edit; 404 when unknown, 403 when not theirs."""
    require_manage_catalog(user)
    procedure = Procedure.objects.select_related("field", "agency").filter(code=code).first()
    if procedure is None:
        raise Http404(_("Không tìm thấy thủ tục %(code)s.") % {"code": code})
    require_edit(user, procedure)
    return procedure

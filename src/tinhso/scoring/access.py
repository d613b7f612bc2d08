"""Who may see which figures.

- The province administrator and IOC viewers (role `ioc_viewer`) see everything.
- A leader or an agency administrator sees their own agency (and the commune of which it is the
  UBND), the rankings, and the evaluation of their agency's officials.
- Any official sees their own evaluation.
- Citizens see none of it (PermissionDenied); anonymous users are turned away by the views (401 / sign-in).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.people.access import official_of, roles_of
from tinhso.people.models import Role

from .periods import Scope, scope_agency

PROVINCE_VIEWERS = frozenset({Role.PROVINCE_ADMIN, Role.IOC_VIEWER})
AGENCY_VIEWERS = frozenset({Role.LEADER, Role.AGENCY_ADMIN})


def sees_province(user) -> bool:
    return bool(roles_of(user) & PROVINCE_VIEWERS)


def viewed_agency_id(user) -> int | None:
    """The agency whose figures a leader / agency administrator may see; None otherwise."""
    official = official_of(user)
    if official is None or not roles_of(user) & AGENCY_VIEWERS:
        return None
    return official.agency_id


def _refuse() -> None:
    raise PermissionDenied(_("Bạn không có quyền xem số liệu này: chỉ lãnh đạo, quản trị cơ quan, quản trị cấp tỉnh "
                             "và cán bộ trung tâm điều hành được xem."))


def require_province(user) -> None:
    """Province-wide figures (overview, commune table, any scope): province admin and IOC viewers."""
    if not sees_province(user):
        _refuse()


def can_view_scope(user, scope: Scope) -> bool:
    if sees_province(user):
        return True
    agency_id = viewed_agency_id(user)
    if agency_id is None or scope.agency_ids is None:
        return False
    return set(scope.agency_ids) == {agency_id}


def require_scope(user, scope: Scope) -> None:
    if not can_view_scope(user, scope):
        _refuse()


def require_agency(user, agency) -> None:
    require_scope(user, scope_agency(agency))


def require_rankings(user) -> None:
    if not (sees_province(user) or viewed_agency_id(user) is not None):
        _refuse()


def default_scope_for(user) -> Scope:
    """Province for province viewers, the own agency for leaders / agency administrators."""
    from .periods import scope_province

    if sees_province(user):
        return scope_province()
    official = official_of(user)
    if official is not None and viewed_agency_id(user) is not None:
        return scope_agency(official.agency)
    _refuse()


def official_for_viewer(user, official_user_id: int):
    """The official (a User) whose evaluation `user` may see: themself; any official for province viewers;
    the officials of their agency for leaders / agency administrators. Someone else's → Http404 (we do
    not reveal who works where); a citizen → PermissionDenied."""
    from tinhso.people.models import User

    me = official_of(user)
    if me is None:
        _refuse()
    target = (User.objects.filter(pk=official_user_id, kind="official").select_related("official__agency").first())
    if target is None or official_of(target) is None:
        raise Http404(_("Không tìm thấy cán bộ."))
    if target.pk == user.pk or sees_province(user):
        return target
    if viewed_agency_id(user) == getattr(getattr(target, "official", None), "agency_id", None):
        return target
    raise Http404(_("Không tìm thấy cán bộ."))

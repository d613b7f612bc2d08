"""Who may open the operations centre, and which scope.

- The province administrator and IOC viewers (role `ioc_viewer`) see the whole province: every agency,
  every commune, every drill-down list.
- A leader (or an agency administrator) sees their own agency only: its overview, its officials, its
  dossiers. Any other scope is refused.
- Other officials and citizens: PermissionDenied (403). Anonymous users are sent to sign in by the views
  (the API answers 401).

The rules themselves are those of `tinhso.scoring.access` (the figures are scoring's): this module only
parses what a page or the API asks for and applies them.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tinhso.people.access import official_of
from tinhso.scoring import access as scoring_access
from tinhso.scoring.periods import Scope, scope_parse

sees_province = scoring_access.sees_province


def require_ioc(user) -> None:
    """Anyone who may see at least one scope of the IOC."""
    if sees_province(user) or scoring_access.viewed_agency_id(user) is not None:
        return
    raise PermissionDenied(_("Trung tâm điều hành chỉ dành cho lãnh đạo, quản trị cấp tỉnh và cán bộ được giao "
                             "xem trung tâm điều hành."))


def home_scope(user) -> Scope:
    """Province for province viewers, their own agency for leaders; PermissionDenied for anyone else."""
    require_ioc(user)
    return scoring_access.default_scope_for(user)


def scope_for(user, text: str | None) -> Scope:
    """The scope written `province`, `agency:<code>` or `commune:<code>` (empty: the user's home scope),
    if the user may see it. Unknown agency / commune → Http404; malformed → ValidationError; not allowed
    → PermissionDenied."""
    require_ioc(user)
    if not (text or "").strip():
        return home_scope(user)
    scope = scope_parse(text)
    scoring_access.require_scope(user, scope)
    return scope


def require_province(user) -> None:
    require_ioc(user)
    scoring_access.require_province(user)


def own_agency(user):
    official = official_of(user)
    return official.agency if official else None

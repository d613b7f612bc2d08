"""Who may see and act on a dossier. Views and API get dossiers only through these functions.

- A citizen sees only the dossiers they submitted (or that were registered for them).
- An official sees only the dossiers of their own agency (or a step of which was forwarded to it);
  the province administrator and IOC viewers see every agency's.
- Each transition is allowed to the role that the dossier's current workflow step names.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.people.models import OfficialRole, Role

from .models import Dossier, DossierStep


def roles_of(user) -> set[str]:
    """The roles an official holds (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != "official":
        return set()
    cached = getattr(user, "_tinhso_roles", None)
    if cached is None:
        cached = set(OfficialRole.objects.filter(official__user=user).values_list("role", flat=True))
        user._tinhso_roles = cached
    return cached


def agency_id_of(user) -> int | None:
    if getattr(user, "kind", "") != "official":
        return None
    cached = getattr(user, "_tinhso_agency_id", False)
    if cached is False:
        official = getattr(user, "official", None)
        cached = official.agency_id if official else None
        user._tinhso_agency_id = cached
    return cached


def sees_all_agencies(user) -> bool:
    return bool(roles_of(user) & {Role.PROVINCE_ADMIN, Role.IOC_VIEWER})


def dossiers_visible_to(user) -> QuerySet[Dossier]:
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    if getattr(user, "kind", "") == "official":
        if sees_all_agencies(user):
            return Dossier.objects.all()
        agency_id = agency_id_of(user)
        if agency_id is None:
            return Dossier.objects.none()
        # Its own dossiers, and those with a step forwarded to it: a subquery over the few forwarded steps
        # (partial index), not a join over every step, so no duplicate rows and no DISTINCT.
        forwarded_here = DossierStep.objects.filter(agency_id=agency_id, forwarded=True).values("dossier_id")
        return Dossier.objects.filter(Q(agency_id=agency_id) | Q(pk__in=forwarded_here))
    return Dossier.objects.filter(applicant=user)


def dossier_for_actor(user, *, pk: int | None = None, code: str | None = None) -> Dossier:
    """The dossier if this user may see it; 404 otherwise (we do not reveal that it exists)."""
    qs = dossiers_visible_to(user).select_related("agency", "procedure", "applicant", "assignee")
    lookup = {"pk": pk} if pk is not None else {"code": code}
    try:
        return qs.get(**lookup)
    except (Dossier.DoesNotExist, ValueError):
        raise Http404(_("Không tìm thấy hồ sơ.")) from None


def is_owner(user, dossier: Dossier) -> bool:
    return getattr(user, "is_authenticated", False) and dossier.applicant_id == user.pk


def official_acts_for(user, agency_id: int) -> bool:
    return agency_id_of(user) == agency_id


def handles(user, dossier: Dossier) -> bool:
    """An official of the dossier's agency, or of an agency one of its steps was forwarded to."""
    if getattr(user, "kind", "") != "official":
        return False
    agency_id = agency_id_of(user)
    if agency_id is None:
        return False
    return agency_id == dossier.agency_id or DossierStep.objects.filter(
        dossier_id=dossier.pk, agency_id=agency_id, forwarded=True).exists()


def may_open_papers(user, dossier: Dossier) -> bool:
    """The citizen's uploaded papers and the result file: the applicant, and the officials who handle the
    dossier. Need to know (Law on Personal Data Protection): the province's viewers (IOC) and administrators
    see every dossier's page and figures, not the papers a citizen handed to one agency."""
    return is_owner(user, dossier) or handles(user, dossier)


def require_papers(user, dossier: Dossier) -> None:
    if not may_open_papers(user, dossier):
        raise PermissionDenied(_("Chỉ người nộp hồ sơ và cán bộ của cơ quan giải quyết được mở giấy tờ của hồ sơ."))


def require_owner(user, dossier: Dossier) -> None:
    if not is_owner(user, dossier):
        raise PermissionDenied(_("Chỉ người nộp hồ sơ mới được thực hiện thao tác này."))


def require_role(user, role: str, *, agency_id: int) -> None:
    """The user must be an official of `agency_id` holding `role`."""
    if getattr(user, "kind", "") != "official" or not official_acts_for(user, agency_id):
        raise PermissionDenied(_("Hồ sơ này không thuộc cơ quan của bạn."))
    if role not in roles_of(user):
        raise PermissionDenied(
            _("Thao tác này dành cho vai trò “%(role)s”; bạn không có vai trò đó.") % {"role": Role(role).label}
        )

"""Who may do what with reports.

- The province coordinator is an official holding the `province_admin` role (people.Role): accepts,
  re-routes, rejects, hides photos, edits the routing table, and alone sees the reporter's identity.
- The handling agency's `specialist` and `leader` start and answer the reports routed to their agency.
- The reporter (the signed-in citizen who sent it) rates, closes and reopens their own report.
Refusals: PermissionDenied when the user may see the report but not act; Http404 when they may not
even know it exists."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.people.models import Official, OfficialRole, Role, User

from .models import Report

HANDLER_ROLES = (Role.SPECIALIST, Role.LEADER)


def official_of(user) -> Official | None:
    """The active official behind this user (None for anonymous users and citizens)."""
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
    cached = getattr(official, "_feedback_roles", None)
    if cached is None:
        cached = set(OfficialRole.objects.filter(official=official).values_list("role", flat=True))
        official._feedback_roles = cached
    return cached


def is_coordinator(user) -> bool:
    return Role.PROVINCE_ADMIN in roles_of(user)


def require_coordinator(user) -> None:
    if not is_coordinator(user):
        raise PermissionDenied(_("Chỉ điều phối viên cấp tỉnh (quản trị cấp tỉnh) được thực hiện thao tác này."))


def handler_agency_id(user) -> int | None:
    """The agency whose reports this user answers (a specialist or leader), else None."""
    official = official_of(user)
    if official is None:
        return None
    if any(role in roles_of(user) for role in HANDLER_ROLES):
        return official.agency_id
    return None


def require_handler(user, report: Report) -> None:
    agency_id = handler_agency_id(user)
    if agency_id is None or report.agency_id is None or agency_id != report.agency_id:
        raise PermissionDenied(_("Phản ánh này không được giao cho cơ quan của bạn."))


def is_reporter(user, report: Report) -> bool:
    return bool(getattr(user, "is_authenticated", False) and report.reporter_id == user.pk)


def require_reporter(user, report: Report) -> None:
    if not is_reporter(user, report):
        raise PermissionDenied(_("Chỉ người gửi phản ánh mới được thực hiện thao tác này."))


def report_for_reporter(user, public_id: str) -> Report:
    report = Report.objects.filter(public_id=public_id).select_related("category", "commune").first()
    if report is None or not is_reporter(user, report):
        raise Http404(_("Không tìm thấy phản ánh."))
    return report


def report_for_coordinator(user, public_id: str) -> Report:
    require_coordinator(user)
    report = Report.objects.filter(public_id=public_id).select_related("category", "commune", "agency", "reporter").first()
    if report is None:
        raise Http404(_("Không tìm thấy phản ánh."))
    return report


def report_for_handler(user, public_id: str) -> Report:
    """A report routed to the user's agency; 404 for any other (the agency never learns of others)."""
    agency_id = handler_agency_id(user)
    report = Report.objects.filter(public_id=public_id).select_related("category", "commune", "agency").first()
    if report is None or agency_id is None or report.agency_id != agency_id:
        raise Http404(_("Không tìm thấy phản ánh."))
    return report

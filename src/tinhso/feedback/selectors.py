"""Reads of reports, scoped by who asks.

The public and the handling agency get plain dicts built from an explicit list of fields that never
includes the reporter (`reporter`, `reporter_name`, `reporter_email`, `reporter_phone`, `device_id`,
`account_id`, `api_key`): what is not read cannot leak. Only the coordinator gets model instances."""
from __future__ import annotations

from django.db.models import QuerySet

from tinhso.places.models import Agency, Commune

from . import access, states
from .models import Category, Report, ReportEvent, ReportPhoto, RoutingRule

State = Report.State

PUBLIC_FIELDS = (
    "id", "public_id", "category_id", "category__code", "category__name", "description", "attributes", "lat", "long",
    "address", "commune_id", "commune__name", "urgency", "state", "agency_id", "agency__name", "answer", "due_at",
    "accepted_at", "answered_at", "closed_at", "rating", "reject_reason", "reject_note", "created_at", "updated_at",
)
REPORTER_FIELDS = ("reporter", "reporter_id", "reporter_name", "reporter_email", "reporter_phone", "device_id",
                   "account_id", "api_key", "api_key_id")


def _labels(row: dict) -> dict:
    row["state_label"] = str(State(row["state"]).label)
    row["urgency_label"] = str(Report.Urgency(row["urgency"]).label)
    row["rating_label"] = str(Report.Rating(row["rating"]).label) if row.get("rating") else ""
    row["reject_reason_label"] = str(Report.RejectReason(row["reject_reason"]).label) if row.get("reject_reason") else ""
    return row


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(active=True).order_by("position", "name")


def communes_of_installation() -> QuerySet[Commune]:
    from django.conf import settings

    return Commune.objects.filter(province_id=settings.PROVINCE_CODE).order_by("name")


def reports_public(*, category: str = "", commune: str = "", state: str = "") -> QuerySet:
    """Accepted reports and their answers (never new or rejected ones), newest first, as dicts without
    any reporter field. Filters: category code, commune code, state."""
    qs = Report.objects.filter(state__in=states.PUBLIC_STATES)
    if category:
        qs = qs.filter(category__code=category)
    if commune:
        qs = qs.filter(commune_id=commune)
    if state:
        qs = qs.filter(state=state) if state in states.PUBLIC_STATES else qs.none()
    return qs.order_by("-created_at", "-id").values(*PUBLIC_FIELDS)


def report_public(*, public_id: str) -> dict | None:
    """One public report with its visible photos and public history; None when it is not public."""
    row = (Report.objects.filter(public_id=public_id, state__in=states.PUBLIC_STATES)
           .values(*PUBLIC_FIELDS).first())
    if row is None:
        return None
    return _with_details(_labels(row))


def _with_details(row: dict) -> dict:
    row["photos"] = list(ReportPhoto.objects.filter(report_id=row["id"], hidden=False)
                         .order_by("id").values("id", "width", "height"))
    row["events"] = list(ReportEvent.objects.filter(report_id=row["id"], public=True)
                         .order_by("id").values("at", "action", "to_state", "note"))
    for e in row["events"]:
        e["state_label"] = str(State(e["to_state"]).label) if e["to_state"] in State.values else ""
    return row


def photo_public(*, public_id: str, photo_id: int) -> ReportPhoto | None:
    """A photo the public may see: of a public report, not hidden."""
    return ReportPhoto.objects.filter(pk=photo_id, report__public_id=public_id, hidden=False,
                                      report__state__in=states.PUBLIC_STATES).first()


def photo_for_viewer(*, user, public_id: str, photo_id: int) -> ReportPhoto | None:
    """A photo for the coordinator (hidden ones too), the handling agency or the reporter; else the public rule."""
    photo = ReportPhoto.objects.select_related("report").filter(pk=photo_id, report__public_id=public_id).first()
    if photo is None:
        return None
    report = photo.report
    if access.is_coordinator(user):
        return photo
    if not photo.hidden and (access.is_reporter(user, report)
                             or (report.agency_id and access.handler_agency_id(user) == report.agency_id)):
        return photo
    return photo_public(public_id=public_id, photo_id=photo_id)


def reports_of_reporter(*, user) -> QuerySet[Report]:
    if not getattr(user, "is_authenticated", False):
        return Report.objects.none()
    return Report.objects.filter(reporter=user).select_related("category", "commune").order_by("-created_at", "-id")


def report_history_for_reporter(*, report: Report) -> list[ReportEvent]:
    return list(report.events.filter(public=True).order_by("id"))


def coordinator_queue(*, user, state: str = State.NEW) -> QuerySet[Report]:
    """The coordinator's queue (new reports by default, urgent first, oldest first)."""
    access.require_coordinator(user)
    qs = Report.objects.select_related("category", "commune", "agency")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-urgency", "created_at", "id") if state == State.NEW else qs.order_by("-updated_at", "-id")


def agency_queue(*, user, state: str = "") -> QuerySet:
    """The reports routed to the user's agency that are still to handle (or in `state`), as dicts
    without any reporter field; due first."""
    agency_id = access.handler_agency_id(user)
    if agency_id is None:
        from django.core.exceptions import PermissionDenied
        from django.utils.translation import gettext as _

        raise PermissionDenied(_("Trang này dành cho chuyên viên và lãnh đạo của cơ quan xử lý."))
    qs = Report.objects.filter(agency_id=agency_id)
    qs = qs.filter(state=state) if state else qs.filter(state__in=(State.ASSIGNED, State.IN_PROGRESS))
    return qs.order_by("due_at", "id").values(*PUBLIC_FIELDS)


def report_for_agency(*, user, public_id: str) -> dict:
    """One report of the user's agency, without the reporter (404 otherwise)."""
    report = access.report_for_handler(user, public_id)
    row = Report.objects.filter(pk=report.pk).values(*PUBLIC_FIELDS).first()
    return _with_details(_labels(row))


def routing_rules() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("category", "commune", "agency").order_by(
        "category__position", "category__name", "commune__name")


def agencies_active() -> QuerySet[Agency]:
    return Agency.objects.filter(active=True).order_by("code")


def timeliness(*, due_at, state: str, now=None) -> str:
    """"ok" | "soon" | "late" | "" (no clock) for a report's due time."""
    from datetime import timedelta

    from django.utils import timezone

    from tinhso.workcal import selectors as workcal

    if due_at is None or state not in states.OPEN_STATES:
        return ""
    now = now or timezone.now()
    if due_at <= now:
        return "late"
    if due_at <= workcal.current_calendar().add_working(now, timedelta(hours=8)):
        return "soon"
    return "ok"


# --- the coordinator's administration pages ------------------------------------------------------------

def apikeys(*, user) -> QuerySet:
    """Every Open311 API key (name, state, date; never a key: only hashes are stored), newest first."""
    from .models import ApiKey

    access.require_coordinator(user)
    return ApiKey.objects.order_by("-active", "-created_at", "-id")


def duty_officers(*, user) -> QuerySet:
    from .models import DutyOfficer

    access.require_coordinator(user)
    return DutyOfficer.objects.filter(active=True).select_related("commune", "user", "user__official__agency").order_by(
        "commune__name", "user__full_name")


def officials_for_duty(*, user) -> QuerySet:
    """Active officials with an e-mail address, who can be put on duty for a commune."""
    from tinhso.people.models import User

    access.require_coordinator(user)
    return (User.objects.filter(kind=User.Kind.OFFICIAL, is_active=True, official__isnull=False)
            .exclude(email="").select_related("official__agency").order_by("full_name", "username"))


def categories_all(*, user) -> QuerySet[Category]:
    from django.db.models import Count

    access.require_coordinator(user)
    return Category.objects.annotate(n_attributes=Count("attributes", distinct=True)).order_by("position", "name")


def dossiers_of_reporter(*, user) -> list:
    """The citizen's own dossiers that have a code, newest first: what a report may complain about."""
    from tinhso.dossiers import selectors as dossiers

    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != "citizen":
        return []
    return list(dossiers.dossiers_for_citizen(user=user).filter(code__isnull=False)
                .only("id", "code", "procedure_name", "created_at", "agency")[:100])


def report_dossier(*, report_id: int) -> dict | None:
    """The dossier a report is about (code and id) for the coordinator's and the agency's pages."""
    row = Report.objects.filter(pk=report_id, dossier__isnull=False).values("dossier_id", "dossier__code").first()
    return {"id": row["dossier_id"], "code": row["dossier__code"]} if row else None

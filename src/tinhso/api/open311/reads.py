"""What Open311 may read of the feedback domain: active categories, public reports, public updates.

Visibility (the issue: "every accepted report and its answer is public"; the reporter is never shown):
- the list of requests and the list of updates show only reports in feedback.states.PUBLIC_STATES
  (accepted, assigned, in progress, answered, closed): not `new` (not yet reviewed by the coordinator)
  nor `rejected`;
- a request asked for by its id (GET requests/{id}, `service_request_id=` in the list, tokens) is found
  in every state, so that the client who sent it can follow it; while it is `new` or `rejected` only its
  id, service, status, status notes and dates are given (description, address, position, photos are not
  public before the coordinator accepts it).
No read ever touches the reporter's fields."""
from __future__ import annotations

import datetime as dt
from django.db.models import Prefetch, QuerySet

from tinhso.feedback import refcache
from tinhso.feedback.models import ApiKey, Category, Report, ReportEvent, ReportPhoto
from tinhso.feedback.services import apikey_hash
from tinhso.feedback.states import PUBLIC_STATES
from tinhso.places.models import Commune

State = Report.State
LIMIT = 1000  # the specification: at most 1000 requests in one answer

OPEN = "open"
CLOSED = "closed"
STATES_OF_STATUS = {
    OPEN: (State.NEW, State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS),
    CLOSED: (State.ANSWERED, State.CLOSED, State.REJECTED),
}


def status_of(state: str) -> str:
    return OPEN if state in STATES_OF_STATUS[OPEN] else CLOSED


def is_public(report: Report) -> bool:
    return report.state in PUBLIC_STATES


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True).prefetch_related("attributes").order_by("position", "name")


def reference() -> refcache.Reference:
    """Categories and API keys as kept by this process, checked against the database's stamp (one small
    query; see feedback.refcache): a revoked key or a withdrawn category is refused at once, by every
    process. Read the objects, never change them."""
    return refcache.current()


def reference_kept() -> refcache.Reference:
    """Categories and API keys as kept by this process, NOT checked (no query): only for a creation, whose
    write checks them (see feedback.services.report_create)."""
    return refcache.kept()


def reference_is_current(ref: refcache.Reference) -> bool:
    return refcache.is_current(ref)


def active_category(code: str, *, with_attributes: bool = True, ref: refcache.Reference | None = None) -> Category | None:
    """The active category with this code; without its attributes, the instance kept by this process."""
    if not with_attributes:
        return (ref or reference()).category(code)
    return Category.objects.filter(code=code, active=True).prefetch_related("attributes").first()


def api_key_find(raw: str | None, *, ref: refcache.Reference | None = None) -> ApiKey | None:
    """The active API key whose SHA-256 matches `raw` (kept by this process, see `reference`)."""
    if not raw:
        return None
    return (ref or reference()).api_key(apikey_hash(raw))


def commune_find(code: str) -> Commune | None:
    return Commune.objects.filter(code=code).first()


def _reports() -> QuerySet[Report]:
    visible_photos = ReportPhoto.objects.filter(hidden=False).order_by("id")
    return (Report.objects.select_related("category", "agency", "commune")
            .prefetch_related(Prefetch("photos", queryset=visible_photos, to_attr="visible_photos"))
            .defer("reporter_name", "reporter_email", "reporter_phone", "device_id", "account_id",
                   "reject_note", "rating_comment"))


def requests_by_ids(ids: list[str]) -> list[Report]:
    """The requests with these ids, in any state (see the module's note), newest first."""
    return list(_reports().filter(public_id__in=ids[:LIMIT]).order_by("-created_at", "-id"))


def requests_search(*, start: dt.datetime, end: dt.datetime, codes: list[str], statuses: list[str]) -> list[Report]:
    """Public requests sent between start and end (inclusive), newest first, at most 1000."""
    qs = _reports().filter(state__in=PUBLIC_STATES, created_at__gte=start, created_at__lte=end)
    if codes:
        qs = qs.filter(category__code__in=codes)
    if statuses:
        states = {s for status in statuses for s in STATES_OF_STATUS[status]}
        qs = qs.filter(state__in=states)
    return list(qs.order_by("-created_at", "-id")[:LIMIT])


def request_by_id(public_id: str) -> Report | None:
    return _reports().filter(public_id=public_id).first()


def updates_search(*, start: dt.datetime, end: dt.datetime, ids: list[str]) -> list[ReportEvent]:
    """Public events of public reports between start and end, oldest first, at most 1000."""
    qs = (ReportEvent.objects.filter(public=True, report__state__in=PUBLIC_STATES, at__gte=start, at__lte=end)
          .select_related("report").only("id", "at", "to_state", "note", "report__public_id", "report__state"))
    if ids:
        qs = qs.filter(report__public_id__in=ids)
    return list(qs.order_by("at", "id")[:LIMIT])

"""Reads of reports, scoped by who asks.

The public and the handling agency get plain dicts built from an explicit list of fields that never
includes the reporter (`reporter`, `reporter_name`, `reporter_email`, `reporter_phone`, `device_id`,
`account_id`, `api_key`): what is not read cannot leak. Only the coordinator gets model instances."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils import timezone
from django.utils.dateparse import parse_datetime

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


def _labels(row: dict, *, rating: bool = True) -> dict:
    row["state_label"] = str(State(row["state"]).label)
    row["urgency_label"] = str(Report.Urgency(row["urgency"]).label)
    if rating:
        row["rating_label"] = str(Report.Rating(row["rating"]).label) if row.get("rating") else ""
        row["reject_reason_label"] = str(Report.RejectReason(row["reject_reason"]).label) if row.get("reject_reason") else ""
    return row


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(active=True).order_by("position", "name")


def communes_of_installation() -> QuerySet[Commune]:
    from django.conf import settings

    return Commune.objects.filter(province_id=settings.PROVINCE_CODE).order_by("name")


_COMMUNE_CHOICES: tuple[float, list[tuple[str, str]]] | None = None
COMMUNE_CHOICES_SECONDS = 600.0  # communes change only with the national data (migrations)


def commune_choices() -> list[tuple[str, str]]:
    """(code, name) of the installation's communes, by name, kept in this process for a few minutes."""
    import time

    global _COMMUNE_CHOICES
    kept = _COMMUNE_CHOICES
    if kept is None or time.monotonic() - kept[0] > COMMUNE_CHOICES_SECONDS:
        kept = (time.monotonic(), list(communes_of_installation().values_list("code", "name")))
        _COMMUNE_CHOICES = kept
    return kept[1]


def category_choices() -> list[tuple[str, str]]:
    """(code, name) of the active categories in their order, from the reference data kept in this process."""
    from . import refcache

    cats = sorted((c for c in refcache.current().categories.values() if c.active), key=lambda c: (c.position, c.name))
    return [(c.code, c.name) for c in cats]


def reference():
    """The categories, their questions and the API keys as kept by this process, checked against the
    database's stamp (one small query, see refcache.py). Pass it on to `category_questions` and
    `services.report_create(reference=...)` to check once per request. Read it, never change it."""
    from . import refcache

    return refcache.current()


def category_questions(*, reference=None) -> list[tuple[Category, tuple]]:
    """(category, its questions in order) of the active categories that have questions, in the categories'
    order, from the reference data kept in this process: the same questions `services.report_create`
    checks the answers against. Read them, never change them."""
    from . import refcache

    ref = reference if reference is not None else refcache.current()
    cats = sorted((c for c in ref.categories.values() if c.active and ref.attributes_of(c.pk)),
                  key=lambda c: (c.position, c.name))
    return [(c, ref.attributes_of(c.pk)) for c in cats]


def report_answers(*, category_id: int, attributes: dict | None) -> list[dict]:
    """The answers stored in Report.attributes, for display: {"question", "answer" (text), "at" (an aware
    datetime for a datetime question, else None)}, in the questions' order; a list answer shows the
    choices' names; an answer to a question since removed shows its code."""
    from . import refcache

    attributes = dict(attributes or {})
    out = []
    for attr in refcache.current().attributes_of(category_id):
        if attr.code not in attributes:
            continue
        value = attributes.pop(attr.code)
        names = {str(v.get("key")): v.get("name") or v.get("key") for v in (attr.values or [])}
        at = None
        if isinstance(value, list):
            text = ", ".join(str(names.get(str(v), v)) for v in value)
        elif attr.datatype in ("singlevaluelist", "multivaluelist"):
            text = str(names.get(str(value), value))
        else:
            text = str(value)
            if attr.datatype == "datetime":
                try:
                    at = parse_datetime(text)
                except ValueError:  # stored before answers were checked: shown as text
                    at = None
                if at is not None and timezone.is_naive(at):
                    at = timezone.make_aware(at, timezone.get_default_timezone())
        out.append({"question": attr.description, "answer": text, "at": at})
    for code, value in attributes.items():
        out.append({"question": code, "answer": ", ".join(map(str, value)) if isinstance(value, list) else str(value),
                    "at": None})
    return out


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


LIST_FIELDS = ("id", "public_id", "category__name", "commune__name", "urgency", "state", "description", "answer",
               "created_at")
COUNT_SECONDS = 300  # a list's count is kept this long at most (and only while nothing public changes)


class _CountedPaginator(Paginator):
    """A paginator whose count is given (cached), not asked of the database."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def reports_public_page(*, category: str = "", commune: str = "", state: str = "", page=1, size: int = 20):
    """One page (a Django `Page`, newest first) of the public list, filtered by category code, commune code
    and state; its rows are dicts of LIST_FIELDS with their labels, never a reporter field.

    Made for 200,000 reports (bench/reports_read.py): the category is resolved in Python (refcache), so
    every filter is a column of one of the indexes `report_*_newest` that also give the order; the count
    (`COUNT(*)` over up to every public report) is kept in the shared cache for COUNT_SECONDS under the
    public version (public_version.py), so it is counted again only after a visible change."""
    from django.core.cache import cache

    from . import public_version, refcache

    qs = Report.objects.filter(state__in=states.PUBLIC_STATES)
    key = ["feedback:count", public_version.current()]
    if category:
        cat = refcache.current().categories.get(category)
        qs = qs.filter(category_id=cat.pk) if cat is not None else qs.none()
        key.append(f"c{cat.pk if cat else '-'}")
    if commune:
        known = commune in {code for code, _name in commune_choices()}  # no count for made-up codes
        qs = qs.filter(commune_id=commune) if known else qs.none()
        key.append(f"x{commune if known else '-'}")
    if state:
        qs = qs.filter(state=state) if state in states.PUBLIC_STATES else qs.none()
        key.append(f"s{state}")
    count_key = ":".join(key)
    count = cache.get(count_key)
    if count is None:
        count = qs.count()
        cache.set(count_key, count, COUNT_SECONDS)
    rows = qs.order_by("-created_at", "-id").values(*LIST_FIELDS)
    result = _CountedPaginator(rows, size, count=count).get_page(page)
    result.object_list = [_labels(dict(r), rating=False) for r in result.object_list]
    return result


def report_public(*, public_id: str) -> dict | None:
    """One public report with its visible photos and public history; None when it is not public.

    Two plain SQL statements (the report with its category, commune and agency names; its visible photos
    and public events together) instead of three ORM queries: building an ORM query costs more than
    running it, and this page is read at random across every report (bench/reports_read.py). The dict
    has the same keys as `PUBLIC_FIELDS` (never a reporter field)."""
    row = _public_row(public_id)
    if row is None:
        return None
    row = _labels(row)
    row["photos"], row["events"] = [], []
    with connection.cursor() as cur:
        cur.execute(_DETAILS_SQL, [row["id"], row["id"]])
        for kind, pk, width, height, at, action, to_state, note in cur.fetchall():
            if kind == 0:
                row["photos"].append({"id": pk, "width": width, "height": height})
            else:
                row["events"].append({"at": _aware(at), "action": action, "to_state": to_state, "note": note,
                                      "state_label": str(State(to_state).label) if to_state in State.values else ""})
    return row


def _sql_names():
    r, c = Report._meta, Category._meta
    col = {f: r.get_field(f).column for f in (
        "id", "public_id", "category", "description", "attributes", "lat", "long", "address", "commune", "urgency",
        "state", "agency", "answer", "due_at", "accepted_at", "answered_at", "closed_at", "rating", "reject_reason",
        "reject_note", "created_at", "updated_at")}
    col["category_pk"], col["commune_pk"], col["agency_pk"] = c.pk.column, Commune._meta.pk.column, Agency._meta.pk.column
    return r.db_table, c.db_table, Commune._meta.db_table, Agency._meta.db_table, col


_R, _C, _M, _A, _COL = _sql_names()
# (dict key, SQL expression), in PUBLIC_FIELDS order
_PUBLIC_COLUMNS = (
    ("id", f"r.{_COL['id']}"), ("public_id", f"r.{_COL['public_id']}"), ("category_id", f"r.{_COL['category']}"),
    ("category__code", "c.code"), ("category__name", "c.name"), ("description", f"r.{_COL['description']}"),
    ("attributes", f"r.{_COL['attributes']}"), ("lat", f"r.{_COL['lat']}"), ("long", f"r.{_COL['long']}"),
    ("address", f"r.{_COL['address']}"), ("commune_id", f"r.{_COL['commune']}"), ("commune__name", "m.name"),
    ("urgency", f"r.{_COL['urgency']}"), ("state", f"r.{_COL['state']}"), ("agency_id", f"r.{_COL['agency']}"),
    ("agency__name", "a.name"), ("answer", f"r.{_COL['answer']}"), ("due_at", f"r.{_COL['due_at']}"),
    ("accepted_at", f"r.{_COL['accepted_at']}"), ("answered_at", f"r.{_COL['answered_at']}"),
    ("closed_at", f"r.{_COL['closed_at']}"), ("rating", f"r.{_COL['rating']}"),
    ("reject_reason", f"r.{_COL['reject_reason']}"), ("reject_note", f"r.{_COL['reject_note']}"),
    ("created_at", f"r.{_COL['created_at']}"), ("updated_at", f"r.{_COL['updated_at']}"),
)
assert tuple(k for k, _ in _PUBLIC_COLUMNS) == PUBLIC_FIELDS
_DATETIMES = ("due_at", "accepted_at", "answered_at", "closed_at", "created_at", "updated_at")
_PUBLIC_SQL = (
    f"SELECT {', '.join(e for _, e in _PUBLIC_COLUMNS)} FROM {_R} r "
    f"INNER JOIN {_C} c ON c.{_COL['category_pk']} = r.{_COL['category']} "
    f"LEFT OUTER JOIN {_M} m ON m.{_COL['commune_pk']} = r.{_COL['commune']} "
    f"LEFT OUTER JOIN {_A} a ON a.{_COL['agency_pk']} = r.{_COL['agency']} "
    f"WHERE r.{_COL['public_id']} = %s AND r.{_COL['state']} IN ({', '.join(['%s'] * len(states.PUBLIC_STATES))})"
)
_DETAILS_SQL = (
    f"SELECT 0, id, width, height, NULL, NULL, NULL, NULL FROM {ReportPhoto._meta.db_table} "
    f"WHERE report_id = %s AND NOT hidden "
    f"UNION ALL SELECT 1, id, NULL, NULL, at, action, to_state, note FROM {ReportEvent._meta.db_table} "
    f"WHERE report_id = %s AND public ORDER BY 1, 2"
)


def _aware(value):
    """A datetime read by plain SQL as the ORM gives it: aware (SQLite gives naive UTC, or text in a UNION)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.timezone.utc)
    return value


def _public_row(public_id: str) -> dict | None:
    with connection.cursor() as cur:
        cur.execute(_PUBLIC_SQL, [public_id, *states.PUBLIC_STATES])
        values = cur.fetchone()
    if values is None:
        return None
    row = dict(zip(PUBLIC_FIELDS, values))
    for key in _DATETIMES:
        row[key] = _aware(row[key])
    for key in ("lat", "long"):
        if row[key] is not None and not isinstance(row[key], Decimal):
            row[key] = Decimal(str(row[key])).quantize(Decimal("0.000001"))
    if isinstance(row["attributes"], str):
        row["attributes"] = json.loads(row["attributes"] or "{}")
    return row


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

"""Reads of reports, scoped by who asks.

The public and the handling agency get plain dicts built from an explicit list of fields that never
includes the reporter (`reporter`, `reporter_name`, `reporter_email`, `reporter_phone`, `device_id`,
`account_id`, `api_key`): what is not read cannot leak. Only the coordinator gets model instances."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import NotSupportedError, connection
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
    """One public report as its public page shows it, with its visible photos and public history; None when
    it is not public.

    ONE plain SQL statement (the report with its category, commune and agency names, then its visible photos,
    then its public events, as rows of a UNION ALL): this page is read at random across every report
    (bench/reports_read.py), so nearly every request runs it, and each round trip to the database costs
    about as much as reading the row. The dict holds PAGE_FIELDS (never a reporter field: none is read),
    their labels, "photos" [{"id", "width", "height"}] and "events" [{"at", "action", "to_state", "note",
    "state_label"}], both in id order."""
    rows = _fetch_prepared(_PAGE_SQL, [public_id, *states.PUBLIC_STATES])
    if not rows or rows[0][0] != 0:
        return None
    row = dict(zip(PAGE_FIELDS, rows[0][2:2 + len(PAGE_FIELDS)]))
    for key in ("due_at", "answered_at", "created_at"):
        row[key] = _aware(row[key])
    for key in ("lat", "long"):
        if row[key] is not None and not isinstance(row[key], Decimal):
            row[key] = Decimal(str(row[key])).quantize(Decimal("0.000001"))
    labels = _page_labels()
    row["state_label"] = labels[row["state"]]
    row["urgency_label"] = labels["urgency:" + row["urgency"]]
    row["rating_label"] = labels["rating:" + row["rating"]] if row["rating"] else ""
    photos, events = [], []
    for kind, pk, *_report, width, height, at, action, to_state, note in rows[1:]:
        if kind == 1:
            photos.append({"id": pk, "width": width, "height": height})
        else:
            events.append({"at": _aware(at), "action": action, "to_state": to_state, "note": note,
                           "state_label": labels.get(to_state, "")})
    row["photos"], row["events"] = photos, events
    return row


_LABELS: dict[str, dict[str, str]] = {}


def _page_labels() -> dict[str, str]:
    """The states', urgencies' and ratings' labels in the active language, translated once per language."""
    from django.utils.translation import get_language

    lang = get_language() or ""
    labels = _LABELS.get(lang)
    if labels is None:
        labels = {value: str(label) for value, label in State.choices}
        labels.update({f"urgency:{value}": str(label) for value, label in Report.Urgency.choices})
        labels.update({f"rating:{value}": str(label) for value, label in Report.Rating.choices})
        _LABELS[lang] = labels
    return labels


# What the public page of a report shows (report_public): never a reporter field.
PAGE_FIELDS = ("public_id", "category__name", "description", "lat", "long", "address", "commune__name", "urgency",
               "state", "agency__name", "answer", "due_at", "answered_at", "rating", "created_at")


def _page_sql() -> str:
    r, c, p, e = Report._meta, Category._meta, ReportPhoto._meta, ReportEvent._meta
    rc = lambda name: r.get_field(name).column  # noqa: E731
    pc = lambda name: p.get_field(name).column  # noqa: E731
    ec = lambda name: e.get_field(name).column  # noqa: E731
    report_columns = {
        "public_id": f"r.{rc('public_id')}", "category__name": "c.name", "description": f"r.{rc('description')}",
        "lat": f"r.{rc('lat')}", "long": f"r.{rc('long')}", "address": f"r.{rc('address')}",
        "commune__name": "m.name", "urgency": f"r.{rc('urgency')}", "state": f"r.{rc('state')}",
        "agency__name": "a.name", "answer": f"r.{rc('answer')}", "due_at": f"r.{rc('due_at')}",
        "answered_at": f"r.{rc('answered_at')}", "rating": f"r.{rc('rating')}", "created_at": f"r.{rc('created_at')}",
    }
    assert tuple(report_columns) == PAGE_FIELDS
    nulls = ", ".join(["NULL"] * len(PAGE_FIELDS))
    # Columns: kind (0 report, 1 photo, 2 event), item id, PAGE_FIELDS, photo width and height, event at,
    # action, to_state, note. The report's row types its NULLs: PostgreSQL types a column of a UNION from
    # its branches two by two, and NULL with NULL would make a text column that a timestamp cannot join.
    return (
        f"WITH pr AS (SELECT r.{rc('id')} AS id, "
        + ", ".join(f"{expr} AS f{i}" for i, expr in enumerate(report_columns.values()))
        + f" FROM {r.db_table} r"
        f" INNER JOIN {c.db_table} c ON c.{c.pk.column} = r.{rc('category')}"
        f" LEFT OUTER JOIN {Commune._meta.db_table} m ON m.{Commune._meta.pk.column} = r.{rc('commune')}"
        f" LEFT OUTER JOIN {Agency._meta.db_table} a ON a.{Agency._meta.pk.column} = r.{rc('agency')}"
        f" WHERE r.{rc('public_id')} = %s AND r.{rc('state')} IN ({', '.join(['%s'] * len(states.PUBLIC_STATES))}))"
        f" SELECT 0, 0, {', '.join(f'pr.f{i}' for i in range(len(PAGE_FIELDS)))}, CAST(NULL AS integer),"
        f" CAST(NULL AS integer), CAST(NULL AS timestamp with time zone), CAST(NULL AS varchar(30)),"
        f" CAST(NULL AS varchar(12)), CAST(NULL AS text) FROM pr"
        f" UNION ALL SELECT 1, p.{p.pk.column}, {nulls}, p.{pc('width')}, p.{pc('height')}, NULL, NULL, NULL, NULL"
        f" FROM {p.db_table} p INNER JOIN pr ON p.{pc('report')} = pr.id WHERE NOT p.{pc('hidden')}"
        f" UNION ALL SELECT 2, e.{e.pk.column}, {nulls}, NULL, NULL, e.{ec('at')}, e.{ec('action')},"
        f" e.{ec('to_state')}, e.{ec('note')}"
        f" FROM {e.db_table} e INNER JOIN pr ON e.{ec('report')} = pr.id WHERE e.{ec('public')}"
        " ORDER BY 1, 2"
    )


_PAGE_SQL = _page_sql()


_PREPARED_CURSOR = None


def _fetch_prepared(sql: str, params: list) -> list[tuple]:
    """The rows of one read statement. On PostgreSQL the statement is prepared on the server once per
    connection (psycopg keeps the prepared statements of each connection): planning the page's statement
    cost several times running it (about 1 ms against 0.2 ms for bench/reports_read.py's report page).
    Django turns psycopg's preparing off (OPTIONS prepare_threshold None, for connection poolers in
    transaction mode; pgbouncer 1.21+ with max_prepared_statements handles protocol-level prepared
    statements); settings.py sets a threshold out of reach instead (TINHSO_PG_PREPARED=0: None again), so
    psycopg prepares only what is run here with prepare=True. The cursor goes through Django's wrapper: the
    statement is counted and logged like any other, and its errors are Django's."""
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    global _PREPARED_CURSOR
    if _PREPARED_CURSOR is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparedCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):
                return super().execute(query, params, prepare=True, binary=binary)

        _PREPARED_CURSOR = PreparedCursor
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = _PREPARED_CURSOR(connection.connection)
    try:
        with connection._prepare_cursor(raw) as cur:  # Django's (debug) wrapper: counted, logged, errors wrapped
            cur.execute(sql, params)
            return cur.fetchall()
    except NotSupportedError:
        # "cached plan must not change result type": a migration changed a column under this connection's
        # prepared statement. A new connection prepares it again: the old one is dropped at once outside a
        # transaction; inside one, this request fails and the connection is dropped at its end.
        if connection.in_atomic_block:
            connection.close_at = 0
            raise
        connection.close()
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()


def _aware(value):
    """A datetime read by plain SQL as the ORM gives it: aware (SQLite gives naive UTC, or text in a UNION)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.timezone.utc)
    return value


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

"""What the operations centre (IOC) and the scoring pages read. Every figure comes from the rollups
(daily rows, `AgencyNow`) plus the few "right now" counts that depend on the clock, which come from
the dossier / report tables through their indexes on open items (never a scan of every dossier).

Callers check who may see what first (`access.py`): these functions answer for any scope.
Every function takes `now=` (default: the current time) so that a screen, a test or a report can be
reproduced exactly. Periods and scopes: `periods.py`. Index 766: `index766.py`.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tinhso.dossiers.models import Dossier
from tinhso.dossiers.states import OPEN_STATES, PAUSED_STATES, State
from tinhso.feedback.models import Report
from tinhso.places.models import Agency, Commune

from . import index766 as i766
from .evaluation import official_evaluation, officials_table  # noqa: F401  (part of this interface)
from .models import (DOSSIER_COUNTERS, NOW_COUNTERS, REPORT_COUNTERS, AgencyNow, DossierDaily, DossierDailyAgency,
                     DossierFact, ReportDaily)
from .periods import Period, Scope, period_of, scope_agency, scope_commune, scope_province, today_local

RUNNING = (State.RECEIVED, State.PROCESSING)
REPORT_RUNNING = (Report.State.ACCEPTED, Report.State.ASSIGNED, Report.State.IN_PROGRESS)
REPORT_OPEN = (Report.State.NEW, *REPORT_RUNNING)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _pct(num: int, den: int) -> Decimal | None:
    return i766.q2(Decimal(num) * 100 / Decimal(den)) if den else None


# --- sums from the rollups ----------------------------------------------------------------------------

def _days(qs, period: Period | None, field: str = "day"):
    if period is None:
        return qs
    return qs.filter(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def _as_day(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _raw_sums(model, names, *, period: Period | None = None, agency_ids=None, commune_code: str | None = None,
              group: str | None = None):
    """SUM of each counter in `names` over the rows of `model` in `period` (and of these agencies / this
    commune), optionally GROUP BY one key column. One plain SQL statement: these sums run on every screen,
    and building 28 ORM aggregates costs more than the query itself."""
    q = connection.ops.quote_name
    where, params = [], []
    if period is not None:
        where += [f"{q('day')} >= %s", f"{q('day')} < %s"]
        params += [period.start, period.end]
    if agency_ids is not None:
        ids = [int(i) for i in agency_ids]
        where.append(f"{q('agency_id')} IN ({', '.join(['%s'] * len(ids))})" if ids else "1 = 0")
        params += ids
    if commune_code is not None:
        where.append(f"{q('commune_code')} = %s")
        params.append(commune_code)
    cols = ", ".join(f"SUM({q(n)})" for n in names)
    sql = f"SELECT {q(group) + ', ' if group else ''}{cols} FROM {q(model._meta.db_table)}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if group:
        sql += f" GROUP BY {q(group)}"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if group is None:
        return {n: int(v or 0) for n, v in zip(names, rows[0])}
    return {row[0]: {n: int(v or 0) for n, v in zip(names, row[1:])} for row in rows}


def dossier_sums(period: Period | None, agency_ids=None) -> dict:
    """The dossier counters summed over the daily agency rows of the period (and of these agencies)."""
    return _raw_sums(DossierDailyAgency, DOSSIER_COUNTERS, period=period, agency_ids=agency_ids)


def report_sums(scope: Scope, period: Period | None) -> dict:
    return _raw_sums(ReportDaily, REPORT_COUNTERS, period=period, **_report_filter(scope))


def _report_filter(scope: Scope) -> dict:
    if scope.kind == "agency":
        return {"agency_ids": scope.agency_ids}
    if scope.kind == "commune":
        return {"commune_code": scope.code}
    return {}


def _report_table_qs(scope: Scope):
    qs = Report.objects.all()
    if scope.kind == "agency":
        qs = qs.filter(agency_id__in=list(scope.agency_ids))
    elif scope.kind == "commune":
        qs = qs.filter(commune_id=scope.code)
    return qs


def _in_period(qs, period: Period | None, field: str):
    if period is None:
        return qs
    start, end = period.bounds()
    return qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})


# --- "right now": the facts of the open items, through their partial indexes ----------------------------
# A fact carries its item's state and due time as of its last change, and every change of either goes
# through a service (hence through the hook): these counts are those of the dossier and report tables,
# read from small partial indexes (running items only) instead of the big tables.

# The conditions of the partial indexes, written as literals: SQLite uses a partial index only when the
# query states its condition with the same constants (a bound parameter hides them from the planner).
RUNNING_SQL = '"state" IN (2, 4)'
REPORT_RUNNING_SQL = "\"state\" IN ('accepted', 'assigned', 'in_progress')"
OPEN_SQL = '"open" = 1'
LATE_SUPP_SQL = '"open_late_supp" = 1'
DONE_LATE_SQL = '"done_late" = 1'


def _running_facts():
    return DossierFact.objects.extra(where=[RUNNING_SQL])


def late_time_counts(*, now: datetime, period: Period | None = None, agency_ids=None, by_agency: bool = False):
    """How many running dossiers are past their due time with at most one supplement request (in these
    agencies, received in the period): a number, or {agency id: number}. Plain SQL naming the partial index
    on SQLite, whose planner (without statistics) would otherwise prefer the reception-day index for a
    long period and read every fact of it."""
    q = connection.ops.quote_name
    table = q(DossierFact._meta.db_table)
    hint = " INDEXED BY scoring_fact_running_due" if connection.vendor == "sqlite" else ""
    where, params = [RUNNING_SQL, f"{q('due_at')} <= %s", f"{q('supplements')} <= 1"], [now]
    if agency_ids is not None:
        ids = [int(i) for i in agency_ids]
        where.append(f"{q('agency_id')} IN ({', '.join(['%s'] * len(ids))})" if ids else "1 = 0")
        params += ids
    if period is not None:
        where += [f"{q('received_day')} >= %s", f"{q('received_day')} < %s"]
        params += [period.start, period.end]
    select = f"{q('agency_id')}, COUNT(*)" if by_agency else "COUNT(*)"
    sql = f"SELECT {select} FROM {table}{hint} WHERE {' AND '.join(where)}"
    if by_agency:
        sql += f" GROUP BY {q('agency_id')}"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return dict(rows) if by_agency else rows[0][0]


def late_time_qs(*, now: datetime, period: Period | None = None, agency_ids=None) -> QuerySet[DossierFact]:
    """Facts of the running dossiers (2, 4) past their due time with at most one supplement request (those
    with more, late whatever the clock says, are counted by the rollups: `open_late_supp`)."""
    qs = _running_facts().filter(due_at__lte=now, supplements__lte=1)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    return _days(qs, period, "received_day")


def late_now_q(now: datetime) -> Q:
    """Late right now (DOMAIN.md §8), as a condition on dossiers: running and past the due time, or open
    with more than one supplement request."""
    return Q(state__in=RUNNING, due_at__lte=now) | Q(state__in=list(OPEN_STATES), supplement_count__gt=1)


def _report_facts(scope: Scope):
    from .models import ReportFact

    qs = ReportFact.objects.all()
    if scope.kind == "agency":
        qs = qs.filter(agency_id__in=list(scope.agency_ids))
    elif scope.kind == "commune":
        qs = qs.filter(commune_code=scope.code)
    return qs


def _reports_open_late_qs(scope: Scope, *, now: datetime, period: Period | None, clean: bool = False):
    """Facts of the running reports past their due time (received in the period); `clean`: never reopened nor
    rated unsatisfied (those are already in `bad_fixed`)."""
    qs = _days(_report_facts(scope).extra(where=[REPORT_RUNNING_SQL]).filter(due_at__lte=now), period)
    if clean:
        qs = qs.filter(reopened=0, unsatisfied=0)
    return qs


def inputs(scope: Scope, period: Period, *, now: datetime | None = None, catalog=None) -> i766.Inputs:
    now = _now(now)
    return i766.Inputs(
        d=dossier_sums(period, scope.agency_ids),
        late_time=late_time_counts(now=now, period=period, agency_ids=scope.agency_ids),
        r=report_sums(scope, period),
        r_open_late=_reports_open_late_qs(scope, now=now, period=period).count(),
        r_open_late_clean=_reports_open_late_qs(scope, now=now, period=period, clean=True).count(),
        catalog=catalog if catalog is not None else i766.catalog_stats({0: scope.agency_ids})[0],
    )


def _indicators_out(result: dict) -> dict:
    return {"indicators": [r.as_dict() for r in result["indicators"]], "total": result["total"],
            "max_points": result["max_points"],
            "groups": {g: {**v, "name": str(v["name"])} for g, v in result["groups"].items()}}


def index766(scope: Scope, period: Period, *, now: datetime | None = None) -> dict:
    """Index 766 of a scope (province, agency, commune) for a period: every indicator with its value,
    points, numerator, denominator and inputs; the total and the maximum of the scored indicators."""
    result = i766.compute(inputs(scope, period, now=now))
    return {"scope": scope.key, "scope_name": scope.name, "period": period.key, "period_label": period.label,
            **_indicators_out(result)}


# --- overviews ------------------------------------------------------------------------------------------

def _now_counts(agency_ids=None) -> dict:
    return _raw_sums(AgencyNow, NOW_COUNTERS, agency_ids=agency_ids)


def _overview(scope: Scope, period: Period, now: datetime, *, with_index: bool = False) -> dict:
    x = inputs(scope, period, now=now)
    idx = i766.compute(x)
    by_code = {r.code: r for r in idx["indicators"]}
    today = today_local(now)
    d, r = x.d, x.r
    received_today = dossier_sums(period_of("day", today), scope.agency_ids)["received"]
    now_counts = _now_counts(scope.agency_ids)
    late_now = now_counts["open_late_supp"] + late_time_counts(now=now, agency_ids=scope.agency_ids)
    report_facts = _report_facts(scope)
    hours = by_code["2.2"].value
    return {
        "scope": scope.key, "scope_name": scope.name, "period": period.key, "period_label": period.label,
        "now": now,
        "received_today": received_today,
        "received": d["received"],
        "online": d["online"],
        "online_rate": _pct(d["online"], d["received"]),
        "on_time_rate": by_code["2.1"].value,
        "finished": d["finished"], "done_on_time": d["done_on_time"], "done_late": d["done_late"],
        "open_now": now_counts["open"],
        "late_now": late_now,
        "paused_now": now_counts["paused"],
        "avg_processing_hours": hours,
        "avg_processing_days": i766.q2(hours / 8) if hours is not None else None,
        "rated": d["rated"], "rated_satisfied": d["rated_satisfied"], "rated_acceptable": d["rated_acceptable"],
        "rated_unsatisfied": d["rated_unsatisfied"],
        "satisfaction_rate": _pct(d["rated_satisfied"], d["rated"]),
        "reports_received": r["received"],
        "reports_open": report_facts.extra(where=[OPEN_SQL]).count(),
        "reports_late": report_facts.extra(where=[REPORT_RUNNING_SQL]).filter(due_at__lte=now).count(),
        "reports_satisfaction_rate": _pct(r["satisfied"], r["rated"]),
        "index766_total": idx["total"],
        "index766_max": idx["max_points"],
        **({"index766": _indicators_out(idx)} if with_index else {}),
    }


def province_overview(period: Period, *, now: datetime | None = None) -> dict:
    """The province at a glance: received today and in the period, online rate, on-time rate (766 2.1),
    late now, paused now, open now, average processing time (766 2.2), satisfaction, reports open and
    late, index 766 total."""
    return _overview(scope_province(), period, _now(now))


def commune_overview(commune: Commune, period: Period, *, now: datetime | None = None) -> dict:
    """The same figures for a commune: its agencies' dossiers, the reports located in it."""
    return _overview(scope_commune(commune), period, _now(now))


def overview(scope: Scope, period: Period, *, now: datetime | None = None) -> dict:
    """The overview figures of any scope (province, agency, commune); `agency_overview` adds procedures."""
    return _overview(scope, period, _now(now))


def agency_overview(agency: Agency, period: Period, *, now: datetime | None = None) -> dict:
    """The same figures for one agency, plus its procedures in the period and its index 766."""
    now = _now(now)
    scope = scope_agency(agency)
    out = _overview(scope, period, now, with_index=True)
    out["agency"] = {"id": agency.pk, "code": agency.code, "name": agency.name}
    rows = _raw_sums(DossierDaily, ("received", "online", "done_on_time", "done_late", "open", "cancelled",
                                    "processed", "processing_seconds"),
                     period=period, agency_ids=[agency.pk], group="procedure_id")
    from tinhso.catalog.models import Procedure

    named = {pk: (code, name) for pk, code, name in
             Procedure.objects.filter(pk__in=list(rows)).values_list("pk", "code", "name")}
    names = {pk: v[1] for pk, v in named.items()}
    codes = {pk: v[0] for pk, v in named.items()}
    out["procedures"] = sorted((
        {"procedure_id": pid, "code": codes.get(pid, ""), "name": names.get(pid, ""), **v,
         "avg_processing_hours": (i766.q2(Decimal(v["processing_seconds"]) / v["processed"] / 3600)
                                  if v["processed"] else None)}
        for pid, v in rows.items()), key=lambda r: (-r["received"], r["code"]))
    return out


# --- many units at once (commune table, rankings) ------------------------------------------------------

def _units(kind: str):
    """[(key, name, code, agency_ids)] of the ranked units: communes of the province that have an agency,
    or active agencies that handle procedures or received dossiers."""
    agencies = list(Agency.objects.filter(active=True).values("id", "code", "name", "kind", "commune_id"))
    if kind == "communes":
        by_commune = defaultdict(list)
        for a in agencies:
            if a["commune_id"]:
                by_commune[a["commune_id"]].append(a["id"])
        communes = Commune.objects.filter(pk__in=list(by_commune), province_id=settings.PROVINCE_CODE).order_by("name")
        return [(c.pk, c.name, c.pk, tuple(sorted(by_commune[c.pk]))) for c in communes]
    procedures = i766._procedures()
    with_dossiers = set(AgencyNow.objects.values_list("agency_id", flat=True))  # one row per agency that had any
    units = []
    for a in sorted(agencies, key=lambda a: a["name"]):
        if i766.remit_of(a, procedures) or a["id"] in with_dossiers:
            units.append((a["id"], a["name"], a["code"], (a["id"],)))
    return units


def _unit_results(kind: str, period: Period, now: datetime, units=None) -> dict:
    """{unit key: (Inputs, compute result)} for every unit of `kind` in one pass over the rollups."""
    units = units if units is not None else _units(kind)
    d_by_agency = _raw_sums(DossierDailyAgency, DOSSIER_COUNTERS, period=period, group="agency_id")
    late_by_agency = late_time_counts(now=now, period=period, by_agency=True)
    rkey = "commune_code" if kind == "communes" else "agency_id"
    r_by = _raw_sums(ReportDaily, REPORT_COUNTERS, period=period, group=rkey)
    province = scope_province()
    running_late = _reports_open_late_qs(province, now=now, period=period)
    open_late = dict(running_late.values(rkey).annotate(n=Count("report_id")).order_by().values_list(rkey, "n"))
    open_late_clean = dict(_reports_open_late_qs(province, now=now, period=period, clean=True).values(rkey)
                           .annotate(n=Count("report_id")).order_by().values_list(rkey, "n"))
    catalog = i766.catalog_stats({key: ids for key, _n, _c, ids in units})
    out = {}
    for key, _name, code, ids in units:
        d = dict.fromkeys(DOSSIER_COUNTERS, 0)
        for aid in ids:
            for n, v in d_by_agency.get(aid, {}).items():
                d[n] += v
        rk = code if kind == "communes" else key
        x = i766.Inputs(d=d, late_time=sum(late_by_agency.get(aid, 0) for aid in ids),
                        r=r_by.get(rk, i766.empty_report_sums()), r_open_late=open_late.get(rk, 0),
                        r_open_late_clean=open_late_clean.get(rk, 0), catalog=catalog[key])
        out[key] = (x, i766.compute(x))
    return out


def _competition_ranks(totals: dict) -> dict:
    """1 + the number of units with a strictly higher total (ties share a rank)."""
    values = sorted(totals.values(), reverse=True)
    first = {}
    for i, v in enumerate(values, start=1):
        first.setdefault(v, i)
    return {k: first[v] for k, v in totals.items()}


def ranking(kind: str, period: Period, *, now: datetime | None = None) -> list[dict]:
    """Agencies (`kind="agencies"`) or communes (`"communes"`) by index 766 total for the period, with the
    rank and points of the previous period of the same kind and the change since (a positive
    `rank_change` means the unit moved up)."""
    if kind not in ("agencies", "communes"):
        raise ValueError(kind)
    now = _now(now)
    units = _units(kind)
    current = _unit_results(kind, period, now, units)
    previous = _unit_results(kind, period.previous(), now, units)
    totals = {k: res["total"] for k, (_x, res) in current.items()}
    prev_totals = {k: res["total"] for k, (_x, res) in previous.items()}
    ranks, prev_ranks = _competition_ranks(totals), _competition_ranks(prev_totals)
    rows = []
    for key, name, code, _ids in units:
        res = current[key][1]
        rows.append({
            "key": key, "code": code, "name": name, "rank": ranks[key], "total": res["total"],
            "max_points": res["max_points"],
            "previous_rank": prev_ranks[key], "previous_total": prev_totals[key],
            "rank_change": prev_ranks[key] - ranks[key], "points_change": res["total"] - prev_totals[key],
            "received": current[key][0].d["received"],
        })
    rows.sort(key=lambda r: (r["rank"], r["name"]))
    return rows


def commune_table(period: Period, *, now: datetime | None = None) -> list[dict]:
    """One row per commune: received, online rate, on-time rate, late now, paused now, average processing
    time, satisfaction, reports open and late, index 766 total and rank. Sortable by any column."""
    now = _now(now)
    units = _units("communes")
    results = _unit_results("communes", period, now, units)
    ranks = _competition_ranks({k: res["total"] for k, (_x, res) in results.items()})
    now_by_agency = {r["agency_id"]: r for r in AgencyNow.objects.values("agency_id", *NOW_COUNTERS)}
    late_all = late_time_counts(now=now, by_agency=True)
    facts = _report_facts(scope_province())
    reports_open = dict(facts.extra(where=[OPEN_SQL]).values("commune_code").annotate(n=Count("report_id"))
                        .order_by().values_list("commune_code", "n"))
    reports_late = dict(facts.extra(where=[REPORT_RUNNING_SQL]).filter(due_at__lte=now).values("commune_code")
                        .annotate(n=Count("report_id")).order_by().values_list("commune_code", "n"))
    rows = []
    for key, name, code, ids in units:
        x, res = results[key]
        by_code = {r.code: r for r in res["indicators"]}
        d = x.d
        nows = [now_by_agency.get(a, {}) for a in ids]
        rows.append({
            "code": code, "name": name, "received": d["received"], "online": d["online"],
            "online_rate": _pct(d["online"], d["received"]),
            "on_time_rate": by_code["2.1"].value,
            "late_now": sum(n.get("open_late_supp", 0) for n in nows) + sum(late_all.get(a, 0) for a in ids),
            "paused_now": sum(n.get("paused", 0) for n in nows),
            "open_now": sum(n.get("open", 0) for n in nows),
            "avg_processing_hours": by_code["2.2"].value,
            "satisfaction_rate": _pct(d["rated_satisfied"], d["rated"]),
            "reports_open": reports_open.get(code, 0), "reports_late": reports_late.get(code, 0),
            "index766_total": res["total"], "index766_max": res["max_points"], "rank": ranks[key],
        })
    return rows


# --- time series ------------------------------------------------------------------------------------------

SERIES_DOSSIER = ("received", "online", "finished", "done_on_time", "done_late", "open", "cancelled")
SERIES_REPORT = ("received", "answered_on_time", "answered_late", "open")


def _bucket(d: date, granularity: str) -> date:
    if granularity == "week":
        return d - timedelta(days=d.weekday())
    if granularity == "month":
        return d.replace(day=1)
    return d


def timeseries(scope: Scope, granularity: str = "day", *, start: date, end: date) -> list[dict]:
    """Counts per day, week (starting Monday) or month of the dossiers and reports received in [start, end]
    (inclusive), by reception day: received, online, finished on time / late, still open, cancelled;
    reports received, answered on time / late, open. Every bucket of the range is present."""
    if granularity not in ("day", "week", "month"):
        raise ValueError(granularity)
    period = Period("day", start, end + timedelta(days=1))
    per_day = {_as_day(k): v for k, v in _raw_sums(DossierDailyAgency, SERIES_DOSSIER, period=period,
                                                   agency_ids=scope.agency_ids, group="day").items()}
    r_day = {_as_day(k): v for k, v in _raw_sums(ReportDaily, SERIES_REPORT, period=period, group="day",
                                                 **_report_filter(scope)).items()}
    buckets: dict[date, dict] = {}
    d = start
    while d <= end:
        b = _bucket(d, granularity)
        row = buckets.setdefault(b, {"start": b, **dict.fromkeys(SERIES_DOSSIER, 0),
                                     **{f"reports_{n}": 0 for n in SERIES_REPORT}})
        for n, v in per_day.get(d, {}).items():
            row[n] += v
        for n, v in r_day.get(d, {}).items():
            row[f"reports_{n}"] += v
        d += timedelta(days=1)
    out = []
    for b in sorted(buckets):
        row = buckets[b]
        row["online_rate"] = _pct(row["online"], row["received"])
        row["on_time_rate"] = _pct(row["done_on_time"], row["finished"])
        out.append(row)
    return out


# --- drill-down: exactly the records a number counts --------------------------------------------------

FACT_METRICS = {
    # metric: (numerator column, denominator column)
    "received": ("received", "received"),
    "online": ("online", "received"),
    "finished": ("finished", "received"),
    "done_on_time": ("done_on_time", "finished"),
    "done_late": ("done_late", "finished"),
    "cancelled": ("cancelled", "received"),
    "rated": ("rated", "rated"),
    "rated_satisfied": ("rated_satisfied", "rated"),
    "rated_unsatisfied": ("rated_unsatisfied", "rated"),
    "complained": ("complained", "received"),
    "2.2": ("processed", "processed"),
    "3.3": ("online_e", "received"),
    "3.6": ("paid_online", "fee_bearing"),
    "4.1": ("finished_paper_e", "finished_paper"),
    "4.2": ("finished_files_e", "finished"),
    "4.3": ("reused_any", "received"),
    "4.4": ("from_store", "received"),
}
DOSSIER_METRICS = (*FACT_METRICS, "2.1", "5.4", "late", "late_now", "paused_now", "open_now")
REPORT_METRICS = ("reports_received", "reports_open", "reports_late", "5.2", "5.3")
# The parts each metric has (dossiers_counted / reports_counted); every other metric: numerator, and for
# FACT_METRICS also denominator.
METRIC_PARTS = {"2.1": ("numerator", "denominator", "late"), "5.4": ("denominator", "late", "bad"),
                "5.2": ("numerator", "denominator"), "5.3": ("numerator", "denominator", "bad")}


def _facts(scope: Scope, period: Period | None, condition: Q):
    """Ids of the dossiers whose fact meets `condition`, in the scope, received in the period."""
    qs = DossierFact.objects.filter(condition)
    if scope.agency_ids is not None:
        qs = qs.filter(agency_id__in=list(scope.agency_ids))
    return _days(qs, period, "received_day").order_by().values("dossier_id")


def _late_parts(scope: Scope, period: Period | None, now: datetime, *, finished_too: bool,
                select: str) -> tuple[list[str], list]:
    """The late facts as three small partial-index reads (one SELECT of `select` each): open with a second
    supplement request, running past the due time with at most one (the others are in the first part: the
    three parts are disjoint, so a UNION ALL counts each dossier once), and (with `finished_too`) finished
    late. Plain SQL so that SQLite, without statistics, is told which partial index to read."""
    q = connection.ops.quote_name
    table = q(DossierFact._meta.db_table)
    sqlite = connection.vendor == "sqlite"
    scope_sql, scope_params = "", []
    if scope.agency_ids is not None:
        ids = [int(i) for i in scope.agency_ids]
        scope_sql = f" AND {q('agency_id')} IN ({', '.join(['%s'] * len(ids))})" if ids else " AND 1 = 0"
        scope_params = ids
    if period is not None:
        scope_sql += f" AND {q('received_day')} >= %s AND {q('received_day')} < %s"
        scope_params = [*scope_params, period.start, period.end]
    parts = [("scoring_fact_late_supp", LATE_SUPP_SQL, []),
             ("scoring_fact_running_due", f"{RUNNING_SQL} AND {q('due_at')} <= %s AND {q('supplements')} <= 1",
              [now])]
    if finished_too:
        parts.append(("scoring_fact_done_late", DONE_LATE_SQL, []))
    sql, params = [], []
    for index, condition, condition_params in parts:
        hint = f" INDEXED BY {index}" if sqlite else ""
        sql.append(f"SELECT {select} FROM {table}{hint} WHERE {condition}{scope_sql}")
        params += [*condition_params, *scope_params]
    return sql, params


def _late_ids(scope: Scope, period: Period | None, now: datetime, *, finished_too: bool) -> RawSQL:
    """Ids of the late dossiers: one UNION ALL of the three partial-index reads of `_late_parts`, for a single
    semi-join (never an OR of sub-queries, which would make the database read every dossier)."""
    sql, params = _late_parts(scope, period, now, finished_too=finished_too,
                              select=connection.ops.quote_name("dossier_id"))
    return RawSQL(" UNION ALL ".join(sql), params)


def _late_days(scope: Scope, period: Period | None, now: datetime, *, finished_too: bool) -> list[tuple[date, int]]:
    """[(reception day, number of late dossiers received that day)], by day: the same three partial-index
    reads, each covering (agency, reception day), so an index-only count on PostgreSQL."""
    q = connection.ops.quote_name
    day = q("received_day")
    sql, params = _late_parts(scope, period, now, finished_too=finished_too, select=day)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {day}, COUNT(*) FROM ({' UNION ALL '.join(sql)}) t GROUP BY {day} ORDER BY {day}",
                    params)
        return [(_as_day(d), int(n)) for d, n in cur.fetchall()]


def dossiers_counted(metric: str, scope: Scope, period: Period | None, *, part: str = "numerator",
                     now: datetime | None = None) -> QuerySet[Dossier]:
    """Exactly the dossiers behind a number: `metric` is an overview figure (`received`, `online`,
    `late_now`, `paused_now`, `open_now`, `late`, ...) or a 766 indicator (`2.1`, `3.3`, ...); `part` is
    `numerator` or `denominator`; for 2.1 also `late`; for 5.4 `denominator`, `late` (overdue) and `bad`
    (complaint or "unsatisfied" rating). `late_now`, `paused_now` and `open_now` are current: `period`
    restricts them to dossiers received in it when given. Ordered by reception time. Raises ValueError
    for a metric or part that does not exist."""
    now = _now(now)
    if part not in ("numerator", "denominator", "late", "bad"):
        raise ValueError(part)
    base = Dossier.objects.all()
    if metric in FACT_METRICS:
        if part not in ("numerator", "denominator"):
            raise ValueError(part)
        col = FACT_METRICS[metric][0 if part == "numerator" else 1]
        qs = base.filter(pk__in=_facts(scope, period, Q(**{col: 1})))
    elif metric in ("2.1", "5.4") and part == "denominator":
        qs = base.filter(pk__in=_facts(scope, period, Q(counted=1)))
    elif (metric, part) in (("2.1", "late"), ("5.4", "late"), ("late", "numerator")):
        qs = base.filter(pk__in=_late_ids(scope, period, now, finished_too=True))
    elif metric == "2.1" and part == "numerator":
        qs = base.filter(pk__in=_facts(scope, period, Q(done_on_time=1) | Q(open=1, open_late_supp=0)))
        qs = qs.exclude(state__in=RUNNING, due_at__lte=now)
    elif metric == "5.4" and part == "bad":
        # 100% − (late rate + complaint/dislike rate): the two parts are listed apart (a dossier may be in
        # both, and the formula counts it twice), so there is no single "numerator" list.
        qs = base.filter(pk__in=_facts(scope, period, Q(complained_or_disliked=1)))
    elif metric == "late_now" and part == "numerator":
        qs = base.filter(pk__in=_late_ids(scope, period, now, finished_too=False))
    elif metric in ("paused_now", "open_now") and part == "numerator":
        states = list(PAUSED_STATES) if metric == "paused_now" else list(OPEN_STATES)
        qs = base.filter(state__in=states)
        if scope.agency_ids is not None:
            qs = qs.filter(agency_id__in=list(scope.agency_ids))
        qs = _in_period(qs, period, "received_at")
    else:
        raise ValueError(f"{metric}/{part}")
    return qs.order_by("received_at", "pk")


# The late lists, paged from the facts' partial indexes: (metric, part) -> with the dossiers finished late
LATE_LISTS = {("2.1", "late"): True, ("5.4", "late"): True, ("late", "numerator"): True,
              ("late_now", "numerator"): False}


def _fact_list_column(metric: str, part: str) -> str | None:
    """The fact counter whose facts are exactly the list (metric, part), or None."""
    if metric in FACT_METRICS and part in ("numerator", "denominator"):
        return FACT_METRICS[metric][0 if part == "numerator" else 1]
    if metric in ("2.1", "5.4") and part == "denominator":
        return "counted"
    if metric == "5.4" and part == "bad":
        return "complained_or_disliked"
    return None


class CountedDossiers:
    """`dossiers_counted` for paging (`count()` and slices, as the API's paginator asks): the same dossiers
    in the same order (reception time, id), without reading them all. The order by reception time follows
    the reception day, so: how many dossiers of the list each reception day holds (`days()`; their sum is the
    count) comes from the rollups, the rows of a page lie within the few days that hold its positions, and
    only the listed dossiers of those days are read from the dossier table, sorted, and cut.
    - late lists (LATE_LISTS): the days from one index-only read of the facts' three partial indexes, each
      covering (agency, reception day) (`_late_days`);
    - lists of one fact counter (`received`, `online`, 3.3 …, 2.1 / 5.4 denominator, 5.4 bad): the days are
      the daily agency rows' sums of that counter.
    Other lists (2.1 numerator, paused / open now): the queryset, as it is."""

    def __init__(self, metric: str, scope: Scope, period: Period | None, *, part: str = "numerator",
                 now: datetime | None = None, fields: tuple[str, ...] = ()):
        self.scope, self.period, self.now, self.fields = scope, period, _now(now), fields
        self.queryset = dossiers_counted(metric, scope, period, part=part, now=self.now)  # raises ValueError
        self._finished_too = LATE_LISTS.get((metric, part))
        self._column = None if self._finished_too is not None else _fact_list_column(metric, part)
        self._days: list[tuple[date, int]] | None = None
        self.shape = None  # a function given each queryset read (annotations, joins): `shaped()`

    def shaped(self, shape) -> CountedDossiers:
        """The same list, each queryset read through `shape(qs)` (e.g. an annotation, select_related): the
        rows, their number and their order stay those of the list."""
        out = CountedDossiers.__new__(CountedDossiers)
        out.__dict__.update(self.__dict__)
        out.shape = shape
        return out

    @property
    def paged_by_day(self) -> bool:
        return self._finished_too is not None or self._column is not None

    def values(self, *fields: str) -> CountedDossiers:
        out = CountedDossiers.__new__(CountedDossiers)
        out.__dict__.update(self.__dict__)
        out.fields = fields
        return out

    def all(self) -> CountedDossiers:
        return self

    def _rows(self, qs):
        if self.shape is not None:
            qs = self.shape(qs)
        return qs.values(*self.fields) if self.fields else qs

    def days(self) -> list[tuple[date, int]]:
        """[(reception day, dossiers of the list received that day)], by day, days with none left out."""
        if self._days is None:
            if self._finished_too is not None:
                self._days = _late_days(self.scope, self.period, self.now, finished_too=self._finished_too)
            else:
                sums = _raw_sums(DossierDailyAgency, (self._column,), period=self.period,
                                 agency_ids=self.scope.agency_ids, group="day")
                self._days = sorted((_as_day(d), v[self._column]) for d, v in sums.items() if v[self._column])
        return self._days

    def _ids(self, days: Period):
        if self._finished_too is not None:
            return _late_ids(self.scope, days, self.now, finished_too=self._finished_too)
        return _facts(self.scope, days, Q(**{self._column: 1}))

    def count(self) -> int:
        if not self.paged_by_day:
            return self.queryset.count()
        return sum(n for _d, n in self.days())

    def __getitem__(self, item):
        if not self.paged_by_day or not isinstance(item, slice) or item.step is not None \
                or (item.start or 0) < 0 or item.stop is None or item.stop < 0:
            return self._rows(self.queryset)[item]
        start, stop = item.start or 0, item.stop
        if stop <= start:
            return []
        first = last = None
        before = seen = 0  # dossiers of the days before `first`; of the days read so far
        for day, n in self.days():
            if first is None and seen + n > start:
                first, before = day, seen
            if first is not None:
                last = day
            seen += n
            if seen >= stop:
                break
        if first is None:
            return []
        qs = Dossier.objects.filter(pk__in=self._ids(Period("day", first, last + timedelta(days=1))))
        return list(self._rows(qs.order_by("received_at", "pk"))[start - before:stop - before])


def dossiers_counted_pages(metric: str, scope: Scope, period: Period | None, *, part: str = "numerator",
                           now: datetime | None = None) -> CountedDossiers:
    """`dossiers_counted` for a paginator: the late lists and the lists of one fact counter count and cut
    their pages by reception day (`CountedDossiers`). Raises ValueError like `dossiers_counted`."""
    return CountedDossiers(metric, scope, period, part=part, now=now)


def reports_counted(metric: str, scope: Scope, period: Period | None, *, part: str = "numerator",
                    now: datetime | None = None) -> QuerySet[Report]:
    """Exactly the reports behind a number: `reports_received`, `reports_open`, `reports_late` (current),
    `5.2` (numerator: handled on time; denominator: handled or past due), `5.3` (numerator: satisfactory;
    denominator: received; `bad`: unsatisfied, reopened or late)."""
    now = _now(now)
    qs = _in_period(_report_table_qs(scope), period, "created_at")
    fact_ids = lambda cond: _report_fact_ids(scope, period, cond)  # noqa: E731
    parts = {"5.2": ("numerator", "denominator"), "5.3": ("numerator", "denominator", "bad")}.get(metric, ("numerator",))
    if part not in parts:
        raise ValueError(part)
    if metric == "reports_received":
        pass
    elif metric == "reports_open":
        qs = qs.filter(pk__in=_days(_report_facts(scope).extra(where=[OPEN_SQL]), period).order_by()
                       .values("report_id"))
    elif metric == "reports_late":
        qs = qs.filter(pk__in=_running_late_ids(scope, period, now))
    elif metric == "5.2":
        if part == "numerator":
            qs = qs.filter(pk__in=fact_ids(Q(answered_on_time=1) | Q(rejected_on_time=1)))
        else:  # handled (on time or late), or open past due: one UNION, one semi-join
            handled = fact_ids(Q(answered_on_time=1) | Q(rejected_on_time=1) | Q(answered_late=1) | Q(rejected_late=1))
            qs = qs.filter(pk__in=handled.union(_running_late_ids(scope, period, now), all=True))
    elif metric == "5.3":
        bad = fact_ids(Q(bad_fixed=1)).union(_running_late_ids(scope, period, now), all=True)
        if part == "numerator":
            qs = qs.exclude(pk__in=bad)
        elif part == "bad":
            qs = qs.filter(pk__in=bad)
    else:
        raise ValueError(metric)
    return qs.order_by("created_at", "pk")


def _running_late_ids(scope: Scope, period: Period | None, now: datetime):
    return _reports_open_late_qs(scope, now=now, period=period).order_by().values("report_id")


def _report_fact_ids(scope: Scope, period: Period | None, condition: Q):
    return _days(_report_facts(scope).filter(condition), period).order_by().values("report_id")


__all__ = ["province_overview", "agency_overview", "commune_overview", "overview", "commune_table", "timeseries",
           "index766", "ranking", "official_evaluation", "officials_table", "dossiers_counted",
           "dossiers_counted_pages", "reports_counted", "inputs", "scope_province", "scope_agency", "scope_commune"]

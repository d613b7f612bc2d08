"""The only write path of scoring: the rollups.

- `dossier_rollup_sync(*, dossier)` and `report_rollup_sync(*, report, created=False)` run in the
  transaction of every dossier / report change (registered as hooks by `apps.ScoringConfig.ready`): they
  recompute the item's fact, and move the daily rows and `AgencyNow` by the difference (new − old fact).
  Nothing else is written, and no domain event: the change's own event is written by its service.
- `rollups_rebuild(*, actor=None)` recomputes every fact and every daily row from the dossier and
  report tables, in one transaction (`tinhso rollups rebuild`); the result must equal the rows kept
  incrementally (`rollups_verify` checks that without changing anything).

Both use the same computation (`facts.py`). Upserts are single `INSERT … ON CONFLICT … DO UPDATE`
statements (SQLite ≥ 3.24 and PostgreSQL), so concurrent changes add up instead of overwriting.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone as dt_timezone

from django.db import connection, transaction
from django.db.models import Q

from tinhso.dossiers.models import Dossier
from tinhso.events import batch
from tinhso.events.services import event_record
from tinhso.feedback.models import Report
from tinhso.workcal import selectors as workcal

from . import facts
from .models import (DOSSIER_COUNTERS, NOW_COUNTERS, REPORT_COUNTERS, AgencyNow, DossierDaily, DossierDailyAgency,
                     DossierFact, ReportDaily, ReportFact)

BATCH = 5000


# --- upserts ---------------------------------------------------------------------------------------

def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _add(model, key: dict, delta: dict) -> None:
    """Add `delta` to the counters of the row of `model` with `key` (created when missing)."""
    delta = {k: v for k, v in delta.items() if v}
    if not delta:
        return
    table = _q(model._meta.db_table)
    cols = list(key) + list(delta)
    sets = ", ".join(f"{_q(c)} = {table}.{_q(c)} + excluded.{_q(c)}" for c in delta)
    sql = (f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
           f"ON CONFLICT ({', '.join(_q(c) for c in key)}) DO UPDATE SET {sets}")
    batch.execute(sql, [*key.values(), *delta.values()])  # at once, or with a creation's other rows (events.batch)


def _move(model, old: dict | None, new: dict | None, keymap: dict[str, str], names) -> None:
    """Move the daily row sums from `old` fact to `new` fact (either may be None)."""
    old_key = {col: old[src] for col, src in keymap.items()} if old else None
    new_key = {col: new[src] for col, src in keymap.items()} if new else None
    if old_key is not None and old_key == new_key:
        _add(model, new_key, {k: new[k] - old[k] for k in names})
        return
    if old_key is not None:
        _add(model, old_key, {k: -old[k] for k in names})
    if new_key is not None:
        _add(model, new_key, {k: new[k] for k in names})


DAILY_KEY = {"day": "received_day", "agency_id": "agency_id", "procedure_id": "procedure_id"}
DAILY_AGENCY_KEY = {"day": "received_day", "agency_id": "agency_id"}
NOW_KEY = {"agency_id": "agency_id"}
REPORT_DAILY_KEY = {"day": "day", "category_id": "category_id", "commune_code": "commune_code",
                    "agency_id": "agency_id"}


def _write_fact(model, pk_name: str, old: dict | None, new: dict | None) -> None:
    if new is None:
        model.objects.filter(pk=old[pk_name]).delete()
    elif old is None:
        batch.insert(model(**new))
    else:
        changed = {k: v for k, v in new.items() if old.get(k) != v}
        model.objects.filter(pk=new[pk_name]).update(**changed)


def _old_fact(model, pk: int, fields) -> dict | None:
    qs = model.objects.filter(pk=pk)
    if connection.features.has_select_for_update:
        # Waits while a rebuild holds the fact table (see rollups_rebuild), then reads the rebuilt row.
        qs = qs.select_for_update()
    return qs.values(*fields).first()


# --- the hooks ---------------------------------------------------------------------------------------

DOSSIER_FACT_FIELDS = facts.DOSSIER_KEYS + DOSSIER_COUNTERS
REPORT_FACT_FIELDS = facts.REPORT_KEYS + REPORT_COUNTERS


def dossier_rollup_sync(*, dossier) -> None:
    """Bring the fact of `dossier` and the rows summing it up to date. Called by the dossier services
    (through dossiers.hooks) inside the transaction of every change, with the instance they just saved.

    A dossier not received yet has no fact, and a reception is never undone (`received_at` is set once,
    at reception, and never cleared): while the instance has no `received_at` there is nothing to do and
    nothing is read (an online submission, a withdrawal or refusal before reception)."""
    if dossier.received_at is None:
        return
    pk = dossier.pk
    row = Dossier.objects.filter(pk=pk).values(*facts.DOSSIER_FIELDS).first()
    old = _old_fact(DossierFact, pk, DOSSIER_FACT_FIELDS)
    new = None
    if row is not None and row["received_at"] is not None:
        finished = {pk} if row["finished_at"] is not None else set()
        extras = facts.dossier_extras(Q(dossier_id=pk), finished_ids=finished)[pk]
        paper = facts.paper_result_procedures_of([row["procedure_id"]])
        new = facts.dossier_fact(row, extras, paper=paper, clock=facts.WorkingClock(workcal.current_calendar()))
    if old == new:
        return
    _write_fact(DossierFact, "dossier_id", old, new)
    _move(DossierDaily, old, new, DAILY_KEY, DOSSIER_COUNTERS)
    _move(DossierDailyAgency, old, new, DAILY_AGENCY_KEY, DOSSIER_COUNTERS)
    _move(AgencyNow, old, new, NOW_KEY, NOW_COUNTERS)


def report_rollup_sync(*, report, created: bool = False) -> None:
    """Bring the fact of `report` and its daily row up to date. Called by the report services (through
    feedback.hooks) inside the transaction of every change.

    `created`: the service has just inserted `report` in this transaction, so the instance is the row
    (nothing to re-read) and it has no fact yet (nothing to read nor to subtract): one insert, one upsert."""
    pk = report.pk
    if created:
        row, old = {f: pk if f == "id" else getattr(report, f) for f in facts.REPORT_FIELDS}, None
    else:
        row = Report.objects.filter(pk=pk).values(*facts.REPORT_FIELDS).first()
        old = _old_fact(ReportFact, pk, REPORT_FACT_FIELDS)
    new = None
    if row is not None:
        # the working calendar (a revision check inside a transaction) only for what uses it: a declined report
        cal = workcal.current_calendar() if row["state"] == Report.State.REJECTED else None
        new = facts.report_fact(row, cal=cal)
    if old == new:
        return
    _write_fact(ReportFact, "report_id", old, new)
    _move(ReportDaily, old, new, REPORT_DAILY_KEY, REPORT_COUNTERS)


# --- rebuild ----------------------------------------------------------------------------------------

ROLLUP_MODELS = (DossierFact, DossierDaily, DossierDailyAgency, AgencyNow, ReportFact, ReportDaily)


def _lock_and_empty() -> None:
    tables = [m._meta.db_table for m in ROLLUP_MODELS]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Hooks read facts FOR UPDATE: they wait until the rebuild commits, then apply their change on
            # top of the rebuilt rows (a change the rebuild did not see is never lost nor counted twice).
            cur.execute(f"LOCK TABLE {', '.join(_q(t) for t in tables)} IN EXCLUSIVE MODE")
            cur.execute(f"TRUNCATE {', '.join(_q(t) for t in tables)}")
        else:  # SQLite: the IMMEDIATE transaction already holds the only write lock
            for t in tables:
                cur.execute(f"DELETE FROM {_q(t)}")


def _insert_many(model, fields, rows: list[dict]) -> None:
    """Insert fact rows: COPY on PostgreSQL (a rebuild writes millions), executemany on SQLite."""
    if not rows:
        return
    table = _q(model._meta.db_table)
    cols = ", ".join(_q(f) for f in fields)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row([r[f] for f in fields])
        else:  # datetimes as Django writes them on SQLite (naive UTC text), or comparisons would differ
            adapt = connection.ops.adapt_datetimefield_value
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})",
                            [[adapt(v) if isinstance(v, datetime) else v for v in (r[f] for f in fields)]
                             for r in rows])


def _sum_into(target, source, keys: list[str], names, *, source_keys: list[str] | None = None) -> None:
    """INSERT INTO target (keys, counters) SELECT keys, SUM(counters) FROM source GROUP BY keys."""
    source_keys = source_keys or keys
    cols = ", ".join(_q(c) for c in [*keys, *names])
    sums = ", ".join(f"SUM({_q(n)})" for n in names)
    group = ", ".join(_q(c) for c in source_keys)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {_q(target._meta.db_table)} ({cols}) "
                    f"SELECT {group}, {sums} FROM {_q(source._meta.db_table)} GROUP BY {group}")


_DATETIMES = {"received_at", "due_at", "finished_at", "paid_at"}


def _aware(value):
    """A datetime column read with a plain cursor: SQLite gives a naive UTC datetime (or its text),
    PostgreSQL an aware one."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt_timezone.utc)
    return value


def _dossier_rows(after: int) -> list[dict]:
    """The next BATCH received dossiers after id `after` (plain SQL: the ORM's per-value converters cost more
    than the query on millions of rows), as the ORM's values(*DOSSIER_FIELDS) would give them."""
    fields = facts.DOSSIER_FIELDS
    sql = (f"SELECT {', '.join(_q(f) for f in fields)} FROM {_q(Dossier._meta.db_table)} "
           f"WHERE {_q('received_at')} IS NOT NULL AND {_q('id')} > %s ORDER BY {_q('id')} LIMIT %s")
    with connection.cursor() as cur:
        cur.execute(sql, [after, BATCH])
        raw = cur.fetchall()
    dt_index = [i for i, f in enumerate(fields) if f in _DATETIMES]
    rows = []
    for values in raw:
        values = list(values)
        for i in dt_index:
            values[i] = _aware(values[i])
        rows.append(dict(zip(fields, values)))
    return rows


def _rebuild_dossier_facts(cal) -> int:
    paper = facts.paper_result_procedures()
    clock = facts.WorkingClock(cal)
    count, last = 0, 0
    while True:
        rows = _dossier_rows(last)
        if not rows:
            return count
        lo, hi = rows[0]["id"], rows[-1]["id"]
        finished = {r["id"] for r in rows if r["finished_at"] is not None}
        extras = facts.dossier_extras(Q(dossier_id__gte=lo, dossier_id__lte=hi), finished_ids=finished)
        batch = [facts.dossier_fact(r, extras[r["id"]], paper=paper, clock=clock) for r in rows]
        _insert_many(DossierFact, DOSSIER_FACT_FIELDS, batch)
        count += len(batch)
        last = hi


def _rebuild_report_facts(cal) -> int:
    base = Report.objects.order_by("pk")
    count, last = 0, 0
    while True:
        rows = list(base.filter(pk__gt=last).values(*facts.REPORT_FIELDS)[:BATCH])
        if not rows:
            return count
        _insert_many(ReportFact, REPORT_FACT_FIELDS, [facts.report_fact(r, cal=cal) for r in rows])
        count += len(rows)
        last = rows[-1]["id"]


def _rebuild(cal) -> dict:
    _lock_and_empty()
    dossiers = _rebuild_dossier_facts(cal)
    _sum_into(DossierDaily, DossierFact, ["day", "agency_id", "procedure_id"], DOSSIER_COUNTERS,
              source_keys=["received_day", "agency_id", "procedure_id"])
    _sum_into(DossierDailyAgency, DossierFact, ["day", "agency_id"], DOSSIER_COUNTERS,
              source_keys=["received_day", "agency_id"])
    _sum_into(AgencyNow, DossierFact, ["agency_id"], NOW_COUNTERS)
    reports = _rebuild_report_facts(cal)
    _sum_into(ReportDaily, ReportFact, list(REPORT_DAILY_KEY), REPORT_COUNTERS)
    return {
        "dossier_facts": dossiers, "report_facts": reports,
        "dossier_daily_rows": DossierDaily.objects.count(), "dossier_daily_agency_rows": DossierDailyAgency.objects.count(),
        "report_daily_rows": ReportDaily.objects.count(),
    }


def rollups_rebuild(*, actor=None) -> dict:
    """Recompute every rollup from the dossier and report tables, in one transaction.

    While it runs, dossier and report changes wait (PostgreSQL: on the fact tables' lock; SQLite: on the
    database's write lock, up to its busy timeout): run it when the load is low. Returns the row
    counts and the seconds taken; writes the event `scoring.rollups_rebuilt`."""
    started = time.perf_counter()
    cal = workcal.current_calendar()
    with transaction.atomic():
        counts = _rebuild(cal)
        counts["seconds"] = round(time.perf_counter() - started, 3)
        event_record(actor=actor, name="scoring.rollups_rebuilt", data=counts)
    return counts


_SUM_COUNTERS = {DossierDaily: DOSSIER_COUNTERS, DossierDailyAgency: DOSSIER_COUNTERS, AgencyNow: NOW_COUNTERS,
                 ReportDaily: REPORT_COUNTERS}


def rollups_snapshot() -> dict[str, list[tuple]]:
    """Every rollup row, sorted, without surrogate ids: to compare two states row for row. A sum row whose
    counters are all 0 is left out: the hooks leave one behind when the last item of a key moves to another
    (a report routed from "no agency" to its agency), a rebuild makes none, and every sum is the same."""
    out = {}
    for model in ROLLUP_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        counters = [fields.index(c) for c in _SUM_COUNTERS.get(model, ())]
        rows = (tuple(r) for r in model.objects.values_list(*fields))
        out[model._meta.label] = sorted(r for r in rows if not counters or any(r[i] for i in counters))
    return out


class _RolledBack(Exception):
    pass


def rollups_verify() -> dict:
    """Compare the rollups as kept with a rebuild, without changing anything (the rebuild runs in a
    transaction that is rolled back). Returns {"ok": bool, "tables": {label: {"kept", "rebuilt",
    "missing", "unexpected"}}} where missing/unexpected count rows only on one side."""
    kept = rollups_snapshot()
    rebuilt: dict = {}
    try:
        with transaction.atomic():
            _rebuild(workcal.current_calendar())
            rebuilt.update(rollups_snapshot())
            raise _RolledBack
    except _RolledBack:
        pass
    tables, ok = {}, True
    for label, rows in kept.items():
        a, b = set(rows), set(rebuilt[label])
        tables[label] = {"kept": len(rows), "rebuilt": len(rebuilt[label]), "missing": len(b - a),
                         "unexpected": len(a - b)}
        ok = ok and a == b and len(rows) == len(rebuilt[label])
    return {"ok": ok, "tables": tables}

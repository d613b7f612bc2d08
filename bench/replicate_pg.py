"""Replicate a simulated year K-1 more times on PostgreSQL, set-based (bench/scoring.py --copies K).

`tinhso simulate` writes ~750 dossiers/s into PostgreSQL: 10,000,000 would take ~4 hours. Instead the bench
simulates a year of N dossiers and copies them, with everything the scoring screens and the rollup rebuild
read about them, K-1 more times with INSERT ... SELECT (one transaction per copy):

- the dossiers (`dossiers_dossier`), their components, supplement requests, payment requests, rating and
  complaints: what `scoring.facts.dossier_extras` and `services.rollups_rebuild` read, and what the drill-down
  lists read (the dossier rows);
- the citizen reports (`feedback_report`): what `rollups_rebuild` reads for the report facts; a province
  with K times the dossiers gets K times the reports;
- the counters behind the codes (`dossiers_dailysequence`, `feedback_reportsequence`), moved on by what
  each copy took.

Each copy: ids shifted by k × (the base's largest id) in every table (and every foreign key to a copied
table: `dossier_id`, a report's `duplicate_of_id`); every date-time of a dossier and of its rows shifted by
the same 7·(k mod 52) days (whole weeks: the weekday and hour of every reception are kept), minus 364 days
when the reception (or, never received, the submission) would leave the simulated year, so that every copy
stays inside the year and the year holds exactly K times the simulated dossiers, spread over its weeks as a
K times busier province would spread them: each day mixes the dossiers of up to 52 simulated days, so the
(day, agency, procedure) rows of the rollups grow as in a bigger year instead of staying those of N dossiers
(200,000 × 50: 529,639 such rows, against 105,599 for the 200,000 simulated and 253,703 for 1,000,000
simulated); reports the same, by their creation time. Codes stay valid and unique: a dossier's code is
`<agency code>-<YYMMDD of its new reception day>-<NNNN>` where NNNN continues that agency-day's sequence
(the `DailySequence` row is moved on: gapless per agency-day, as `_next_code` keeps them), a report's
`PA-<YYMM>-<NNNNNN>` continues its month's `ReportSequence`. Foreign keys to rows that are not copied
(agency, procedure, applicant, officials, stored documents, category, commune) keep their value.

Shortcuts (not read by the measured screens nor by the rebuild, so not copied): the workflow steps,
hand-overs, dossier events, audit chain links and heads, domain events, apologies, data-store results of
the copies, and the reports' history and photos. The copies' dossier pages would miss their history; the
audit chain of the copies does not exist (`tinhso audit verify` sees only the simulated base). Within an
agency-day the copies' numbers follow the base's (unique and gapless, but not in reception-time order across
copies). A copied dossier keeps its state: the dossiers still open at the simulation's end (received in late
December) can land in any week of the year, still open. Working-calendar holidays are not re-checked: a copy
shifted by whole weeks may be received on a public holiday, and its stored due time is the base's, shifted
(the rebuild recomputes every fact, processing time included, from the shifted times).

The load runs with `session_replication_role = replica` (no per-row foreign-key triggers: every key points to
a row that exists by construction; CHECK constraints, primary keys and UNIQUE constraints still apply) and
`synchronous_commit = off`. The copied tables' other indexes (those not backing a constraint: secondary
indexes, partial unique indexes) are dropped before the copies and created again after them, as they were
(`pg_get_indexdef`; a partial unique index re-checks its rows when created): half the copying time, and the
indexes the measured paths read (primary keys, the children's `dossier_id`) would be built in id order by a
real year's inserts anyway. Then the id sequences are set past the largest id, and the copied tables are
VACUUMed and ANALYZEd (the server runs without autovacuum: a production server's autovacuum would have done
it).
"""
from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

WEEKS = 52
WRAP_DAYS = 364  # 52 weeks: a wrapped copy keeps its weekday
TZ = "Asia/Ho_Chi_Minh"
STAGE = "bench_replica"  # schema holding the base rows while the copies are made (dropped at the end)


def _models():
    from tinhso.dossiers.models import (Complaint, DailySequence, Dossier, DossierComponent, PaymentRequest, Rating,
                                        SupplementRequest)
    from tinhso.feedback.models import Report, ReportSequence

    return {"dossier": Dossier, "children": [DossierComponent, SupplementRequest, PaymentRequest, Rating, Complaint],
            "report": Report, "daily_sequence": DailySequence, "report_sequence": ReportSequence}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select_list(model, k: int, strides: dict, overrides: dict[str, str]) -> tuple[str, str]:
    """(column list, expression list) of an INSERT ... SELECT copying `model`'s rows as copy k (alias t,
    map m with its `shift` interval)."""
    from django.db import models as dm

    cols, exprs = [], []
    for f in model._meta.concrete_fields:
        col = f.column
        cols.append(_q(col))
        if col in overrides:
            exprs.append(overrides[col])
        elif f.primary_key:
            exprs.append(f"t.{_q(col)} + {k * strides[model]}")
        elif f.is_relation and f.related_model in strides:
            exprs.append(f"t.{_q(col)} + {k * strides[f.related_model]}")
        elif isinstance(f, dm.DateTimeField):
            exprs.append(f"t.{_q(col)} + m.shift")
        elif isinstance(f, dm.DateField):
            exprs.append(f"t.{_q(col)} + m.shift_days")
        else:
            exprs.append(f"t.{_q(col)}")
    return ", ".join(cols), ", ".join(exprs)


def _sums(cur, table: str, names, where: str = "") -> dict:
    cur.execute(f"SELECT {', '.join(f'COALESCE(SUM({_q(n)}), 0)' for n in names)} FROM {_q(table)} {where}")
    return {n: int(v) for n, v in zip(names, cur.fetchone())}


# Counters that depend on the working calendar (a copy moved by whole weeks may cross other holidays): not
# expected to be exactly K times the base's.
CALENDAR_DEPENDENT = {("dossiers", "processing_seconds"), ("reports", "rejected_on_time"),
                      ("reports", "rejected_late"), ("reports", "bad_fixed")}


def check_totals(cur, copies: int, strides: dict) -> dict:
    """After a rebuild: every calendar-independent counter summed over the daily rollup rows (dossiers per
    agency-day, reports) must be exactly `copies` × its sum over the facts of the simulated base (the rows
    with an id up to the base's largest, `strides`)."""
    from tinhso.scoring.models import (DOSSIER_COUNTERS, REPORT_COUNTERS, DossierDailyAgency, DossierFact, ReportDaily,
                                       ReportFact)

    m = _models()
    s_d, s_r = int(strides[m["dossier"]._meta.db_table]), int(strides[m["report"]._meta.db_table])
    base = {"dossiers": _sums(cur, DossierFact._meta.db_table, DOSSIER_COUNTERS, f"WHERE dossier_id <= {s_d}"),
            "reports": _sums(cur, ReportFact._meta.db_table, REPORT_COUNTERS, f"WHERE report_id <= {s_r}")}
    now = {"dossiers": _sums(cur, DossierDailyAgency._meta.db_table, DOSSIER_COUNTERS),
           "reports": _sums(cur, ReportDaily._meta.db_table, REPORT_COUNTERS)}
    wrong, ratios = {}, {}
    for kind in ("dossiers", "reports"):
        for name, b in base[kind].items():
            n = now[kind][name]
            if (kind, name) in CALENDAR_DEPENDENT:
                ratios[f"{kind}.{name}"] = round(n / b, 4) if b else None
            elif n != copies * b:
                wrong[f"{kind}.{name}"] = {"base": b, "now": n, "expected": copies * b}
    return {"ok": not wrong, "wrong": wrong, "calendar_dependent_ratios": ratios,
            "base_received": base["dossiers"]["received"], "received": now["dossiers"]["received"],
            "base_reports": base["reports"]["received"], "reports": now["reports"]["received"]}


def check_codes(cur) -> dict:
    """Codes of every received dossier: the format, the day = the local reception day, and numbers gapless
    per agency-day up to its DailySequence (counts of rows that break each rule)."""
    m = _models()
    d, s = m["dossier"]._meta.db_table, m["daily_sequence"]._meta.db_table
    cur.execute(f"""
        SELECT COUNT(*) FILTER (WHERE code !~ '^[0-9A-Z.]+-[0-9]{{6}}-[0-9]{{4,}}$'),
               COUNT(*) FILTER (WHERE substring(code from '-([0-9]{{6}})-[0-9]+$')
                                      <> to_char(received_at AT TIME ZONE '{TZ}', 'YYMMDD'))
        FROM {_q(d)} WHERE received_at IS NOT NULL""")
    bad_format, bad_day = cur.fetchone()
    cur.execute(f"""
        WITH g AS (SELECT agency_id, (received_at AT TIME ZONE '{TZ}')::date AS day, COUNT(*) AS n,
                          MAX(substring(code from '-([0-9]+)$')::int) AS top
                   FROM {_q(d)} WHERE received_at IS NOT NULL GROUP BY 1, 2)
        SELECT COUNT(*), COUNT(*) FILTER (WHERE g.n <> g.top OR s.last IS NULL OR s.last <> g.n)
        FROM g LEFT JOIN {_q(s)} s ON s.agency_id = g.agency_id AND s.day = g.day""")
    agency_days, bad_sequence = cur.fetchone()
    return {"bad_format": bad_format, "bad_day": bad_day, "agency_days": agency_days,
            "agency_days_not_gapless": bad_sequence}


def _copies(cur, conn, copies, year_end, strides, dossier, children, report, seq_d, seq_r, agency_t, t_all, log):
    d_t, r_t = dossier._meta.db_table, report._meta.db_table
    for k in range(1, copies):
        t0 = time.perf_counter()
        days = 7 * (k % WEEKS)
        # the dossiers' map: old id, shift, new code (continuing the agency-day's sequence)
        cur.execute(f"""
            CREATE TEMP TABLE dmap ON COMMIT DROP AS
            WITH b AS (
                SELECT d.id, d.agency_id, d.code IS NOT NULL AND d.received_at IS NOT NULL AS coded, d.received_at,
                       CASE WHEN COALESCE(d.received_at, d.submitted_at, d.created_at) + %(days)s * interval '1 day'
                                 >= %(end)s THEN %(days)s - {WRAP_DAYS} ELSE %(days)s END AS sd
                FROM {STAGE}.{_q(d_t)} d),
            n AS (
                SELECT b.id, b.agency_id, b.coded, b.sd,
                       ((b.received_at + b.sd * interval '1 day') AT TIME ZONE '{TZ}')::date AS day,
                       row_number() OVER (PARTITION BY b.agency_id,
                                          ((b.received_at + b.sd * interval '1 day') AT TIME ZONE '{TZ}')::date
                                          ORDER BY b.received_at, b.id) AS rn
                FROM b)
            SELECT n.id AS old_id, n.sd * interval '1 day' AS shift, n.sd AS shift_days, n.agency_id, n.day,
                   n.coded,
                   CASE WHEN n.coded THEN a.code || '-' || to_char(n.day, 'YYMMDD') || '-' ||
                        (CASE WHEN COALESCE(s.last, 0) + n.rn < 10000 THEN lpad((COALESCE(s.last, 0) + n.rn)::text, 4, '0')
                              ELSE (COALESCE(s.last, 0) + n.rn)::text END) END AS code
            FROM n JOIN {_q(agency_t)} a ON a.id = n.agency_id
            LEFT JOIN {_q(seq_d)} s ON s.agency_id = n.agency_id AND s.day = n.day""",
                    {"days": days, "end": year_end})
        cur.execute("CREATE INDEX ON dmap (old_id)")
        cur.execute("ANALYZE dmap")
        cols, exprs = _select_list(dossier, k, strides, {
            "code": "m.code",
            "submit_token": f"CASE WHEN t.submit_token IS NULL THEN NULL ELSE left(t.submit_token, 56) || '~{k}' END"})
        cur.execute(f"INSERT INTO {_q(d_t)} ({cols}) SELECT {exprs} FROM {STAGE}.{_q(d_t)} t "
                    f"JOIN dmap m ON m.old_id = t.id ORDER BY t.id")
        n_d = cur.rowcount
        cur.execute(f"INSERT INTO {_q(seq_d)} (agency_id, day, last) "
                    f"SELECT agency_id, day, COUNT(*) FROM dmap WHERE coded GROUP BY agency_id, day "
                    f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {_q(seq_d)}.last + excluded.last")
        n_children = 0
        for child in children:
            c_t = child._meta.db_table
            cols, exprs = _select_list(child, k, strides, {})
            cur.execute(f"INSERT INTO {_q(c_t)} ({cols}) SELECT {exprs} FROM {STAGE}.{_q(c_t)} t "
                        f"JOIN dmap m ON m.old_id = t.dossier_id ORDER BY t.id")
            n_children += cur.rowcount
        # the reports' map: old id, shift, new public id (continuing the month's sequence)
        cur.execute(f"""
            CREATE TEMP TABLE rmap ON COMMIT DROP AS
            WITH b AS (
                SELECT r.id, r.created_at,
                       CASE WHEN r.created_at + %(days)s * interval '1 day' >= %(end)s
                            THEN %(days)s - {WRAP_DAYS} ELSE %(days)s END AS sd
                FROM {STAGE}.{_q(r_t)} r),
            n AS (
                SELECT b.id, b.sd,
                       to_char((b.created_at + b.sd * interval '1 day') AT TIME ZONE '{TZ}', 'YYMM') AS period,
                       b.created_at
                FROM b),
            o AS (SELECT n.*, row_number() OVER (PARTITION BY n.period ORDER BY n.created_at, n.id) AS rn FROM n)
            SELECT o.id AS old_id, o.sd * interval '1 day' AS shift, o.sd AS shift_days, o.period,
                   'PA-' || o.period || '-' ||
                   (CASE WHEN COALESCE(s.last, 0) + o.rn < 1000000 THEN lpad((COALESCE(s.last, 0) + o.rn)::text, 6, '0')
                         ELSE (COALESCE(s.last, 0) + o.rn)::text END) AS public_id
            FROM o LEFT JOIN {_q(seq_r)} s ON s.period = o.period""", {"days": days, "end": year_end})
        cur.execute("CREATE INDEX ON rmap (old_id)")
        cur.execute("ANALYZE rmap")
        cols, exprs = _select_list(report, k, strides, {"public_id": "m.public_id"})
        cur.execute(f"INSERT INTO {_q(r_t)} ({cols}) SELECT {exprs} FROM {STAGE}.{_q(r_t)} t "
                    f"JOIN rmap m ON m.old_id = t.id ORDER BY t.id")
        n_r = cur.rowcount
        cur.execute(f"INSERT INTO {_q(seq_r)} (period, last) SELECT period, COUNT(*) FROM rmap GROUP BY period "
                    f"ON CONFLICT (period) DO UPDATE SET last = {_q(seq_r)}.last + excluded.last")
        conn.commit()
        log(f"#   copy {k}/{copies - 1}: +{days} days (-{WRAP_DAYS - days} past the year's end), {n_d} dossiers, {n_children} "
            f"dependent rows, {n_r} reports in {time.perf_counter() - t0:.1f} s "
            f"(total {time.perf_counter() - t_all:.0f} s)")


def replicate(url: str, *, copies: int, year: int, log=print) -> dict:
    """Add copies-1 copies of the dossiers and reports now in the database (the simulated base). Returns
    what was done: rows per table, seconds, the base's largest ids (`strides`, for check_totals)."""
    import psycopg

    m = _models()
    dossier, children, report = m["dossier"], m["children"], m["report"]
    seq_d, seq_r = m["daily_sequence"]._meta.db_table, m["report_sequence"]._meta.db_table
    agency_t = dossier._meta.get_field("agency").related_model._meta.db_table
    tables = [dossier, *children, report]
    year_end = datetime(year + 1, 1, 1, tzinfo=ZoneInfo(TZ))
    out = {"copies": copies, "year": year, "tables": {}}
    t_all = time.perf_counter()
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        for sql in ("SET session_replication_role = replica", "SET synchronous_commit = off",
                    "SET TimeZone = 'UTC'", "SET work_mem = '256MB'", "SET maintenance_work_mem = '1GB'"):
            cur.execute(sql)
        strides, base_rows = {}, {}
        cur.execute(f"DROP SCHEMA IF EXISTS {STAGE} CASCADE")
        cur.execute(f"CREATE SCHEMA {STAGE}")
        for model in tables:
            t = model._meta.db_table
            cur.execute(f"SELECT COALESCE(MAX(id), 0), COUNT(*) FROM {_q(t)}")
            strides[model], base_rows[t] = cur.fetchone()
            cur.execute(f"CREATE UNLOGGED TABLE {STAGE}.{_q(t)} AS SELECT * FROM {_q(t)} ORDER BY id")
        for t in (dossier._meta.db_table, report._meta.db_table):
            cur.execute(f"CREATE INDEX ON {STAGE}.{_q(t)} (id)")
        cur.execute(f"ANALYZE {', '.join(f'{STAGE}.{_q(x._meta.db_table)}' for x in tables)}")
        # indexes not backing a constraint: dropped for the copies, created again after them
        indexes = []
        for model in tables:
            cur.execute("SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                        "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
                        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
                        [model._meta.db_table])
            indexes += cur.fetchall()
        for name, _definition in indexes:
            cur.execute(f"DROP INDEX {name}")
        conn.commit()
        out["base_rows"] = base_rows
        out["strides"] = {model._meta.db_table: int(strides[model]) for model in (dossier, report)}
        out["indexes_rebuilt"] = len(indexes)
        log(f"# replicate: base {base_rows}; {copies - 1} copies to make")
        try:
            _copies(cur, conn, copies, year_end, strides, dossier, children, report, seq_d, seq_r, agency_t,
                    t_all, log)
        except BaseException:
            conn.rollback()
            raise
        finally:  # the dropped indexes, always created again (the database stays usable whatever happened)
            t0 = time.perf_counter()
            for _name, definition in indexes:
                cur.execute(definition)
            conn.commit()
            out["index_seconds"] = round(time.perf_counter() - t0, 1)
            log(f"# replicate: {len(indexes)} indexes created again in {out['index_seconds']} s")
        cur.execute(f"DROP SCHEMA {STAGE} CASCADE")
        for model in [*tables, m["daily_sequence"], m["report_sequence"]]:
            t = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT MAX(id) FROM {_q(t)}), 1))",
                        [t])
            cur.execute(f"SELECT COUNT(*) FROM {_q(t)}")
            out["tables"][t] = cur.fetchone()[0]
        conn.commit()
    out["copy_seconds"] = round(time.perf_counter() - t_all, 1)
    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        for model in [*tables, m["daily_sequence"], m["report_sequence"]]:
            conn.execute(f"VACUUM (ANALYZE) {_q(model._meta.db_table)}")
    out["vacuum_analyze_seconds"] = round(time.perf_counter() - t0, 1)
    log(f"# replicate: {out['tables']}; copies {out['copy_seconds']} s, VACUUM ANALYZE {out['vacuum_analyze_seconds']} s")
    return out


def database_size(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


__all__ = ["replicate", "check_totals", "check_codes", "database_size"]

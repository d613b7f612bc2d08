"""Fill a FRESH bench database with N realistic dossiers, fast (raw batched inserts, not the services).

    .venv/bin/python bench/seed.py --n 100000            # SQLite in /tmp/tinhso-bench/seed
    .venv/bin/python bench/seed.py --n 100000 --pg       # PostgreSQL tinhso_bench
    .venv/bin/python bench/seed.py --n 1000000 --open-only --steps active

What is written: dossiers of the demo catalog's published procedures, 75 % at the two staffed demo
agencies (UBND phường Phan Đình Phùng, Sở Tư pháp) and 25 % at any other agency that handles the
procedure; a mix of states (mostly returned, ~25 % open, a few % submitted / paused / refused /
withdrawn / stopped); gapless codes per agency and day (and the matching DailySequence counters, so
later receptions continue the numbering); each received dossier's workflow steps (snapshot of the
procedure's steps, step due times by cumulative share, one active step for an open dossier).
Open dossiers' due times are spread so that ~3 % are late and ~3 % are due within the warning horizon
(one working day), the rest due later. Not written: events, hand-overs, components (nothing measured
reads them). Due times use a linear (calendar) approximation of the working calendar: far faster, and
the benchmarks only need realistic spreads.
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone as dt_tz
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

WARD = "000.01.90.H55"
JUSTICE = "000.00.03.H55"
LATE_SHARE = 0.03
DUE_SOON_SHARE = 0.03

# state -> weight, for a general population (100k) and for an all-open population (the sweep)
MIX_ALL = {10: 60, 9: 5, 4: 15, 2: 5, 5: 3, 6: 1, 1: 4, 3: 3, 7: 2, 8: 2}
MIX_OPEN = {4: 72, 2: 24, 5: 3, 6: 1}

APPLICANT_NAMES = ["Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Quang Minh", "Phạm Thị Hoa", "Hoàng Văn Nam",
                   "Vũ Thị Lan", "Đặng Minh Tuấn", "Bùi Thị Thu", "Đỗ Văn Long", "Ngô Thị Hằng"]


def _setup(var_dir: Path, database_url: str | None):
    common.use_env_here(var_dir, database_url)
    import django

    django.setup()


_KEYS: dict[str, str] = {}


def _search_key(text: str) -> str:
    if text not in _KEYS:
        from tinhso.catalog.text import search_key

        _KEYS[text] = search_key(text)
    return _KEYS[text]


def _limit_span(kind: str, amount: int) -> timedelta:
    """A rough calendar span of a time limit (working days ≈ 1.4 calendar days)."""
    if kind == "working_days":
        return timedelta(days=max(amount, 1) * 1.4)
    if kind == "calendar_days":
        return timedelta(days=max(amount, 1))
    if kind == "working_hours":
        return timedelta(hours=max(amount, 1) * 3)
    return timedelta(hours=8)  # same_day and anything else


def _catalog():
    """(procedure snapshot, [(agency id, agency code, weight)]) for each published procedure."""
    from tinhso.catalog.models import Procedure
    from tinhso.dossiers import selectors

    out = []
    for p in Procedure.objects.filter(published=True).prefetch_related("steps"):
        agencies = list(selectors.handling_agencies(procedure=p).values_list("pk", "code"))
        if not agencies:
            continue
        steps = [(s.kind, str(s.get_kind_display()), s.role, s.share_percent) for s in p.steps.all()]
        staffed = [a for a in agencies if a[1] in (WARD, JUSTICE)]
        out.append(({"id": p.pk, "code": p.code, "name": p.name, "kind": p.time_kind, "amount": p.time_amount,
                     "fee": p.fee_total_min or 0, "steps": steps}, agencies, staffed))
    return out


def _people():
    """Specialists by agency (assignees of processing dossiers) and the demo citizens."""
    from tinhso.people.models import OfficialRole, User

    specialists = defaultdict(list)
    for agency_id, user_id in OfficialRole.objects.filter(role="specialist").values_list(
            "official__agency_id", "official__user_id"):
        specialists[agency_id].append(user_id)
    citizens = list(User.objects.filter(kind="citizen").values_list("pk", flat=True))
    return specialists, citizens


def seed(*, n: int, now: datetime | None = None, open_only: bool = False, steps_mode: str = "all",
         batch: int = 20000, rng_seed: int = 2026, out_dir: Path | None = None) -> dict:
    """Insert n dossiers (with steps) into the configured database. Returns counts and timings."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tinhso.dossiers import clock
    from tinhso.dossiers.models import DailySequence, Dossier, DossierStep

    t0 = time.perf_counter()
    rng = random.Random(rng_seed)
    now = now or timezone.now()
    now = now.astimezone(dt_tz.utc)
    horizon = clock.warn_horizon(now).astimezone(dt_tz.utc)
    now_aware, horizon_aware = now, horizon
    now, horizon = now.replace(tzinfo=None), horizon.replace(tzinfo=None)  # naive UTC while generating: faster
    catalog = _catalog()
    specialists, citizens = _people()
    pg = connection.vendor == "postgresql"
    utc_offset = timezone.get_default_timezone().utcoffset(now)  # Asia/Ho_Chi_Minh: fixed +07:00

    if pg:
        def ts(d):
            return None if d is None else d.replace(tzinfo=dt_tz.utc)
    else:
        def ts(d):
            return None if d is None else d.isoformat(" ")

    d_table, s_table = Dossier._meta.db_table, DossierStep._meta.db_table
    d_cols = [f.column for f in Dossier._meta.concrete_fields]
    s_cols = [f.column for f in DossierStep._meta.concrete_fields]
    d_defaults = {}
    for f in Dossier._meta.concrete_fields:  # follow the model as it evolves: its own defaults
        d_defaults[f.column] = (f.get_default() if f.has_default() else None if f.null else
                                "" if f.get_internal_type() in ("CharField", "TextField", "EmailField", "FileField") else None)
        if isinstance(d_defaults[f.column], (dict, list)):
            d_defaults[f.column] = json.dumps(d_defaults[f.column])
    d_defaults.update(applicant_cccd="", applicant_address="Phường Phan Đình Phùng, tỉnh Thái Nguyên", applicant_phone="", applicant_email="", form_data="{}",
                      paused_total_seconds=0, supplement_count=0, reappointed=False, current_step=0,
                      return_method="online", result_file="", result_name="", state_note="",
                      warned_due_soon=False, warned_late=False)
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Dossier._meta.db_table}")
        next_id = cur.fetchone()[0] + 1
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {DossierStep._meta.db_table}")
        next_step_id = cur.fetchone()[0] + 1
    sequences = {(a, d): last for a, d, last in DailySequence.objects.values_list("agency_id", "day", "last")}
    touched_days: set = set()

    mix = MIX_OPEN if open_only else MIX_ALL
    state_wheel = [st for st, w in mix.items() for _ in range(w)]
    codes_sample: list[str] = []
    ids_sample: list[int] = []
    n_steps = 0

    def one(dossier_id: int):
        proc, agencies, staffed = catalog[rng.randrange(len(catalog))]
        if staffed and rng.random() < 0.75:
            agency_id, agency_code = staffed[rng.randrange(len(staffed))]
        else:
            agency_id, agency_code = agencies[rng.randrange(len(agencies))]
        state = state_wheel[int(rng.random() * len(state_wheel))]
        span = _limit_span(proc["kind"], proc["amount"])
        channel = rng.choice((1, 2, 2, 3)) if state != 1 else 2
        d = dict(d_defaults)
        d.update(id=dossier_id, procedure_id=proc["id"], procedure_code=proc["code"], procedure_name=proc["name"],
                 agency_id=agency_id, channel=channel, state=state, limit_kind=proc["kind"],
                 limit_amount=proc["amount"], fee_amount=proc["fee"],
                 applicant_name=APPLICANT_NAMES[dossier_id % len(APPLICANT_NAMES)],
                 applicant_cccd=f"0190{dossier_id % 100000000:08d}",
                 return_method="online" if channel == 2 else "desk")
        if "search_key" in d:
            d["search_key"] = f"{_search_key(d['applicant_name'] + ' ' + proc['name'])} {d['applicant_cccd']}"
        if channel == 2 and citizens and rng.random() < 0.001:
            d["applicant_id"] = citizens[rng.randrange(len(citizens))]
        steps: list[tuple] = []
        if state == 1 or state == 3:  # submitted online, not yet received / refused at reception
            submitted = now - timedelta(hours=rng.uniform(0.1, 72 if state == 1 else 24 * 300))
            d.update(submitted_at=submitted, created_at=submitted, updated_at=submitted)
            if state == 3:
                d.update(closed_at=submitted + timedelta(hours=4), state_note="Hồ sơ không thuộc thẩm quyền.")
        else:
            if state in (2, 4, 5, 6):
                r = rng.random()
                if r < LATE_SHARE:
                    due = now - timedelta(seconds=rng.uniform(60, 5 * 86400))
                elif r < LATE_SHARE + DUE_SOON_SHARE:
                    due = now + (horizon - now) * rng.uniform(0.02, 0.98)
                else:
                    due = horizon + timedelta(seconds=rng.uniform(60, 25 * 86400))
                received = min(due - span, now - timedelta(minutes=rng.uniform(5, 600)))
            else:
                received = now - timedelta(days=rng.uniform(2, 365))
                due = received + span
            day = (received + utc_offset).date()
            key = (agency_id, day)
            sequences[key] = sequences.get(key, 0) + 1
            touched_days.add(key)
            code = f"{agency_code}-{day:%y%m%d}-{sequences[key]:04d}"
            d.update(code=code, submitted_at=received - timedelta(hours=rng.uniform(0, 24)) if channel == 2 else received,
                     received_at=received, counting_from=received, due_at=due, original_due_at=due,
                     created_at=received, updated_at=received)
            if state in (5, 6):
                d["paused_at"] = now - timedelta(hours=rng.uniform(1, 100))
                if state == 5:
                    d["supplement_count"] = 1
            if state in (9, 10):
                finished = received + span * rng.uniform(0.3, 1.08)  # ~7 % finished late
                d.update(finished_at=finished, updated_at=finished)
                if state == 10:
                    d.update(returned_at=finished + timedelta(hours=rng.uniform(1, 48)), closed_at=finished)
            if state in (7, 8):
                d.update(closed_at=received + span * rng.uniform(0.1, 0.9), state_note="Theo đề nghị.")
            # steps: cumulative shares of the span between reception and due time
            psteps = proc["steps"]
            k = len(psteps)
            if k:
                if state in (2, 4, 5, 6):
                    active = 2 if state == 2 or k < 3 else rng.randint(2, k)
                    active = min(active, k)
                    if state == 4 and agency_id in specialists and psteps[active - 1][2] == "specialist":
                        d["assignee_id"] = specialists[agency_id][0]
                else:
                    active = 0  # everything done
                d["current_step"] = active or k
                cum = 0
                total = due - received
                for i, (kind, name, role, share) in enumerate(psteps, start=1):
                    cum += share
                    sdue = due if i == k or cum >= 100 else received + total * (cum / 100)
                    if active and i == active:
                        status, started, finished = "active", received, None
                    elif active and i > active:
                        status, started, finished = "waiting", None, None
                    else:
                        status, started, finished = "done", received, min(sdue, now)
                    if steps_mode == "active" and status != "active":
                        continue
                    steps.append((i, kind, name, role, share, agency_id, d["assignee_id"] if status == "active" else None,
                                  sdue, started, finished, status))
            if len(codes_sample) < 20000 and rng.random() < 0.2:
                codes_sample.append(code)
        if len(ids_sample) < 20000 and rng.random() < 0.2:
            ids_sample.append(dossier_id)
        return d, steps

    dt_cols = {"submitted_at", "received_at", "counting_from", "due_at", "original_due_at", "paused_at",
               "finished_at", "returned_at", "closed_at", "created_at", "updated_at", "paid_at"}
    d_sql_cols = ", ".join(f'"{c}"' for c in d_cols)
    s_insert_cols = ["id", "dossier_id", "order", "kind", "name", "role", "share_percent", "agency_id", "assignee_id",
                     "due_at", "started_at", "finished_at", "status", "warned_due_soon", "warned_late"]
    s_sql_cols = ", ".join(f'"{c}"' for c in s_insert_cols)

    def write(d_rows, s_rows):
        with transaction.atomic(), connection.cursor() as cur:
            if pg:
                raw = cur.cursor
                with raw.copy(f"COPY {d_table} ({d_sql_cols}) FROM STDIN") as cp:
                    for r in d_rows:
                        cp.write_row(r)
                with raw.copy(f"COPY {s_table} ({s_sql_cols}) FROM STDIN") as cp:
                    for r in s_rows:
                        cp.write_row(r)
            else:
                cur.executemany(f"INSERT INTO {d_table} ({d_sql_cols}) VALUES ({', '.join(['%s'] * len(d_cols))})", d_rows)
                cur.executemany(f"INSERT INTO {s_table} ({s_sql_cols}) VALUES ({', '.join(['%s'] * len(s_insert_cols))})", s_rows)

    dropped: list[str] = []
    if not pg:  # bulk-load settings for this connection only (the server keeps the product's settings)
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-800000")
            cur.execute("PRAGMA temp_store=MEMORY")
            # Secondary indexes are rebuilt once at the end (sorted build) instead of row by row.
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                        "AND tbl_name IN (%s, %s)", [d_table, s_table])
            for name, sql in cur.fetchall():
                cur.execute(f'DROP INDEX "{name}"')
                dropped.append(sql)
    gc.disable()  # millions of small objects: the cyclic collector would rescan them every batch
    dossier_id = next_id
    step_id = next_step_id
    done = 0
    while done < n:
        d_rows, s_rows = [], []
        for _ in range(min(batch, n - done)):
            d, steps = one(dossier_id)
            d_rows.append(tuple(ts(d[c]) if c in dt_cols else d[c] for c in d_cols))
            for (order, kind, name, role, share, agency_id, assignee_id, sdue, started, finished, status) in steps:
                s_rows.append((step_id, dossier_id, order, kind, name, role, share, agency_id, assignee_id,
                               ts(sdue), ts(started), ts(finished), status, False, False))
                step_id += 1
            dossier_id += 1
        t_gen = time.perf_counter()
        write(d_rows, s_rows)
        n_steps += len(s_rows)
        done += len(d_rows)
        print(f"# seeded {done}/{n} dossiers ({time.perf_counter() - t0:.1f} s, last write "
              f"{time.perf_counter() - t_gen:.1f} s)", file=sys.stderr, flush=True)

    gc.enable()
    t_idx = time.perf_counter()
    with connection.cursor() as cur:
        for sql in dropped:
            cur.execute(sql)
    if dropped:
        print(f"# rebuilt {len(dropped)} indexes in {time.perf_counter() - t_idx:.1f} s", file=sys.stderr)
    # Continue the gapless numbering after the seeded codes.
    seq_table = DailySequence._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {seq_table} (agency_id, day, last) VALUES (%s, %s, %s) "
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = excluded.last",
            [(a, day if pg else day.isoformat(), sequences[(a, day)]) for (a, day) in touched_days])
    with connection.cursor() as cur:
        if pg:
            for table in (d_table, s_table):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            cur.execute(f"ANALYZE {d_table}")
            cur.execute(f"ANALYZE {s_table}")
        else:
            cur.execute("ANALYZE")
    elapsed = time.perf_counter() - t0
    if out_dir is not None:
        (out_dir / "codes.txt").write_text("\n".join(codes_sample) + "\n")
        (out_dir / "ids.txt").write_text("\n".join(map(str, ids_sample)) + "\n")
    return {"dossiers": n, "steps": n_steps, "seconds": round(elapsed, 2),
            "dossiers_per_s": round(n / elapsed), "now": now_aware.isoformat(), "horizon": horizon_aware.isoformat()}


def _demo_citizens_verified() -> None:
    """Sign-in needs a verified e-mail address (ACCOUNT_EMAIL_VERIFICATION = mandatory): the demo
    citizens' addresses are marked verified in the bench database, as if they had entered the code."""
    from allauth.account.models import EmailAddress

    from tinhso.demo.accounts import CITIZENS

    EmailAddress.objects.filter(user__username__in=[c[0] for c in CITIZENS]).update(verified=True)


def prepare(*, n: int, var_dir: Path, database_url: str | None, fresh: bool = True, **kwargs) -> dict:
    """A fresh migrated database with the demo and n seeded dossiers; this process is set up on it."""
    if fresh:
        t0 = time.perf_counter()
        common.fresh_database(var_dir, database_url)
        print(f"# fresh database migrated and demo loaded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    _setup(var_dir, database_url)
    if not fresh:
        return json.loads((var_dir / "seed.json").read_text())
    _demo_citizens_verified()
    info = seed(n=n, out_dir=var_dir, **kwargs)
    (var_dir / "seed.json").write_text(json.dumps(info))
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--pg", action="store_true", help=f"PostgreSQL ({common.PG_URL_DEFAULT} or $BENCH_DATABASE_URL)")
    ap.add_argument("--var", type=Path, default=common.DEFAULT_VAR / "seed")
    ap.add_argument("--open-only", action="store_true", help="only open dossiers (states 2, 4, 5, 6)")
    ap.add_argument("--steps", choices=["all", "active"], default="all")
    args = ap.parse_args()
    import os

    url = (os.environ.get("BENCH_DATABASE_URL") or common.PG_URL_DEFAULT) if args.pg else None
    info = prepare(n=args.n, var_dir=args.var, database_url=url, open_only=args.open_only, steps_mode=args.steps)
    results = common.Results("seed" + ("_pg" if url else ""))
    results.emit(benchmark="seed", db=common.db_label(url), **info)
    results.save()


if __name__ == "__main__":
    main()

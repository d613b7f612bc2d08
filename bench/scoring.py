"""Scoring and the operations centre: server time of the province overview and of one agency's drill-down
(p95 of 20 requests each, timed in-process through the whole Django stack), and the full rollup rebuild.

    .venv/bin/python bench/scoring.py --dossiers 100000          # SQLite, a year of `tinhso simulate`
    .venv/bin/python bench/scoring.py --pg --dossiers 1000000    # PostgreSQL tinhso_bench
    .venv/bin/python bench/scoring.py --reuse                    # the database of the last run, as it is
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_10m \
      .venv/bin/python bench/scoring.py --pg --dossiers 200000 --copies 50   # 10,000,000 dossiers

Bar (issue 6): with 10,000,000 dossiers on PostgreSQL and 1,000,000 on SQLite, the province overview and an
agency's drill-down each answer in <= 300 ms server time (p95 of 20 requests); the rebuild's time is reported.

The database: fresh (migrated; the demo province's agencies, catalog, report categories and accounts, without
`tinhso demo`'s own dossiers), then `tinhso simulate --year Y --dossiers N --seed S`, which rebuilds the rollups
at its end. With `--copies K` (PostgreSQL only) the simulated year is then copied K-1 more times with set-based
SQL (`replicate_pg.py`: the dossiers with their components, supplement and payment requests, ratings and
complaints, and the reports; ids shifted, dates moved by whole weeks inside the year, codes continuing each
agency-day's sequence; NOT copied: steps, hand-overs, events, audit chain, data-store results, report history:
none is read by these screens nor by the rebuild; its docstring lists every shortcut), then VACUUM ANALYZE.
The rollups are then stale: the rebuild below is the full rebuild of the K×N dossiers, and after it every
calendar-independent counter of the rollups is checked to be exactly K times the simulated year's, and every
dossier code valid, of its reception day and gapless per agency-day (`replica_check`).
After the rebuild, on PostgreSQL, the rollup tables are VACUUMed and ANALYZEd (timed apart): what autovacuum
would do after a rebuild; the server here runs without autovacuum, and right after a bulk load the
covering partial index of the running dossiers would not be index-only. `--verify` also times
`rollups_verify()` (a second rebuild, rolled back, compared row for row in Python: at 10M it needs tens of GB).
`--reuse` of a database made with `--copies` reports its fill again (saved in <var dir>/fill.json, with its own
time) and checks it again after the rebuild.
Requests go through django.test.Client as the demo IOC viewer (`ioc.tinh`):
  - overview:        GET /api/v1/scoring/overview?period=<Y-12>  and  ?period=<Y>
  - agency:          GET /api/v1/scoring/agencies/<busiest agency>/overview?period=<month> and <year>
  - agency dossiers: GET /api/v1/scoring/dossiers?metric=2.1&part=late&scope=agency:<code>&period=<year> (page 1)
    and ?metric=received&… (page 1): paged by reception day (scoring.selectors.CountedDossiers), the late list
    counted from the facts' partial indexes, the received list from the daily rows
  - baseline:        GET /healthz (same client, same run): the floor of the stack.
The rebuild's baseline: one plain SELECT of the received dossiers' columns the facts are computed from.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

REQUESTS = 20
WARMUP = 3
BAR_MS = 300


def _fresh(var_dir: Path, url: str | None) -> None:
    """An empty var dir (and PostgreSQL database), migrated, with the demo province's agencies, catalog,
    report categories and accounts, but none of `tinhso demo`'s own dossiers or simulated year: the
    database then holds exactly the year simulated below."""
    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    if url:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url[: url.rfind("/")] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    env = common.bench_env(var_dir, url)
    tinhso = str(common.VENV_BIN / "tinhso")
    subprocess.run([tinhso, "migrate", "-v0"], env=env, check=True, cwd=common.REPO, timeout=1800)
    code = ("from tinhso.places.services import demo_agencies_load;"
            "from tinhso.catalog.services import demo_catalog_load;"
            "from tinhso.feedback.services import demo_feedback_load;"
            "from tinhso.demo.accounts import load_accounts;"
            "demo_agencies_load(actor=None); demo_catalog_load(actor=None); demo_feedback_load(actor=None); "
            "load_accounts()")
    subprocess.run([tinhso, "shell", "-v0", "-c", code], env=env, check=True, cwd=common.REPO, timeout=1800)


def _simulate(var_dir: Path, url: str | None, *, year: int, dossiers: int, seed: int) -> float:
    env = common.bench_env(var_dir, url)
    t0 = time.perf_counter()
    out = subprocess.run([str(common.VENV_BIN / "tinhso"), "simulate", "--year", str(year), "--dossiers",
                          str(dossiers), "--seed", str(seed)], env=env, cwd=common.REPO, capture_output=True,
                         text=True, timeout=6 * 3600)
    if out.returncode != 0:
        sys.exit(f"tinhso simulate failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    print(out.stdout[-1500:], file=sys.stderr)
    return time.perf_counter() - t0


def _timed(client, path: str, params: dict | None = None) -> tuple[list[float], int]:
    for _ in range(WARMUP):
        client.get(path, params or {})
    times, status = [], 0
    for _ in range(REQUESTS):
        t0 = time.perf_counter()
        r = client.get(path, params or {})
        times.append((time.perf_counter() - t0) * 1000)
        status = r.status_code
        if status != 200:
            sys.exit(f"{path} {params}: HTTP {status} {r.content[:300]!r}")
    return times, status


def _p95(times: list[float]) -> float:
    return round(statistics.quantiles(times, n=20, method="inclusive")[18], 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", action="store_true", help=f"PostgreSQL ({common.PG_URL_DEFAULT} or $BENCH_DATABASE_URL)")
    ap.add_argument("--dossiers", type=int, default=100_000)
    ap.add_argument("--year", type=int, default=date.today().year - 1)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--reuse", action="store_true", help="keep the database of the last run (no simulate)")
    ap.add_argument("--copies", type=int, default=1,
                    help="PostgreSQL: copy the simulated year K-1 more times (K×N dossiers; replicate_pg.py)")
    ap.add_argument("--verify", action="store_true", help="also time rollups_verify() after the rebuild")
    args = ap.parse_args()
    url = (os.environ.get("BENCH_DATABASE_URL") or common.PG_URL_DEFAULT) if args.pg else None
    if args.copies > 1 and not url:
        sys.exit("--copies needs --pg")
    var_dir = common.DEFAULT_VAR / ("scoring-pg" if url else "scoring")
    simulate_s = fresh_s = None
    if not args.reuse:
        t0 = time.perf_counter()
        _fresh(var_dir, url)
        fresh_s = time.perf_counter() - t0
        print(f"# fresh database migrated, demo agencies, catalog and accounts loaded in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
        simulate_s = _simulate(var_dir, url, year=args.year, dossiers=args.dossiers, seed=args.seed)
    common.use_env_here(var_dir, url)
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from tinhso.dossiers.models import Dossier
    from tinhso.people.models import User
    from tinhso.places.models import Agency
    from tinhso.scoring.models import DossierFact
    from tinhso.scoring.services import rollups_rebuild

    from django.urls import resolve

    resolve("/healthz")  # the URLconf (every API module) imported now: a tree that cannot serve fails before the fill
    db = common.db_label(url)
    results = common.Results("scoring" + ("_pg" if url else ""))
    fill = None
    fill_file = var_dir / "fill.json"  # how a replicated database was made: --reuse reports it again
    if args.copies > 1 and not args.reuse:
        import replicate_pg

        t0 = time.perf_counter()
        done = replicate_pg.replicate(url, copies=args.copies, year=args.year,
                                      log=lambda m: print(m, file=sys.stderr, flush=True))
        replicate_s = time.perf_counter() - t0
        line = results.emit(
            benchmark="scoring", what="fill", db=db, simulated_dossiers=args.dossiers, copies=args.copies,
            year=args.year, fresh_seconds=round(fresh_s, 1), simulate_seconds=round(simulate_s, 1),
            replicate_seconds=round(replicate_s, 1), copy_seconds=done["copy_seconds"],
            index_seconds=done["index_seconds"], vacuum_analyze_seconds=done["vacuum_analyze_seconds"],
            fill_seconds=round(fresh_s + simulate_s + replicate_s, 1), base_rows=done["base_rows"],
            rows=done["tables"], database_bytes=replicate_pg.database_size(url))
        fill = {"line": line, "copies": args.copies, "strides": done["strides"]}
        fill_file.write_text(json.dumps(fill, ensure_ascii=False))
    elif args.copies > 1 or (args.reuse and fill_file.exists()):
        if not fill_file.exists():
            sys.exit(f"--copies with --reuse: no {fill_file} (the database was not made by --copies)")
        fill = json.loads(fill_file.read_text())
        results.emit(**{**fill["line"], "reused": True})  # the fill that made this database (its own time)
        args.copies = fill["copies"]
    dossiers = Dossier.objects.count()

    # --- the full rebuild ------------------------------------------------------------------------------
    from tinhso.scoring.facts import DOSSIER_FIELDS

    t0 = time.perf_counter()
    with connection.cursor() as cur:  # the floor: one plain read of what the rebuild reads from the dossiers
        cur.execute(f"SELECT {', '.join(DOSSIER_FIELDS)} FROM {Dossier._meta.db_table} WHERE received_at IS NOT NULL")
        while cur.fetchmany(10_000):
            pass
    count_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts = rollups_rebuild(actor=None)
    rebuild_s = time.perf_counter() - t0
    vacuum_s = None
    if connection.vendor == "postgresql":
        from tinhso.scoring.services import ROLLUP_MODELS

        t0 = time.perf_counter()
        with connection.cursor() as cur:
            for model in ROLLUP_MODELS:
                cur.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
        vacuum_s = round(time.perf_counter() - t0, 2)
    results.emit(benchmark="scoring", what="rollups_rebuild", db=db, dossiers=dossiers, seconds=round(rebuild_s, 2),
                 dossiers_per_second=round(dossiers / rebuild_s) if rebuild_s else None, rows=counts,
                 baseline="SELECT of the received dossiers' columns the facts need", baseline_seconds=round(count_s, 3),
                 ratio=common.ratio(rebuild_s, count_s), simulate_seconds=round(simulate_s, 1) if simulate_s else None,
                 copies=args.copies if fill else None, vacuum_analyze_seconds=vacuum_s)
    if fill:
        import replicate_pg

        t0 = time.perf_counter()
        with connection.cursor() as cur:
            totals = replicate_pg.check_totals(cur, args.copies, fill["strides"])
            codes = replicate_pg.check_codes(cur)
        results.emit(benchmark="scoring", what="replica_check", db=db, dossiers=dossiers, copies=args.copies,
                     ok=totals["ok"] and not (codes["bad_format"] or codes["bad_day"] or codes["agency_days_not_gapless"]),
                     rollups_k_times_base=totals, codes=codes, seconds=round(time.perf_counter() - t0, 1))
    if args.verify:
        from tinhso.scoring.services import rollups_verify

        t0 = time.perf_counter()
        verdict = rollups_verify()
        results.emit(benchmark="scoring", what="rollups_verify", db=db, dossiers=dossiers, ok=verdict["ok"],
                     tables=verdict["tables"], seconds=round(time.perf_counter() - t0, 2))

    # --- requests ----------------------------------------------------------------------------------------
    user = User.objects.get(username="ioc.tinh")
    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP,
                                        defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}})
    client = Client()
    client.force_login(user)
    busiest = (DossierFact.objects.values("agency_id").annotate(n=Count("dossier_id")).order_by("-n").first())
    agency = Agency.objects.get(pk=busiest["agency_id"])
    month, year = f"{args.year}-12", f"{args.year}"  # the simulated year
    base_times, _ = _timed(client, "/healthz")
    base_p95 = _p95(base_times)
    cases = [
        ("province_overview", "/api/v1/scoring/overview", {"period": month}),
        ("province_overview", "/api/v1/scoring/overview", {"period": year}),
        ("agency_overview", f"/api/v1/scoring/agencies/{agency.code}/overview", {"period": month}),
        ("agency_overview", f"/api/v1/scoring/agencies/{agency.code}/overview", {"period": year}),
        ("agency_late_dossiers", "/api/v1/scoring/dossiers",
         {"metric": "2.1", "part": "late", "scope": f"agency:{agency.code}", "period": year}),
        ("agency_received_dossiers", "/api/v1/scoring/dossiers",
         {"metric": "received", "scope": f"agency:{agency.code}", "period": year}),
    ]
    for what, path, params in cases:
        times, _status = _timed(client, path, params)
        p95 = _p95(times)
        results.emit(benchmark="scoring", what=what, db=db, dossiers=dossiers, period=params.get("period"),
                     agency=agency.code if "agency" in what else None, agency_dossiers=busiest["n"] if "agency" in what else None,
                     requests=REQUESTS, p50_ms=round(statistics.median(times), 2), p95_ms=p95,
                     max_ms=round(max(times), 2), baseline="GET /healthz", baseline_p95_ms=base_p95,
                     ratio=common.ratio(p95, base_p95), bar_ms=BAR_MS, meets_bar=p95 <= BAR_MS)
    results.save()


if __name__ == "__main__":
    main()

"""Scoring and the operations centre: server time of the province overview and of one agency's drill-down
(p95 of 20 requests each, timed in-process through the whole Django stack), and the full rollup rebuild.

    .venv/bin/python bench/scoring.py --dossiers 100000          # SQLite, a year of `tinhso simulate`
    .venv/bin/python bench/scoring.py --pg --dossiers 1000000    # PostgreSQL tinhso_bench
    .venv/bin/python bench/scoring.py --reuse                    # the database of the last run, as it is

Bar (issue 6): with 10,000,000 dossiers on PostgreSQL and 1,000,000 on SQLite, the province overview and an
agency's drill-down each answer in <= 300 ms server time (p95 of 20 requests); the rebuild's time is reported.

The database: fresh (migrated; the demo province's agencies, catalog, report categories and accounts, without
`tinhso demo`'s own dossiers), then `tinhso simulate --year Y --dossiers N --seed S`, which rebuilds the rollups
at its end. Requests go through django.test.Client as the demo IOC viewer (`ioc.tinh`):
  - overview:        GET /api/v1/scoring/overview?period=<Y-12>  and  ?period=<Y>
  - agency:          GET /api/v1/scoring/agencies/<busiest agency>/overview?period=<month> and <year>
  - agency dossiers: GET /api/v1/scoring/dossiers?metric=2.1&part=late&scope=agency:<code>&period=<year> (page 1)
  - baseline:        GET /healthz (same client, same run): the floor of the stack.
The rebuild's baseline: one plain SELECT of the received dossiers' columns the facts are computed from.
"""
from __future__ import annotations

import argparse
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
    args = ap.parse_args()
    url = (os.environ.get("BENCH_DATABASE_URL") or common.PG_URL_DEFAULT) if args.pg else None
    var_dir = common.DEFAULT_VAR / ("scoring-pg" if url else "scoring")
    simulate_s = None
    if not args.reuse:
        t0 = time.perf_counter()
        _fresh(var_dir, url)
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

    db = common.db_label(url)
    results = common.Results("scoring" + ("_pg" if url else ""))
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
    results.emit(benchmark="scoring", what="rollups_rebuild", db=db, dossiers=dossiers, seconds=round(rebuild_s, 2),
                 dossiers_per_second=round(dossiers / rebuild_s) if rebuild_s else None, rows=counts,
                 baseline="SELECT of the received dossiers' columns the facts need", baseline_seconds=round(count_s, 3),
                 ratio=common.ratio(rebuild_s, count_s), simulate_seconds=round(simulate_s, 1) if simulate_s else None)

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

"""How fast `tinhso simulate` writes a year: dossiers/s and rows/s, against a raw-insert baseline.

    .venv/bin/python bench/simulate.py                    # SQLite, 200,000 dossiers of 2025
    .venv/bin/python bench/simulate.py --n 1000000
    .venv/bin/python bench/simulate.py --pg               # PostgreSQL (its own database, see below)
    .venv/bin/python bench/simulate.py --reuse            # keep the migrated database, simulate again (--append)

A fresh database (migrated, `tinhso demo --simulate 0`: the demo province without its own simulated
year) in `/tmp/tinhso-bench/simulate/` or, with `--pg`, PostgreSQL `tinhso_bench_simulate`
(override with BENCH_VAR_DIR / BENCH_DATABASE_URL). Then, in this process, on the same connection and
with the same bulk settings:

1. baseline: a raw `executemany` (SQLite) or COPY (PostgreSQL) of N minimal rows (id, integer, short text)
   into one scratch table, in chunks of the simulation's size, one transaction per chunk;
2. `simulate(year=2025, dossiers=N, seed=2026, rollups=False)`: every row of the year (dossiers, steps,
   hand-overs, events, audit links and heads, components, requests, ratings, data-store results, reports,
   domain events, the people pools), with what makes it fast (src/tinhso/demo/README.md): a forked process
   generating the chunks ahead of the writer, the plain secondary indexes built once at the end (counted:
   `index_seconds` in the line), `generated_ahead` of `chunks` by the second process;
3. the scoring rollups' rebuild, timed apart (it is not simulate's own writing);
4. `--verify`: `tinhso audit verify` on the result (slow at this size: off by default).

Prints one JSON line per figure (with the baseline and the ratio) and saves them to
bench/results/simulate.jsonl (`simulate_pg.jsonl`). The bar (issue 6): simulate writes ≥ 20,000
dossiers/s into SQLite. The ratio `dossiers_per_s / baseline_rows_per_s` says how far a dossier (~30 rows
with hashes) is from one bare row on the same machine at the same moment: on a loaded, shared machine
absolute figures move a lot, the ratio much less.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

BAR = 20_000
PG_URL = "postgres://postgres@127.0.0.1:5432/tinhso_bench_simulate"


def fresh(var_dir: Path, database_url: str | None) -> None:
    import shutil

    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    if database_url:
        import psycopg
        from urllib.parse import urlparse

        name = urlparse(database_url).path.lstrip("/")
        admin = database_url[: database_url.rfind("/")] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    env = common.bench_env(var_dir, database_url)
    tinhso = str(common.VENV_BIN / "tinhso")
    subprocess.run([tinhso, "migrate", "-v0"], env=env, check=True, cwd=common.REPO, timeout=900)
    subprocess.run([tinhso, "demo", "--simulate", "0"], env=env, check=True, cwd=common.REPO, timeout=900,
                   stdout=subprocess.DEVNULL)


def baseline(n: int, chunk: int) -> float:
    """Seconds to write n minimal rows into one scratch table, chunk by chunk (same bulk settings)."""
    from django.db import connection, transaction

    from tinhso.demo.sim_writer import bulk_session

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_simulate_baseline")
        key = "BIGINT PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY"
        cur.execute(f"CREATE TABLE bench_simulate_baseline (id {key}, a INTEGER NOT NULL, b VARCHAR(20) NOT NULL)")
    connection.ensure_connection()
    raw = connection.connection.cursor()
    pg = connection.vendor == "postgresql"
    started = time.perf_counter()
    with bulk_session():
        for lo in range(0, n, chunk):
            rows = [(i, i % 1000, "x") for i in range(lo + 1, min(n, lo + chunk) + 1)]
            with transaction.atomic():
                if pg:
                    with raw.copy("COPY bench_simulate_baseline (id, a, b) FROM STDIN") as cp:
                        for r in rows:
                            cp.write_row(r)
                else:
                    raw.executemany("INSERT INTO bench_simulate_baseline (id, a, b) VALUES (?, ?, ?)", rows)
    seconds = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_simulate_baseline")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="do not re-create the database")
    ap.add_argument("--verify", action="store_true", help="run `tinhso audit verify` on the result")
    args = ap.parse_args()
    url = (os.environ.get("BENCH_DATABASE_URL") or PG_URL) if args.pg else None
    var_dir = Path(os.environ.get("BENCH_VAR_DIR", "/tmp/tinhso-bench")) / ("simulate_pg" if url else "simulate")
    if not args.reuse or not var_dir.exists():
        t = time.perf_counter()
        fresh(var_dir, url)
        print(f"# fresh database migrated, demo loaded in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    common.use_env_here(var_dir, url)
    import django

    django.setup()
    from tinhso.demo import simulate as sim

    db = common.db_label(url)
    results = common.Results("simulate" + ("_pg" if url else ""))
    base_s = baseline(args.n, sim.CHUNK)
    base_rate = args.n / base_s
    results.emit(benchmark="simulate_baseline", db=db, rows=args.n, seconds=round(base_s, 2),
                 rows_per_s=round(base_rate), what="raw executemany/COPY of minimal rows into one table")
    result = sim.simulate(year=args.year, dossiers=args.n, seed=sim.DEFAULT_SEED, append=args.reuse, rollups=False,
                          progress=lambda msg: print("#", msg, file=sys.stderr, flush=True))
    rate = result.dossiers / result.seconds
    rows_rate = result.total_rows / result.seconds
    results.emit(benchmark="simulate", db=db, dossiers=result.dossiers, reports=result.reports,
                 rows=result.total_rows, seconds=round(result.seconds, 2),
                 dossier_phase_seconds=round(result.dossier_seconds, 2), dossiers_per_s=round(rate),
                 rows_per_s=round(rows_rate), baseline_rows_per_s=round(base_rate),
                 ratio_dossiers_to_baseline_rows=round(rate / base_rate, 4),
                 ratio_rows_to_baseline_rows=round(rows_rate / base_rate, 3),
                 bar_dossiers_per_s=BAR if db == "sqlite" else None, met=(rate >= BAR) if db == "sqlite" else None,
                 **result.stats.get("bulk", {}), load_average=round(os.getloadavg()[0], 2))
    t = time.perf_counter()
    note = sim._rollups_rebuild()
    results.emit(benchmark="simulate_rollups_rebuild", db=db, dossiers=result.dossiers,
                 seconds=round(time.perf_counter() - t, 2), note=note[:200])
    if args.verify:
        from tinhso.audit.verification import chain_verify

        t = time.perf_counter()
        report = chain_verify()
        results.emit(benchmark="simulate_audit_verify", db=db, ok=report.ok, links=report.links,
                     seconds=round(time.perf_counter() - t, 2))
    results.save()


if __name__ == "__main__":
    main()

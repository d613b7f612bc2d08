"""The warning sweep over 1,000,000 open dossiers: time of one run, then a second run that must create 0.

    .venv/bin/python bench/sweep.py                  # SQLite, 1,000,000 open dossiers
    .venv/bin/python bench/sweep.py --pg             # PostgreSQL tinhso_bench
    .venv/bin/python bench/sweep.py --n 200000       # smaller, for a quick look
    .venv/bin/python bench/sweep.py --reuse          # keep the seeded database (the flags are reset first)

Bar: `tinhso.dossiers.services.warnings_sweep(now=...)` over 1,000,000 open dossiers takes <= 10 s.
Seeded: open dossiers only (72 % processing, 24 % received, 4 % paused), each with its ACTIVE workflow
step only (the done/waiting steps are not read by the sweep), ~3 % late and ~3 % due within one working
day, the rest due later. Baseline for the ratio: a plain `SELECT COUNT(*)` of the running dossiers
(states 2 and 4) due at or before the warning horizon — the set the sweep must find.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import seed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--profile", action="store_true", help="print a cProfile of the first sweep (slower)")
    args = ap.parse_args()
    url = (os.environ.get("BENCH_DATABASE_URL") or common.PG_URL_DEFAULT) if args.pg else None
    var_dir = common.DEFAULT_VAR / ("sweep-pg" if url else "sweep")
    info = seed.prepare(n=args.n, var_dir=var_dir, database_url=url, fresh=not args.reuse,
                        open_only=True, steps_mode="active", batch=50000)

    from django.db import connection

    from tinhso.dossiers import clock
    from tinhso.dossiers.models import Dossier, DossierStep, Warning
    from tinhso.dossiers.services import warnings_sweep

    now = datetime.fromisoformat(info["now"])
    if args.reuse:  # back to "never warned", so the first sweep has its full work again
        Warning.objects.all().delete()
        Dossier.objects.update(warned_due_soon=False, warned_late=False)
        DossierStep.objects.update(warned_due_soon=False, warned_late=False)
    horizon = clock.warn_horizon(now)
    open_count = Dossier.objects.filter(state__in=[2, 4, 5, 6]).count()

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {Dossier._meta.db_table} WHERE state IN (2, 4) AND due_at <= %s",
                    [horizon])
        due_count = cur.fetchone()[0]
    baseline_s = time.perf_counter() - t0

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    t0 = time.perf_counter()
    first = warnings_sweep(now=now)
    first_s = time.perf_counter() - t0
    if args.profile:
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    t0 = time.perf_counter()
    second = warnings_sweep(now=now)
    second_s = time.perf_counter() - t0

    results = common.Results("sweep" + ("_pg" if url else ""))
    db = common.db_label(url)
    results.emit(benchmark="sweep", db=db, run=1, open_dossiers=open_count, due_or_late_dossiers=due_count,
                 seconds=round(first_s, 3), warnings_created=first, baseline="SELECT COUNT(*) due before horizon",
                 baseline_seconds=round(baseline_s, 3), ratio=common.ratio(first_s, baseline_s), bar_seconds=10,
                 meets_bar=first_s <= 10, seed=info)
    results.emit(benchmark="sweep", db=db, run=2, open_dossiers=open_count, seconds=round(second_s, 3),
                 warnings_created=second, idempotent=sum(second.values()) == 0,
                 warnings_in_db=Warning.objects.count())
    results.save()


if __name__ == "__main__":
    main()

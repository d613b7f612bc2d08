"""Public tracking (page and API) vs a bare view that reads one row by key, 64 connections, same run.

    .venv/bin/python bench/tracking.py            # SQLite (fresh DB, 100,000 dossiers seeded)
    .venv/bin/python bench/tracking.py --pg       # PostgreSQL tinhso_bench
    .venv/bin/python bench/tracking.py --reuse    # keep the database of the last run

Bars: the tracking page's requests/s >= 50 % of the bare read's, and its p99 <= 50 ms at 64 connections.
Each request picks a random existing dossier code (bench/get_random.lua over codes.txt written by the
seeder); the bare read picks a random existing dossier id (`GET /bench/bare-read/<pk>`, one row by
primary key, tiny JSON).
"""
from __future__ import annotations

import argparse
import os
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import seed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    args = ap.parse_args()
    common.require_wrk()
    url = (os.environ.get("BENCH_DATABASE_URL") or common.PG_URL_DEFAULT) if args.pg else None
    var_dir = common.DEFAULT_VAR / ("tracking-pg" if url else "tracking")
    info = seed.prepare(n=args.n, var_dir=var_dir, database_url=url, fresh=not args.reuse)
    codes, ids = var_dir / "codes.txt", var_dir / "ids.txt"
    results = common.Results("tracking" + ("_pg" if url else ""))
    db = common.db_label(url)
    script = common.BENCH_DIR / "get_random.lua"
    targets = {
        "bare_read": [str(ids), "/bench/bare-read/"],
        "tracking_page": [str(codes), "/tra-cuu/", "/"],
        "tracking_api": [str(codes), "/api/v1/track/"],
    }
    first_code = codes.read_text().split()[0]
    with common.server(var_dir, url) as base:
        for path in (f"/tra-cuu/{first_code}/", f"/api/v1/track/{first_code}"):
            with urllib.request.urlopen(base + path, timeout=30) as r:
                if r.status != 200 or first_code.encode() not in r.read():
                    raise SystemExit(f"{path} does not show the dossier")
        for a in targets.values():  # warm-up
            common.wrk(base, script=script, args=a, connections=args.connections, seconds=3)
        runs = {name: common.wrk(base, script=script, args=a, connections=args.connections, threads=2,
                                 seconds=args.seconds) for name, a in targets.items()}
    bare = runs["bare_read"]
    for name in ("tracking_page", "tracking_api"):
        r = runs[name]
        results.emit(benchmark=name, db=db, seeded_dossiers=info["dossiers"], workers=2, worker_class="sync",
                     connections=args.connections, figure=r, baseline_bare_read=bare,
                     ratio=common.ratio(r["rps"], bare["rps"]), bar_ratio=0.5, meets_ratio=r["rps"] >= 0.5 * bare["rps"],
                     bar_p99_ms=50, meets_p99=r.get("p99_ms", 1e9) <= 50,
                     errors=r["non_2xx_3xx"] + r["socket_errors"])
    results.save()


if __name__ == "__main__":
    main()

"""The public pages of citizen reports with 200,000 reports in the database, vs a bare read, 64 connections.

    .venv/bin/python bench/reports_read.py            # SQLite (fresh database, 200,000 reports seeded)
    .venv/bin/python bench/reports_read.py --pg       # PostgreSQL tinhso_bench_reports_read (its own)
    .venv/bin/python bench/reports_read.py --reuse    # keep the database of the last run

Bar (issue 5): with 200,000 reports in the database the public list and a report's page answer with
p99 <= 100 ms at 64 connections. Same server for every figure (gunicorn, 2 sync workers, the product's
settings plus the bench URLs), one after the other, 3 s of warm-up each:

- `bare_read`: `GET /bench/bare-read-report/<pk>`, one report row by primary key, tiny JSON: the floor;
- `list_plain`: `GET /phan-anh/` and its pages 2-5, no filter;
- `list_filtered`: the list by category, by commune, by state, by category and commune, pages 1-3;
- `report_page`: `GET /phan-anh/<public id>/` of a report picked at random among every public one
  (about 190,000): almost every request misses the page cache, so this is the page rendered each time.

The old-address index is not warmed in the workers (TINHSO_WARM_ADDRESS_INDEX=0: that background build
holds the GIL for seconds after start). Anonymous visitors' list and report pages are cached in the shared cache (whole page, by URL and
language, 30 s at most and only until a visible change: see web/feedback/public.py); the list's count is
cached under the same version. Each request of a figure picks one of its URLs at random (get_random.lua).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import seed_reports  # noqa: E402


def list_urls(var_dir: Path) -> tuple[Path, Path]:
    """The list URLs of the two list figures, one a line (a path with its query string)."""
    from django.conf import settings

    from tinhso.feedback.models import Report
    from tinhso.places.models import Commune

    communes = list(Commune.objects.filter(province_id=settings.PROVINCE_CODE).order_by("code")
                    .values_list("code", flat=True))
    busiest = (Report.objects.filter(commune__isnull=False).values_list("commune_id", flat=True)
               .order_by("commune_id").first()) or communes[0]
    rng = random.Random(5)
    plain = ["/phan-anh/"] + [f"/phan-anh/?trang={n}" for n in range(2, 6)]
    filters = ["linh_vuc=giao-thong", "linh_vuc=rac-thai", f"xa={busiest}", f"xa={rng.choice(communes)}",
               "trang_thai=answered", "trang_thai=in_progress", f"linh_vuc=giao-thong&xa={busiest}",
               f"linh_vuc=rac-thai&trang_thai=closed"]
    filtered = [f"/phan-anh/?{f}" + (f"&trang={n}" if n > 1 else "") for f in filters for n in (1, 2, 3)]
    paths = (var_dir / "list_plain.txt", var_dir / "list_filtered.txt")
    paths[0].write_text("\n".join(plain) + "\n")
    paths[1].write_text("\n".join(filtered) + "\n")
    return paths


def queries_of(paths: list[str]) -> dict:
    """SQL statements of one anonymous request of each kind when its page is NOT in the cache (a unique
    query string forces the miss; the list's count may still come from the cache)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = {}
    client = Client()
    for name, path in paths:
        sep = "&" if "?" in path else "?"
        client.get(path)
        with CaptureQueriesContext(connection) as q:
            r = client.get(f"{path}{sep}bench_miss={random.random()}")
        if r.status_code != 200:
            raise SystemExit(f"{path} answers {r.status_code}")
        out[name] = len(q.captured_queries)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    args = ap.parse_args()
    common.require_wrk()
    # Without it each gunicorn worker spends its first seconds (tens of seconds on a loaded machine) building
    # the old-address index in a background thread (places/address.py), holding the GIL: the floor, run
    # first, measured a fraction of itself. Nothing measured here converts addresses.
    os.environ["TINHSO_WARM_ADDRESS_INDEX"] = "0"
    # its own database: other benchmarks drop and re-create tinhso_bench (common.PG_URL_DEFAULT)
    url = (os.environ.get("BENCH_DATABASE_URL") or seed_reports.PG_URL) if args.pg else None
    var_dir = common.DEFAULT_VAR / ("reports-read-pg" if url else "reports-read")
    info = seed_reports.prepare(n=args.n, var_dir=var_dir, database_url=url, fresh=not args.reuse)
    plain, filtered = list_urls(var_dir)
    public_ids = var_dir / "report_public_ids.txt"
    first_id = public_ids.read_text().split()[-1]
    queries = queries_of([("list_plain", "/phan-anh/"), ("list_filtered", "/phan-anh/?linh_vuc=giao-thong&trang=2"),
                          ("report_page", f"/phan-anh/{first_id}/")])
    from tinhso.feedback.models import Report

    reports_in_db = Report.objects.count()
    results = common.Results("reports_read" + ("_pg" if url else ""))
    db = common.db_label(url)
    script = common.BENCH_DIR / "get_random.lua"
    targets = {
        "bare_read": [str(var_dir / "report_ids.txt"), "/bench/bare-read-report/"],
        "list_plain": [str(plain), ""],
        "list_filtered": [str(filtered), ""],
        "report_page": [str(public_ids), "/phan-anh/", "/"],
    }
    load_start = round(os.getloadavg()[0], 2)
    with common.server(var_dir, url) as base:
        for path in ("/phan-anh/", f"/phan-anh/{first_id}/"):
            with urllib.request.urlopen(base + path, timeout=60) as r:
                if r.status != 200 or (first_id.encode() not in r.read() and path != "/phan-anh/"):
                    raise SystemExit(f"{path} does not show the report")
        runs = {}
        for name, a in targets.items():
            common.wrk(base, script=script, args=a, connections=args.connections, seconds=3)  # warm-up
            runs[name] = common.wrk(base, script=script, args=a, connections=args.connections, threads=2,
                                    seconds=args.seconds)
        # the floor again at the end: the machine is shared, its load moves during a run
        runs["bare_read_end"] = common.wrk(base, script=script, args=targets["bare_read"],
                                           connections=args.connections, threads=2, seconds=args.seconds)
    load = {"start": load_start, "end": round(os.getloadavg()[0], 2)}  # the machine is shared: its 1-min load
    bare = runs["bare_read"]
    for name in ("list_plain", "list_filtered", "report_page"):
        r = runs[name]
        results.emit(benchmark="reports_read_" + name, db=db, reports_in_db=reports_in_db,
                     public_reports=info.get("public"), workers=2, worker_class="sync",
                     connections=args.connections, figure=r, floor_bare_read=bare,
                     floor_bare_read_end=runs["bare_read_end"], ratio=common.ratio(r["rps"], bare["rps"]),
                     queries_on_cache_miss=queries[name], bar_p99_ms=100, meets_p99=r.get("p99_ms", 1e9) <= 100,
                     errors=r["non_2xx_3xx"] + r["socket_errors"], load_average_1m=load)
    results.emit(benchmark="reports_read_seed", db=db, **info)
    results.save()


if __name__ == "__main__":
    main()

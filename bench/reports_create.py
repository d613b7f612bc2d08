"""Creating a citizen report over HTTP (Open311 POST) vs a bare Django view that inserts one row, same run.

    .venv/bin/python bench/reports_create.py --pg     # PostgreSQL tinhso_bench (the bar is measured there)
    .venv/bin/python bench/reports_create.py          # SQLite

Bar (issue 5): report creation requests/s >= 50 % of the bare insert's, 2 gunicorn sync workers.
The report is `POST /open311/v2/requests.json` (form-encoded, as the specification says: API key,
service_code, lat/long inside the province, description, a required attribute, the reporter's name,
e-mail and phone): the view checks the key (SHA-256 lookup), the category and its attributes, the
position, then report_create numbers it, inserts the report, its ReportEvent and its DomainEvent in one
transaction and answers the id. The bare baseline is `POST /bench/bare-insert` (one DomainEvent row).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

CATEGORY = "bench-o-ga"


def setup_category_and_key() -> str:
    """A category with one required question, routed nowhere (reports stay new), and an API key."""
    from tinhso.feedback import services
    from tinhso.feedback.models import Category, CategoryAttribute

    cat, _ = Category.objects.get_or_create(code=CATEGORY, defaults={"name": "Ổ gà (đo hiệu năng)"})
    CategoryAttribute.objects.get_or_create(
        category=cat, code="lan-duong",
        defaults={"datatype": "singlevaluelist", "required": True, "description": "Ổ gà ở làn nào?",
                  "values": [{"key": "trai", "name": "Làn trái"}, {"key": "phai", "name": "Làn phải"}]})
    _, raw = services.apikey_create(actor=None, name="bench")
    return raw


def body(api_key: str) -> bytes:
    return urlencode({
        "api_key": api_key, "service_code": CATEGORY, "lat": "21.592477", "long": "105.848174",
        "address_string": "Trước số 12 đường Hoàng Văn Thụ, phường Phan Đình Phùng",
        "description": "Ổ gà lớn giữa làn đường, xe máy dễ ngã khi trời mưa. Đề nghị sớm sửa chữa.",
        "attribute[lan-duong]": "phai", "first_name": "Văn An", "last_name": "Nguyễn",
        "email": "nguyenvanan@example.vn", "phone": "0912345678"}).encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=2, help="alternating baseline/report rounds")
    args = ap.parse_args()
    common.require_wrk()
    url = (os.environ.get("BENCH_DATABASE_URL") or common.PG_URL_DEFAULT) if args.pg else None
    var_dir = common.DEFAULT_VAR / ("reports-create-pg" if url else "reports-create")
    common.fresh_database(var_dir, url)
    common.use_env_here(var_dir, url)
    import django

    django.setup()
    from tinhso.feedback.models import Report

    api_key = setup_category_and_key()
    body_file = var_dir / "report.body"
    body_file.write_bytes(body(api_key))
    empty_file = var_dir / "empty.body"
    empty_file.write_bytes(b"")
    results = common.Results("reports_create" + ("_pg" if url else ""))
    db = common.db_label(url)

    with common.server(var_dir, url) as base:
        import requests

        check = requests.post(base + "/open311/v2/requests.json", data=body_file.read_bytes(), timeout=30,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        if check.status_code != 201:
            raise SystemExit(f"the report is refused ({check.status_code}): {check.text[:1000]}")
        rep_args = ["/open311/v2/requests.json", str(body_file), "application/x-www-form-urlencoded"]
        bare_args = ["/bench/bare-insert", str(empty_file), "application/x-www-form-urlencoded"]
        script = common.BENCH_DIR / "post_file.lua"
        run = lambda a, sec: common.wrk(base, script=script, args=a, connections=args.connections, seconds=sec)  # noqa: E731
        run(bare_args, 3)  # warm-up
        run(rep_args, 3)
        bare_runs, rep_runs = [], []
        for _ in range(args.rounds):
            bare_runs.append(run(bare_args, args.seconds))
            rep_runs.append(run(rep_args, args.seconds))

    bare_rps = sum(r["rps"] for r in bare_runs) / len(bare_runs)
    rep_rps = sum(r["rps"] for r in rep_runs) / len(rep_runs)
    for i, (b, r) in enumerate(zip(bare_runs, rep_runs), start=1):
        results.emit(benchmark="reports_create", db=db, round=i, report_create=r, bare_insert=b,
                     ratio=common.ratio(r["rps"], b["rps"]))
    results.emit(benchmark="reports_create", db=db, summary=True, workers=2, worker_class="sync",
                 connections=args.connections, seconds_per_run=args.seconds, rounds=args.rounds,
                 reports_in_db=Report.objects.count(), report_rps=round(rep_rps, 1),
                 bare_insert_rps=round(bare_rps, 1), ratio=common.ratio(rep_rps, bare_rps), bar=0.5,
                 meets_bar=rep_rps >= 0.5 * bare_rps, report_p99_ms=max(r.get("p99_ms", 0) for r in rep_runs),
                 errors=sum(r["non_2xx_3xx"] + r["socket_errors"] for r in rep_runs + bare_runs))
    results.save()


if __name__ == "__main__":
    main()

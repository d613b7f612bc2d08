"""Creating a citizen report over HTTP (Open311 POST) vs a bare Django view that inserts one row, same run.

    .venv/bin/python bench/reports_create.py --pg           # PostgreSQL tinhso_bench_reports_create (the bar)
    .venv/bin/python bench/reports_create.py                # SQLite
    .venv/bin/python bench/reports_create.py --pg --photo   # also the portal's form, without and with a photo

Bar (issue 5): report creation requests/s >= 50 % of the bare insert's, 2 gunicorn sync workers.
The report is `POST /open311/v2/requests.json` (form-encoded, as the specification says: API key,
service_code, lat/long inside the province, description, a required attribute, the reporter's name,
e-mail and phone): the view checks the key (SHA-256 lookup), the category and its attributes, the
position, then report_create numbers it, inserts the report, its ReportEvent, its DomainEvent and scoring's
rollup rows in one transaction and answers the id (on PostgreSQL in two round trips: the number with the
rows' ids, then every row in one multi-statement query; see tinhso.events.batch). The bare baseline is `POST /bench/bare-insert` (one DomainEvent row).
The bar is measured WITHOUT a photo (an Open311 POST carries none: media_url is a link, stored as text).

`--photo` adds rounds of the portal's form (`POST /phan-anh/gui/` as a signed-in citizen, the offline
app's JSON answer), without a photo and with one 12 MP phone photo (4032 x 3024 JPEG, about 3.4 MB,
re-encoded to about 2016 x 1512 without metadata): what a photo costs, with its own ratio to the bare insert.

`--without-hooks` (diagnostic, saved apart): the same without the hooks other domains run in the
creation's transaction (feedback.hooks; today scoring's rollups), to show what they cost.

Rate limits (tinhso.security) are switched off for the server (TINHSO_RATELIMIT=0): one client sending
hundreds of reports a second from 127.0.0.1 is exactly what they refuse. The old-address index is not
warmed in the workers (TINHSO_WARM_ADDRESS_INDEX=0): that background build holds the GIL for seconds after
start and took most of the first round's figures. Before the server starts, one
report is created in-process and its SQL statements are counted (`queries_per_report`).
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
CATEGORY_WEB = "bench-den-duong"


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


def phone_photo(width: int = 4032, height: int = 3024) -> bytes:
    """A photo-like JPEG as a phone takes it (smooth light and fine texture, quality 92, with EXIF)."""
    import io

    from PIL import Image

    light = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    texture = Image.effect_noise((width // 4, height // 4), 60).resize((width, height)).convert("RGB")
    img = Image.blend(light, texture, 0.5)
    exif = Image.Exif()
    exif[0x010F] = "BenchPhone"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 35.0, 32.9), 3: "E", 4: (105.0, 50.0, 53.4)}  # GPS
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def web_bodies(var_dir: Path) -> tuple[list[str], list[str]]:
    """A signed-in citizen's session and the form bodies (without, with a photo): wrk args of post_file.lua."""
    from django.test import Client
    from urllib3 import encode_multipart_formdata

    from tinhso.people.models import User

    from tinhso.feedback.models import Category

    # the portal's form sends no answers to a category's questions: a category without any
    Category.objects.get_or_create(code=CATEGORY_WEB, defaults={"name": "Đèn đường hỏng (đo hiệu năng)"})
    user = User.objects.create_user(username="079203001234", cccd="079203001234", password="Bench-mat-khau-1",
                                    kind="citizen", full_name="Nguyễn Văn Đo", email="do@bench.test",
                                    phone="0912345678")
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    csrf = "b" * 32  # an unmasked CSRF secret: cookie and form field carry the same one
    fields = {"csrfmiddlewaretoken": csrf, "category": CATEGORY_WEB, "lat": "21.592477", "long": "105.848174",
              "address": "Trước số 12 đường Hoàng Văn Thụ", "urgency": "normal",
              "description": "Ổ gà lớn giữa làn đường, xe máy dễ ngã khi trời mưa. Đề nghị sớm sửa chữa."}
    headers = [f"Cookie: sessionid={session}; csrftoken={csrf}", "X-Tinhso-Offline: 1"]
    out = []
    for name, extra in (("web", {}), ("web_photo", {"photos": ("anh.jpg", phone_photo(), "image/jpeg")})):
        body, content_type = encode_multipart_formdata({**fields, **extra})
        path = var_dir / f"{name}.body"
        path.write_bytes(body)
        out.append(["/phan-anh/gui/", str(path), content_type, *headers])
    return out[0], out[1]


def queries_per_report(body_bytes: bytes) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.post("/open311/v2/requests.json", data=body_bytes, content_type="application/x-www-form-urlencoded")
    with CaptureQueriesContext(connection) as q:
        r = client.post("/open311/v2/requests.json", data=body_bytes, content_type="application/x-www-form-urlencoded")
    if r.status_code != 201:
        raise SystemExit(f"the report is refused in-process ({r.status_code}): {r.content[:500]!r}")
    return len(q.captured_queries)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=2, help="alternating baseline/report rounds")
    ap.add_argument("--photo", action="store_true", help="also the portal's form without and with a 12 MP photo")
    ap.add_argument("--without-hooks", action="store_true",
                    help="diagnostic: without the hooks other domains run on report changes (scoring's rollups)")
    args = ap.parse_args()
    common.require_wrk()
    os.environ["TINHSO_RATELIMIT"] = "0"  # for this process and the server (bench_env copies os.environ)
    # Without it each gunicorn worker spends its first seconds (tens of seconds on a loaded machine) building
    # the old-address index in a background thread (places/address.py), holding the GIL: the first figures
    # of a run were a fraction of the later ones. Nothing measured here converts addresses.
    os.environ["TINHSO_WARM_ADDRESS_INDEX"] = "0"
    if args.without_hooks:
        os.environ["BENCH_NO_REPORT_HOOKS"] = "1"  # bench_settings.py
    # its own database: other benchmarks drop and re-create tinhso_bench (common.PG_URL_DEFAULT)
    url = (os.environ.get("BENCH_DATABASE_URL") or common.PG_URL_DEFAULT.rsplit("/", 1)[0] + "/tinhso_bench_reports_create") if args.pg else None
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
    from tinhso.feedback import hooks

    report_hooks = [f"{f.__module__}.{f.__qualname__}" for f in hooks._after_change]
    results = common.Results("reports_create" + ("_pg" if url else "") + ("_without_hooks" if args.without_hooks else ""))
    db = common.db_label(url)
    n_queries = queries_per_report(body_file.read_bytes())
    web_args = web_bodies(var_dir) if args.photo else None

    load_start = round(os.getloadavg()[0], 2)
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
        web_runs = {}
        if web_args:
            for name, a in zip(("web_form", "web_form_photo"), web_args):
                run(a, 3)  # warm-up
                web_runs[name] = run(a, args.seconds)
            web_runs["bare_insert"] = run(bare_args, args.seconds)

    load = {"start": load_start, "end": round(os.getloadavg()[0], 2)}  # the machine is shared: its 1-min load
    bare_rps = sum(r["rps"] for r in bare_runs) / len(bare_runs)
    rep_rps = sum(r["rps"] for r in rep_runs) / len(rep_runs)
    for i, (b, r) in enumerate(zip(bare_runs, rep_runs), start=1):
        results.emit(benchmark="reports_create", db=db, round=i, report_create=r, bare_insert=b,
                     ratio=common.ratio(r["rps"], b["rps"]))
    results.emit(benchmark="reports_create", db=db, summary=True, workers=2, worker_class="sync",
                 connections=args.connections, seconds_per_run=args.seconds, rounds=args.rounds,
                 reports_in_db=Report.objects.count(), queries_per_report=n_queries, report_hooks=report_hooks,
                 photo=False,
                 ratelimit="off", report_rps=round(rep_rps, 1),
                 bare_insert_rps=round(bare_rps, 1), ratio=common.ratio(rep_rps, bare_rps), bar=0.5,
                 meets_bar=rep_rps >= 0.5 * bare_rps, report_p99_ms=max(r.get("p99_ms", 0) for r in rep_runs),
                 errors=sum(r["non_2xx_3xx"] + r["socket_errors"] for r in rep_runs + bare_runs), load_average_1m=load)
    if web_runs:
        bare = web_runs.pop("bare_insert")
        for name, r in web_runs.items():
            results.emit(benchmark="reports_create_" + name, db=db, photo=name.endswith("photo"),
                         photo_input="4032x3024 JPEG quality 92 with EXIF" if name.endswith("photo") else None,
                         figure=r, bare_insert=bare, ratio=common.ratio(r["rps"], bare["rps"]),
                         errors=r["non_2xx_3xx"] + r["socket_errors"])
    results.save()


if __name__ == "__main__":
    main()

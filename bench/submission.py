"""Online submission over HTTP vs a bare Django view that inserts one row, same server, same run.

    .venv/bin/python bench/submission.py            # SQLite (fresh DB, 100,000 dossiers seeded)
    .venv/bin/python bench/submission.py --pg       # PostgreSQL tinhso_bench
    .venv/bin/python bench/submission.py --reuse    # keep the database of the last run

Bar: submission requests/s >= 50 % of the bare insert's. The submission is `POST /api/v1/dossiers`
(signed-in demo citizen's session cookie + CSRF token, multipart: procedure 1.001193, agency
000.01.90.H55, the application form as JSON, a small valid PDF per mandatory paper): the API checks
the citizen, the procedure and agency, validates the form, checks each file's content, stores the
files, inserts the dossier and its event in one transaction, commits and answers the dossier as JSON.
The bare baseline is `POST /bench/bare-insert` (csrf-exempt, one DomainEvent row).

A second floor, `POST /bench/bare-upload` (csrf-exempt, the same multipart body: Django parses it, stores its
files as they come and inserts one row), is measured in the same rounds: `upload_floor_ratio` says how much of
the bare insert's rate is left once the papers alone are received and stored, before any check, code, due
time, event or audit link: no submission that keeps its papers can exceed it.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import seed  # noqa: E402

CITIZEN = ("019090001234", "TinhSo@2026demo")
PROCEDURE = "1.001193"
AGENCY = "000.01.90.H55"
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
FORM = {"ho_ten": "Nguyễn Văn An", "so_cccd": "019090001234", "dien_thoai": "0912345678",
        "email": "nguyenvanan@example.vn", "noi_cu_tru": "Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên",
        "ho_ten_tre": "Nguyễn Minh Khôi", "ngay_sinh_tre": "01/02/2026", "gioi_tinh_tre": "nam",
        "noi_sinh": "Bệnh viện Trung ương Thái Nguyên", "quan_he": "cha"}


def sign_in(base: str):
    """The demo citizen's session and CSRF cookies, by signing in once like a browser would."""
    import requests

    s = requests.Session()
    page = s.get(base + "/tai-khoan/login/", timeout=30)
    page.raise_for_status()
    for field in ('name="login"', 'name="password"'):
        if field not in page.text:
            raise RuntimeError(f"the sign-in page has no {field} field any more: update bench/submission.py")
    r = s.post(base + "/tai-khoan/login/", timeout=30, allow_redirects=False, headers={"Referer": base + "/tai-khoan/login/"},
               data={"login": CITIZEN[0], "password": CITIZEN[1], "csrfmiddlewaretoken": s.cookies["csrftoken"]})
    if r.status_code != 302 or "sessionid" not in s.cookies:
        raise RuntimeError(f"sign-in failed ({r.status_code}): {r.text[:500]}")
    return s


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "----tinhso-bench-" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, ctype) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def submission_body(agency_id: int) -> tuple[bytes, str]:
    from tinhso.catalog.models import Procedure

    proc = Procedure.objects.get(code=PROCEDURE)
    files = {f"component_{c.key}": (f"{c.key}.pdf", PDF, "application/pdf")
             for c in proc.components.all() if c.mandatory}
    return multipart({"procedure": PROCEDURE, "agency": str(agency_id),
                      "form": json.dumps(FORM, ensure_ascii=False)}, files)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="reuse the database of the last run (no re-seed)")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=2, help="alternating baseline/submission rounds")
    args = ap.parse_args()
    common.require_wrk()
    url = (os.environ.get("BENCH_DATABASE_URL") or common.PG_URL_DEFAULT) if args.pg else None
    var_dir = common.DEFAULT_VAR / ("submission-pg" if url else "submission")
    info = seed.prepare(n=args.n, var_dir=var_dir, database_url=url, fresh=not args.reuse)

    from tinhso.dossiers.models import Dossier
    from tinhso.events.models import DomainEvent
    from tinhso.places.models import Agency

    agency_id = Agency.objects.get(code=AGENCY).pk
    body, ctype = submission_body(agency_id)
    body_file = var_dir / "submission.body"
    body_file.write_bytes(body)
    empty_file = var_dir / "empty.body"
    empty_file.write_bytes(b"")
    results = common.Results("submission" + ("_pg" if url else ""))
    db = common.db_label(url)
    dossiers_before = Dossier.objects.count()

    with common.server(var_dir, url) as base:
        s = sign_in(base)
        csrf, session = s.cookies["csrftoken"], s.cookies["sessionid"]
        check = s.post(base + "/api/v1/dossiers", data=body, timeout=30,
                       headers={"Content-Type": ctype, "X-CSRFToken": csrf, "Referer": base + "/"})
        if check.status_code != 201:
            raise SystemExit(f"the submission request is refused ({check.status_code}): {check.text[:1000]}")
        sub_args = ["/api/v1/dossiers", str(body_file), ctype, f"Cookie: csrftoken={csrf}; sessionid={session}",
                    f"X-CSRFToken: {csrf}", f"Referer: {base}/"]
        bare_args = ["/bench/bare-insert", str(empty_file), "application/x-www-form-urlencoded"]
        upload_args = ["/bench/bare-upload", str(body_file), ctype]
        script = common.BENCH_DIR / "post_file.lua"
        run = lambda a, sec: common.wrk(base, script=script, args=a, connections=args.connections, seconds=sec)  # noqa: E731
        run(bare_args, 3)  # warm-up: both workers import, connect, fill caches
        run(sub_args, 3)
        run(upload_args, 3)
        bare_runs, sub_runs, upload_runs = [], [], []
        for _ in range(args.rounds):
            bare_runs.append(run(bare_args, args.seconds))
            sub_runs.append(run(sub_args, args.seconds))
            upload_runs.append(run(upload_args, args.seconds))

    created = Dossier.objects.count() - dossiers_before
    bare_rps = sum(r["rps"] for r in bare_runs) / len(bare_runs)
    sub_rps = sum(r["rps"] for r in sub_runs) / len(sub_runs)
    upload_rps = sum(r["rps"] for r in upload_runs) / len(upload_runs)
    for i, (b, sub, up) in enumerate(zip(bare_runs, sub_runs, upload_runs), start=1):
        results.emit(benchmark="submission", db=db, round=i, seeded_dossiers=info["dossiers"],
                     submission=sub, bare_insert=b, upload_floor=up, ratio=common.ratio(sub["rps"], b["rps"]),
                     upload_floor_ratio=common.ratio(up["rps"], b["rps"]))
    results.emit(benchmark="submission", db=db, summary=True, workers=2, worker_class="sync",
                 connections=args.connections, seconds_per_run=args.seconds, rounds=args.rounds,
                 dossiers_in_db=Dossier.objects.count(), dossiers_created_by_run=created,
                 submission_rps=round(sub_rps, 1), bare_insert_rps=round(bare_rps, 1),
                 ratio=common.ratio(sub_rps, bare_rps), bar=0.5, meets_bar=sub_rps >= 0.5 * bare_rps,
                 upload_floor_rps=round(upload_rps, 1), upload_floor_ratio=common.ratio(upload_rps, bare_rps),
                 submission_to_upload_floor=common.ratio(sub_rps, upload_rps),
                 load_average_1m=round(os.getloadavg()[0], 2),
                 submission_p99_ms=max(r.get("p99_ms", 0) for r in sub_runs),
                 errors=sum(r["non_2xx_3xx"] + r["socket_errors"] for r in sub_runs + bare_runs + upload_runs))
    results.save()


if __name__ == "__main__":
    main()

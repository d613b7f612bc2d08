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

Since 30/11/2026 the papers can be uploaded ahead, one request each (`POST /api/v1/uploads`: checked by content and
stored at once, as the portal does when a paper is chosen), and the submission names them (`upload_<key>`, used
once). The bar is measured on that submission (`submission`: urlencoded, the same form, two papers named by
token; each request takes a fresh pair of papers, seeded before each run as rows and files, `post_lines.lua`).
Measured in the same rounds, and printed: `submission_with_files` (the papers sent in the submission itself, the
figure of the earlier runs), `paper_upload` (`POST /api/v1/uploads`, one PDF), and `journey` = the submissions per
second the server sustains when each also uploads its two papers (1 / (1/submission + 2/paper_upload)).

A third floor, `POST /bench/bare-dossier-rows` (`rows_floor`), writes the rows a submission writes (the dossier,
its two papers, its event, the audit link and head), copied from the last submission's rows as the database holds
them, by statements built once, in one transaction: what storing them alone costs, with no Python work around it.
`rows_floor_signed_in` is the same request with the citizen's session cookie: the session and the user are loaded
as for any signed-in request (the middleware reads them), so it is what a signed-in submission costs before it
parses, validates or answers anything.
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


def seed_uploads(owner, count: int) -> list[str]:
    """`count` papers uploaded ahead by `owner`, as `paper_upload` leaves them (a row and its checked file), written
    directly: the benchmark's seeding, not what it measures (that is `POST /api/v1/uploads`, measured apart)."""
    from datetime import timedelta
    from pathlib import Path as P

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from tinhso.dossiers.models import PaperUpload
    from tinhso.dossiers.uploads import check_upload, new_upload_token

    cf = check_upload(SimpleUploadedFile("giay-to.pdf", PDF, "application/pdf"), accepted=["pdf"], field_label="bench")
    now = timezone.now() + timedelta(minutes=10)  # still fresh at the end of the run
    folder = f"dossiers/{now:%Y}/{now:%m}"
    (P(settings.MEDIA_ROOT) / folder).mkdir(parents=True, exist_ok=True)
    rows, tokens = [], []
    for _ in range(count):
        name = f"{folder}/{uuid.uuid4().hex}.pdf"
        (P(settings.MEDIA_ROOT) / name).write_bytes(PDF)
        token = new_upload_token()
        tokens.append(token)
        rows.append(PaperUpload(owner=owner, token=token, file=name, original_filename="giay-to.pdf", kind=cf.kind,
                                content_type=cf.content_type, size=cf.size, sha256=cf.sha256, created_at=now))
    PaperUpload.objects.bulk_create(rows, batch_size=2000)
    return tokens


def token_bodies(path: Path, owner, agency_id: int, count: int, keys: list[str]) -> int:
    """A file of `count` urlencoded submissions, one per line, each naming fresh papers for `keys`."""
    from urllib.parse import urlencode

    tokens = iter(seed_uploads(owner, count * len(keys)))
    form = json.dumps(FORM, ensure_ascii=False)
    with path.open("w") as f:
        for _ in range(count):
            fields = {"procedure": PROCEDURE, "agency": str(agency_id), "form": form}
            fields.update({f"upload_{k}": next(tokens) for k in keys})
            f.write(urlencode(fields) + "\n")
    return count


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

    from tinhso.catalog.models import Procedure
    from tinhso.people.models import User

    owner = User.objects.get(username=CITIZEN[0])
    keys = [c.key for c in Procedure.objects.get(code=PROCEDURE).components.all() if c.mandatory]
    paper_body, paper_ctype = multipart({}, {"file": ("giay-to.pdf", PDF, "application/pdf")})
    paper_file = var_dir / "paper.body"
    paper_file.write_bytes(paper_body)
    load_start = round(os.getloadavg()[0], 2)
    names = ("bare_insert", "submission", "rows_floor", "rows_floor_signed_in", "submission_with_files", "upload_floor",
             "paper_upload")

    with common.server(var_dir, url) as base:
        s = sign_in(base)
        csrf, session = s.cookies["csrftoken"], s.cookies["sessionid"]
        auth = [f"Cookie: csrftoken={csrf}; sessionid={session}", f"X-CSRFToken: {csrf}", f"Referer: {base}/"]
        check = s.post(base + "/api/v1/dossiers", data=body, timeout=30,
                       headers={"Content-Type": ctype, "X-CSRFToken": csrf, "Referer": base + "/"})
        if check.status_code != 201:
            raise SystemExit(f"the submission request is refused ({check.status_code}): {check.text[:1000]}")
        lines = var_dir / "submissions.lines"
        token_bodies(lines, owner, agency_id, 3, keys)
        for line in lines.read_text().splitlines()[:1]:
            check = s.post(base + "/api/v1/dossiers", data=line, timeout=30, headers={
                "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf, "Referer": base + "/"})
            if check.status_code != 201:
                raise SystemExit(f"the submission naming uploaded papers is refused ({check.status_code}): "
                                 f"{check.text[:1000]}")
        fixed = {
            "bare_insert": ["/bench/bare-insert", str(empty_file), "application/x-www-form-urlencoded"],
            "submission_with_files": ["/api/v1/dossiers", str(body_file), ctype, *auth],
            "upload_floor": ["/bench/bare-upload", str(body_file), ctype],
            "rows_floor": ["/bench/bare-dossier-rows", str(empty_file), "application/x-www-form-urlencoded"],
            "rows_floor_signed_in": ["/bench/bare-dossier-rows", str(empty_file), "application/x-www-form-urlencoded",
                                     *auth],
            "paper_upload": ["/api/v1/uploads", str(paper_file), paper_ctype, *auth],
        }
        post_file, post_lines = common.BENCH_DIR / "post_file.lua", common.BENCH_DIR / "post_lines.lua"
        best = {"rps": 0.0}

        def run(name: str, sec: int) -> dict:
            if name != "submission":
                return common.wrk(base, script=post_file, args=fixed[name], connections=args.connections, seconds=sec)
            # Fresh papers for every request this run can make (twice the best rate seen so far, at least 2,000/s).
            count = int(max(2000.0, 2 * best["rps"]) * sec) + 500
            token_bodies(lines, owner, agency_id, count, keys)
            out = common.wrk(base, script=post_lines, connections=args.connections, seconds=sec,
                             args=["/api/v1/dossiers", str(lines), "application/x-www-form-urlencoded", *auth])
            best["rps"] = max(best["rps"], out["rps"])
            out["bodies_prepared"] = count
            return out

        for name in names:
            run(name, 3)  # warm-up: both workers import, connect, fill caches
        runs: dict[str, list[dict]] = {n: [] for n in names}
        for _ in range(args.rounds):
            for name in names:
                runs[name].append(run(name, args.seconds))

    created = Dossier.objects.count() - dossiers_before
    mean = {n: sum(r["rps"] for r in rs) / len(rs) for n, rs in runs.items()}
    bare_rps, sub_rps = mean["bare_insert"], mean["submission"]
    journey = 1 / (1 / sub_rps + len(keys) / mean["paper_upload"]) if sub_rps and mean["paper_upload"] else 0.0
    for i in range(args.rounds):
        r = {n: runs[n][i] for n in names}
        results.emit(benchmark="submission", db=db, round=i + 1, seeded_dossiers=info["dossiers"], **r,
                     ratio=common.ratio(r["submission"]["rps"], r["bare_insert"]["rps"]),
                     with_files_ratio=common.ratio(r["submission_with_files"]["rps"], r["bare_insert"]["rps"]),
                     rows_floor_ratio=common.ratio(r["rows_floor"]["rps"], r["bare_insert"]["rps"]),
                     upload_floor_ratio=common.ratio(r["upload_floor"]["rps"], r["bare_insert"]["rps"]))
    results.emit(benchmark="submission", db=db, summary=True, workers=2, worker_class="sync",
                 connections=args.connections, seconds_per_run=args.seconds, rounds=args.rounds,
                 dossiers_in_db=Dossier.objects.count(), dossiers_created_by_run=created,
                 submission_rps=round(sub_rps, 1), bare_insert_rps=round(bare_rps, 1),
                 ratio=common.ratio(sub_rps, bare_rps), bar=0.5, meets_bar=sub_rps >= 0.5 * bare_rps,
                 submission_with_files_rps=round(mean["submission_with_files"], 1),
                 with_files_ratio=common.ratio(mean["submission_with_files"], bare_rps),
                 paper_upload_rps=round(mean["paper_upload"], 1),
                 paper_upload_ratio=common.ratio(mean["paper_upload"], bare_rps),
                 papers_per_submission=len(keys), journey_rps=round(journey, 1),
                 journey_ratio=common.ratio(journey, bare_rps),
                 rows_floor_rps=round(mean["rows_floor"], 1), rows_floor_ratio=common.ratio(mean["rows_floor"], bare_rps),
                 submission_to_rows_floor=common.ratio(sub_rps, mean["rows_floor"]),
                 rows_floor_signed_in_rps=round(mean["rows_floor_signed_in"], 1),
                 rows_floor_signed_in_ratio=common.ratio(mean["rows_floor_signed_in"], bare_rps),
                 upload_floor_rps=round(mean["upload_floor"], 1),
                 upload_floor_ratio=common.ratio(mean["upload_floor"], bare_rps),
                 load_average_start=load_start, load_average_1m=round(os.getloadavg()[0], 2),
                 submission_p99_ms=max(r.get("p99_ms", 0) for r in runs["submission"]),
                 errors=sum(r["non_2xx_3xx"] + r["socket_errors"] for rs in runs.values() for r in rs))
    results.save()


if __name__ == "__main__":
    main()

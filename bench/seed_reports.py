"""Fill a bench database with N realistic citizen reports, fast (raw batched inserts / COPY, not the services).

    .venv/bin/python bench/seed_reports.py --n 200000          # SQLite in /tmp/tinhso-bench/reports-read
    .venv/bin/python bench/seed_reports.py --n 200000 --pg     # PostgreSQL tinhso_bench_reports_read

What is written (on top of the demo's 12 categories and their routing): reports spread over the last
two years (newest first ~ 275 a day), in every category (traffic and waste most often) and in every
commune of the province; states mostly closed or answered, ~15 % still being handled, ~3 % new and ~3 %
rejected (neither public); a position inside the province for 70 %, an address for 60 %; the handling
agency of the category's routing; an answer, dates and a rating where the state has them; the public
history (ReportEvent: created, accepted, assigned, in progress, answered, closed) and 0–2 photos rows
per report (rows only: the list and the report's page never open the files); the month counters
(ReportSequence), so that new reports continue the numbering. Not written: domain events, rollups.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone as dt_tz
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

STATES = {"closed": 57, "answered": 20, "in_progress": 7, "assigned": 8, "accepted": 2, "new": 3, "rejected": 3}
CATEGORY_WEIGHT = {"giao-thong": 23, "rac-thai": 14, "trat-tu-do-thi": 12, "moi-truong": 9, "dien-chieu-sang": 8,
                   "cap-thoat-nuoc": 8, "dat-dai-xay-dung": 7, "an-ninh-trat-tu": 6}  # others: 3
PROBLEMS = [
    "Ổ gà lớn giữa làn đường, xe máy dễ ngã khi trời mưa.", "Rác thải tập kết bừa bãi ven đường, bốc mùi hôi thối.",
    "Đèn đường không sáng từ nhiều đêm nay, người dân đi lại khó khăn.", "Nắp cống bị vỡ, rất nguy hiểm cho học sinh.",
    "Quán ăn lấn chiếm vỉa hè, người đi bộ phải xuống lòng đường.", "Nước thải từ cơ sở sản xuất chảy thẳng ra suối.",
    "Cây xanh nghiêng sắp đổ sau trận mưa bão.", "Đường ống nước bị vỡ, nước chảy lênh láng cả tuần nay.",
    "Tiếng ồn từ công trình xây dựng kéo dài sau 22 giờ.", "Xe tải chở vật liệu làm rơi đất đá xuống đường.",
]
WHERE = ["trước cổng trường tiểu học", "gần chợ", "đầu ngõ", "cạnh nhà văn hóa tổ dân phố", "trên tuyến đường liên xã",
         "gần ngã tư", "phía sau khu dân cư mới", "cạnh trạm y tế"]
ASKS = ["Đề nghị cơ quan chức năng sớm kiểm tra, xử lý.", "Mong chính quyền quan tâm giải quyết.",
        "Người dân đã phản ánh nhiều lần nhưng chưa được khắc phục.", ""]
ANSWERS = [
    "Ủy ban nhân dân đã chỉ đạo đơn vị quản lý kiểm tra hiện trường và khắc phục xong trong ngày. Cảm ơn người dân đã phản ánh.",
    "Đơn vị thu gom đã bố trí xe thu dọn, đồng thời tăng tần suất thu gom tại điểm này lên hai lần mỗi ngày.",
    "Lực lượng trật tự đô thị đã lập biên bản, yêu cầu hộ kinh doanh trả lại mặt bằng vỉa hè.",
    "Công ty điện lực đã thay thế bóng đèn và kiểm tra lại toàn tuyến chiếu sáng.",
    "Đoàn kiểm tra liên ngành đã làm việc với cơ sở, xử phạt vi phạm hành chính và yêu cầu khắc phục.",
]
STREETS = ["Hoàng Văn Thụ", "Lương Ngọc Quyến", "Phan Đình Phùng", "Cách Mạng Tháng Tám", "Quang Trung",
           "Bến Oanh", "Minh Cầu", "Đội Cấn", "Túc Duyên", "Z115"]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang"]


PG_URL = common.PG_URL_DEFAULT.rsplit("/", 1)[0] + "/tinhso_bench_reports_read"  # bench/reports_read.py's


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def seed(*, n: int, now: datetime | None = None, batch: int = 20000, rng_seed: int = 2026, out_dir: Path | None = None) -> dict:
    """Insert n reports (with their public history and photo rows). Returns counts and timings."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tinhso.feedback.models import Category, Report, ReportEvent, ReportPhoto, ReportSequence, RoutingRule
    from tinhso.places.models import Agency, Commune
    from django.conf import settings

    t0 = time.perf_counter()
    rng = random.Random(rng_seed)
    pg = connection.vendor == "postgresql"
    now = (now or timezone.now()).astimezone(dt_tz.utc).replace(tzinfo=None)  # naive UTC
    local = timedelta(hours=7)  # Asia/Ho_Chi_Minh, for the month of the public id
    categories = list(Category.objects.filter(active=True).values("id", "code", "deadline_working_days"))
    if not categories:
        raise SystemExit("no report category: load the demo first (tinhso demo)")
    cat_weights = {c["id"]: CATEGORY_WEIGHT.get(c["code"], 3) for c in categories}
    deadline = {c["id"]: c["deadline_working_days"] for c in categories}
    communes = list(Commune.objects.filter(province_id=settings.PROVINCE_CODE).values("code", "name"))
    routes: dict[int, dict] = {}
    for r in RoutingRule.objects.values("category_id", "commune_id", "agency_id"):
        routes.setdefault(r["category_id"], {})[r["commune_id"]] = r["agency_id"]
    any_agency = Agency.objects.filter(active=True).values_list("pk", flat=True).first()
    report_id = (Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    event_id = (ReportEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    photo_id = (ReportPhoto.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    span = timedelta(days=730)
    # created_at, oldest first, so that ids and public ids grow with time
    created = sorted(now - timedelta(seconds=rng.random() * span.total_seconds()) for _ in range(n))
    sequence: dict[str, int] = {p: last for p, last in ReportSequence.objects.values_list("period", "last")}

    r_cols = ["id", "public_id", "category_id", "description", "attributes", "lat", "long", "address", "commune_id",
              "urgency", "state", "reporter_id", "reporter_name", "reporter_email", "reporter_phone", "device_id",
              "account_id", "via", "media_url", "api_key_id", "agency_id", "dossier_id", "reject_reason", "reject_note",
              "duplicate_of_id", "answer", "due_at", "accepted_at", "answered_at", "closed_at", "rating",
              "rating_comment", "reopened_count", "warned_due_soon", "warned_late", "created_at", "updated_at"]
    e_cols = ["id", "report_id", "actor_id", "at", "action", "from_state", "to_state", "note", "public"]
    p_cols = ["id", "report_id", "file", "width", "height", "hidden", "created_at"]
    dt_r = {"due_at", "accepted_at", "answered_at", "closed_at", "created_at", "updated_at"}
    tables = {"r": Report._meta.db_table, "e": ReportEvent._meta.db_table, "p": ReportPhoto._meta.db_table}

    def ts(d):
        if d is None:
            return None
        return d.replace(tzinfo=dt_tz.utc) if pg else d.isoformat(" ")

    def boolean(b):
        return b if pg else int(b)

    def one(created_at: datetime):
        nonlocal report_id, event_id, photo_id
        rid = report_id
        report_id += 1
        period = (created_at + local).strftime("%y%m")
        sequence[period] = sequence.get(period, 0) + 1
        cat = rng.choices(list(cat_weights), weights=list(cat_weights.values()))[0]
        commune = rng.choice(communes) if rng.random() < 0.9 else None
        state = _pick(rng, STATES)
        if created_at > now - timedelta(days=3) and state in ("closed", "answered"):
            state = rng.choice(["new", "accepted", "assigned", "in_progress"])
        age = now - created_at
        agency = None
        accepted_at = answered_at = closed_at = due_at = None
        rating = ""
        answer = ""
        events = [("created", "", "new", "Phản ánh được gửi (web).", created_at, False)]
        if state != "new" and state != "rejected":
            accepted_at = created_at + timedelta(hours=rng.uniform(1, 30))
            due_at = created_at + timedelta(days=deadline[cat] * 1.4)
            events.append(("accepted", "new", "accepted", "Đã tiếp nhận phản ánh.", accepted_at, True))
            if state != "accepted":
                table = routes.get(cat, {})
                agency = table.get(commune["code"] if commune else None) or table.get(None) or any_agency
                events.append(("assigned", "accepted", "assigned", "Chuyển cơ quan xử lý.", accepted_at, True))
            if state in ("in_progress", "answered", "closed"):
                events.append(("in_progress", "assigned", "in_progress", "Cơ quan bắt đầu xử lý.",
                               accepted_at + timedelta(hours=rng.uniform(1, 48)), True))
            if state in ("answered", "closed"):
                answered_at = min(accepted_at + timedelta(days=rng.uniform(0.5, deadline[cat] * 1.6)),
                                  created_at + age * 0.9)
                answer = rng.choice(ANSWERS)
                events.append(("answered", "in_progress", "answered", answer, answered_at, True))
            if state == "closed":
                closed_at = answered_at + timedelta(days=rng.uniform(0.1, 7))
                rating = rng.choices(["satisfied", "acceptable", "unsatisfied", ""], weights=[70, 15, 7, 8])[0]
                events.append(("closed", "answered", "closed", "Phản ánh đã đóng.", closed_at, True))
        elif state == "rejected":
            events.append(("rejected", "new", "rejected", "Không đủ thông tin.",
                           created_at + timedelta(hours=rng.uniform(1, 30)), True))
        updated_at = max(e[4] for e in events)
        text = " ".join(x for x in (rng.choice(PROBLEMS), "Vị trí " + rng.choice(WHERE) + ".", rng.choice(ASKS)) if x)
        has_point = rng.random() < 0.7
        lat = Decimal(f"{rng.uniform(21.40, 22.60):.6f}") if has_point else None
        lng = Decimal(f"{rng.uniform(105.50, 106.20):.6f}") if has_point else None
        address = f"Số {rng.randint(1, 300)} đường {rng.choice(STREETS)}" if rng.random() < 0.6 else ""
        row = {
            "id": rid, "public_id": f"PA-{period}-{sequence[period]:06d}", "category_id": cat, "description": text,
            "attributes": "{}", "lat": lat, "long": lng, "address": address,
            "commune_id": commune["code"] if commune else None, "urgency": "urgent" if rng.random() < 0.05 else "normal",
            "state": state, "reporter_id": None, "reporter_name": rng.choice(NAMES), "reporter_email": "",
            "reporter_phone": f"09{rng.randint(10000000, 99999999)}", "device_id": "", "account_id": "",
            "via": "web" if rng.random() < 0.8 else "open311", "media_url": "", "api_key_id": None, "agency_id": agency,
            "dossier_id": None, "reject_reason": "not_enough" if state == "rejected" else "", "reject_note": "",
            "duplicate_of_id": None, "answer": answer, "due_at": due_at, "accepted_at": accepted_at,
            "answered_at": answered_at, "closed_at": closed_at, "rating": rating, "rating_comment": "",
            "reopened_count": 0, "warned_due_soon": False, "warned_late": False, "created_at": created_at,
            "updated_at": updated_at,
        }
        r = tuple(ts(row[c]) if c in dt_r else (boolean(row[c]) if isinstance(row[c], bool) else row[c]) for c in r_cols)
        evs = []
        for action, frm, to, note, at, public in events:
            evs.append((event_id, rid, None, ts(at), action, frm, to, note, boolean(public)))
            event_id += 1
        photos = []
        for _ in range(rng.choices([0, 1, 2], weights=[60, 30, 10])[0]):
            photos.append((photo_id, rid, f"reports/bench/{photo_id}.jpg", 2016, 1512, boolean(rng.random() < 0.02),
                           ts(created_at)))
            photo_id += 1
        return r, evs, photos, row["public_id"], state

    def write(rows):
        with transaction.atomic(), connection.cursor() as cur:
            for key, cols in (("r", r_cols), ("e", e_cols), ("p", p_cols)):
                if not rows[key]:
                    continue
                sql_cols = ", ".join(f'"{c}"' for c in cols)
                if pg:
                    with cur.cursor.copy(f'COPY "{tables[key]}" ({sql_cols}) FROM STDIN') as cp:
                        for r in rows[key]:
                            cp.write_row(r)
                else:
                    cur.executemany(f'INSERT INTO "{tables[key]}" ({sql_cols}) VALUES ({", ".join(["%s"] * len(cols))})',
                                    rows[key])

    dropped: list[str] = []
    if not pg:  # bulk-load settings for this connection only (the server keeps the product's settings)
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-800000")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                        "AND tbl_name IN (%s, %s, %s)", list(tables.values()))
            for name, sql in cur.fetchall():
                cur.execute(f'DROP INDEX "{name}"')
                dropped.append(sql)
    gc.disable()
    public_ids: list[str] = []
    counts = {"reports": 0, "events": 0, "photos": 0, "public": 0}
    done = 0
    try:
        while done < n:
            rows = {"r": [], "e": [], "p": []}
            for created_at in created[done:done + batch]:
                r, evs, photos, public_id, state = one(created_at)
                rows["r"].append(r)
                rows["e"].extend(evs)
                rows["p"].extend(photos)
                if state not in ("new", "rejected"):
                    public_ids.append(public_id)
            write(rows)
            done += len(rows["r"])
            counts["reports"] += len(rows["r"])
            counts["events"] += len(rows["e"])
            counts["photos"] += len(rows["p"])
            print(f"# seeded {done}/{n} reports ({time.perf_counter() - t0:.1f} s)", file=sys.stderr, flush=True)
    finally:
        gc.enable()
    t_rows = time.perf_counter() - t0
    with transaction.atomic(), connection.cursor() as cur:
        for sql in dropped:
            cur.execute(sql)
        seq = ReportSequence._meta.db_table
        for period, last in sequence.items():
            cur.execute(f"INSERT INTO {seq} (period, last) VALUES (%s, %s) "
                        f"ON CONFLICT (period) DO UPDATE SET last = excluded.last", [period, last])
        if pg:
            for key in ("r", "e", "p"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{tables[key]}\"', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 1) FROM \"{tables[key]}\"))")
    with connection.cursor() as cur:
        for key in ("r", "e", "p"):
            cur.execute(f'ANALYZE "{tables[key]}"')
    counts["public"] = len(public_ids)
    if out_dir is not None:
        ids = list(range(report_id - n, report_id))
        (out_dir / "report_public_ids.txt").write_text("\n".join(public_ids) + "\n")
        (out_dir / "report_ids.txt").write_text("\n".join(map(str, ids)) + "\n")
    return {**counts, "seconds_rows": round(t_rows, 1), "seconds_total": round(time.perf_counter() - t0, 1)}


def prepare(*, n: int, var_dir: Path, database_url: str | None, fresh: bool = True) -> dict:
    """A fresh migrated database with the demo and n seeded reports; this process is set up on it."""
    if fresh:
        t0 = time.perf_counter()
        common.fresh_database(var_dir, database_url)
        print(f"# fresh database migrated and demo loaded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    common.use_env_here(var_dir, database_url)
    import django

    django.setup()
    if not fresh:
        return json.loads((var_dir / "seed_reports.json").read_text())
    info = seed(n=n, out_dir=var_dir)
    (var_dir / "seed_reports.json").write_text(json.dumps(info))
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--pg", action="store_true", help=f"PostgreSQL ({PG_URL} or $BENCH_DATABASE_URL)")
    ap.add_argument("--var", type=Path, default=common.DEFAULT_VAR / "reports-read")
    args = ap.parse_args()
    url = (os.environ.get("BENCH_DATABASE_URL") or PG_URL) if args.pg else None
    var_dir = args.var.with_name(args.var.name + "-pg") if url and args.var == common.DEFAULT_VAR / "reports-read" else args.var
    info = prepare(n=args.n, var_dir=var_dir, database_url=url)
    print(json.dumps({"benchmark": "seed_reports", "db": common.db_label(url), **info}, ensure_ascii=False))


if __name__ == "__main__":
    main()

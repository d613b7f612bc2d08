"""The load scenario: 200 citizens and officials at once against the whole platform on PostgreSQL.

    .venv/bin/pip install -e '.[bench]'            # locust and psutil
    .venv/bin/python bench/load.py                  # fresh PostgreSQL tinhso_load, 50,000 dossiers seeded
    .venv/bin/python bench/load.py --reuse          # keep the database (and accounts) of the last run
    .venv/bin/python bench/load.py --users 100 --seconds 30

The platform as deployed: gunicorn (2 sync workers) + the background job consumer (`tinhso run_huey`)
+ PostgreSQL on 127.0.0.1 ($BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/tinhso_load).
Rate limits are switched off (TINHSO_RATELIMIT=0): a few hundred users from 127.0.0.1 are what they refuse.

The scenario is bench/locustfile.py (85 % citizens, 15 % officials, think times of seconds), headless,
bounded in time. Reported as JSON lines in bench/results/load.jsonl:
- per kind (pages, API reads, writes, and the floor): requests, requests/s, p50/p95/p99, errors;
- the floor, measured in the same run on the same server: a bare Django view (`GET /bench/bare-read/<id>`,
  one row, tiny JSON) read by a few extra users throughout the scenario (its latency under the same load),
  and its capacity measured with wrk just before the scenario (the throughput ratio's denominator);
- the memory (RSS) of the platform's processes (gunicorn master + 2 workers + the job consumer), sampled
  every half second throughout (psutil): the maximum of the sum must stay under 600 MB;
- per request name, the same figures.
Bars (issue 7): zero errors; p99 <= 500 ms for pages, <= 200 ms for API reads, at 200 users; RSS < 600 MB.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import seed  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/tinhso_load"
PROCEDURE = "1.001193"  # Đăng ký khai sinh, at the ward (staffed demo agency)
FORM = {"ho_ten": "", "so_cccd": "", "dien_thoai": "0912345678", "email": "congdan@example.vn",
        "noi_cu_tru": "Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên", "ho_ten_tre": "Nguyễn Minh Khôi",
        "ngay_sinh_tre": "01/02/2026", "gioi_tinh_tre": "nam", "noi_sinh": "Bệnh viện Trung ương Thái Nguyên",
        "quan_he": "cha"}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Ma", "Nông"]
MIDDLE = ["Văn", "Thị", "Minh", "Quang", "Thu", "Ngọc", "Đức", "Thanh", "Hữu", "Bảo"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Quân", "Trang", "Tuấn"]
OFFICIALS = [  # demo accounts: (username, role, acts in the pipeline)
    ("motcua.pdp", "receiver", True), ("chuyenvien.pdp", "specialist", True), ("lanhdao.pdp", "leader", True),
    ("motcua.stp", "receiver", False), ("chuyenvien.stp", "specialist", False), ("lanhdao.stp", "leader", False),
]
BARS = {"page": 500.0, "api": 200.0}
RSS_BAR_MB = 600


# --- data ---------------------------------------------------------------------------------------------

def _session(user) -> str:
    """A signed-in session as the sign-in pages leave it (sign-in itself is not what is measured)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key


def prepare_accounts(var_dir: Path, *, citizens: int, officials: int) -> dict:
    """Citizens (each owning a few of the seeded dossiers), sessions for them and for the demo officials,
    the codes to track, the ids officials open, a report category."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from tinhso.catalog.models import Procedure
    from tinhso.dossiers.models import Dossier
    from tinhso.feedback.models import Category
    from tinhso.people.models import User
    from tinhso.places.models import Agency

    rng = random.Random(7)
    unusable = make_password(None)
    ward = Agency.objects.get(code=seed.WARD)
    justice = Agency.objects.get(code=seed.JUSTICE)
    with transaction.atomic():
        # Accounts of this benchmark only (the demo's own citizens are left alone): user names "tai-<n>",
        # CCCD numbers not used by anyone else; those of an earlier run are kept.
        existing = set(User.objects.filter(username__startswith="tai-").values_list("username", flat=True))
        taken = set(User.objects.exclude(cccd="").values_list("cccd", flat=True))
        people = []
        for i in range(citizens):
            if f"tai-{i:04d}" in existing:
                continue
            cccd = next(c for c in (f"0191{rng.randrange(80, 100)}{rng.randrange(10**6):06d}" for _ in iter(int, 1))
                        if c not in taken)
            taken.add(cccd)
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            people.append(User(username=f"tai-{i:04d}", cccd=cccd, kind="citizen", full_name=name, password=unusable,
                               email=f"tai{i}@example.vn", phone=f"09{rng.randrange(10**8):08d}", gender="nam"))
        User.objects.bulk_create(people)
        people = list(User.objects.filter(username__startswith="tai-").order_by("username")[:citizens])
        owned = list(Dossier.objects.filter(agency=ward).exclude(code__isnull=True).order_by("?")
                     .values_list("pk", flat=True)[: 4 * len(people)])
        for i, u in enumerate(people):
            Dossier.objects.filter(pk__in=owned[4 * i: 4 * i + 4]).update(applicant=u, applicant_name=u.full_name,
                                                                           applicant_cccd=u.cccd)
    users = {u.username: u for u in User.objects.filter(username__in=[o[0] for o in OFFICIALS])}
    missing = [o[0] for o in OFFICIALS if o[0] not in users]
    if missing:
        raise SystemExit(f"demo officials missing ({missing}): `tinhso demo` did not load them")
    official_sessions = []
    for i in range(max(officials, len(OFFICIALS))):
        username, role, acts = OFFICIALS[i % len(OFFICIALS)]
        u = users[username]
        official_sessions.append({"username": username, "role": role, "acts": acts, "session": _session(u),
                                  "agency": "ward" if username.endswith(".pdp") else "justice"})
    proc = Procedure.objects.get(code=PROCEDURE)
    category = Category.objects.filter(active=True, attributes__isnull=True).order_by("code").first()
    if category is None:
        category, _ = Category.objects.get_or_create(code="load-den-duong", defaults={"name": "Đèn đường hỏng"})
    codes = (var_dir / "codes.txt").read_text().split()
    ids = [int(x) for x in (var_dir / "ids.txt").read_text().split()]
    agency_dossiers = {
        key: list(Dossier.objects.filter(agency=a).order_by("?").values_list("pk", flat=True)[:2000])
        for key, a in (("ward", ward), ("justice", justice))}
    data = {
        "csrf": "l" * 32,  # an unmasked CSRF secret: the cookie and the X-CSRFToken header carry the same
        "citizens": [{"id": u.pk, "cccd": u.cccd, "name": u.full_name, "session": _session(u)} for u in people],
        "officials": official_sessions, "procedure": PROCEDURE, "agency_id": ward.pk,
        "components": [c.key for c in proc.components.all() if c.mandatory], "form": FORM,
        "specialist_id": users["chuyenvien.pdp"].pk, "leader_id": users["lanhdao.pdp"].pk,
        "codes": codes[:5000], "bare_ids": ids[:5000], "agency_dossiers": agency_dossiers,
        "procedures": list(Procedure.objects.filter(published=True).values_list("code", flat=True)),
        "category": category.code,
    }
    path = var_dir / "load_data.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    return data


# --- the platform's processes and their memory ------------------------------------------------------

def platform_processes(port: int, consumer_pid: int) -> dict[str, "psutil.Process"]:  # noqa: F821
    import psutil

    master = None
    for p in psutil.process_iter(["pid", "cmdline"]):
        cmd = p.info["cmdline"] or []
        if any("gunicorn" in c for c in cmd[:2]) and f"127.0.0.1:{port}" in cmd:
            if master is None or p.pid < master.pid:
                master = p
    if master is None:
        raise SystemExit(f"no gunicorn master found on port {port}")
    procs = {"web master": master}
    for i, w in enumerate(sorted(master.children(), key=lambda c: c.pid), start=1):
        procs[f"web worker {i}"] = w
    procs["job worker"] = psutil.Process(consumer_pid)
    return procs


class MemorySampler(threading.Thread):
    """RSS of each platform process every `interval` seconds; the maximum of their sum is the figure."""

    def __init__(self, procs: dict, interval: float = 0.5):
        super().__init__(daemon=True)
        self.procs, self.interval = procs, interval
        self.stop_event = threading.Event()
        self.max_total = 0
        self.max_each: dict[str, int] = defaultdict(int)
        self.max_pss = 0
        self.samples = 0

    def run(self) -> None:
        import psutil

        while not self.stop_event.is_set():
            total = 0
            for name, p in self.procs.items():
                try:
                    rss = p.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                self.max_each[name] = max(self.max_each[name], rss)
            self.max_total = max(self.max_total, total)
            if self.samples % 4 == 0:  # PSS (shared pages divided among their sharers) reads smaps: less often
                try:
                    self.max_pss = max(self.max_pss, sum(p.memory_full_info().pss for p in self.procs.values()))
                except (psutil.Error, AttributeError):
                    pass
            self.samples += 1
            self.stop_event.wait(self.interval)

    def stop(self) -> dict:
        self.stop_event.set()
        self.join(timeout=5)
        mb = lambda b: round(b / 2**20, 1)  # noqa: E731
        return {"max_total_mb": mb(self.max_total), "max_each_mb": {k: mb(v) for k, v in self.max_each.items()},
                "max_total_pss_mb": mb(self.max_pss), "samples": self.samples, "interval_s": self.interval}


# --- figures -----------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of the raw response times."""
    if not values:
        return 0.0
    s = sorted(values)
    return round(s[max(0, math.ceil(p / 100 * len(s)) - 1)], 1)


def figures(times: list[float], errors: int, seconds: float) -> dict:
    return {"requests": len(times), "rps": round(len(times) / seconds, 1) if seconds else 0.0,
            "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "p99_ms": percentile(times, 99),
            "max_ms": round(max(times), 1) if times else 0.0, "errors": errors}


def warm_up(base: str, data: dict) -> None:
    """Every kind of request once per worker, checking the accounts work (a session that does not sign
    in would measure the sign-in page instead)."""
    import requests

    c = requests.Session()
    c.cookies.set("sessionid", data["citizens"][0]["session"])
    o = requests.Session()
    o.cookies.set("sessionid", data["officials"][0]["session"])
    checks = [(c, "/"), (c, "/thu-tuc/"), (c, f"/thu-tuc/{PROCEDURE}/"), (c, f"/tra-cuu/{data['codes'][0]}/"),
              (c, f"/api/v1/track/{data['codes'][0]}"), (c, "/ho-so-cua-toi/"), (c, "/api/v1/dossiers"),
              (c, f"/ho-so/nop/{PROCEDURE}/"), (c, "/phan-anh/gui/"), (o, "/can-bo/ho-so/"),
              (o, "/api/v1/dossiers?box=new"), (o, f"/can-bo/ho-so/{data['agency_dossiers']['ward'][0]}/")]
    for _ in range(4):
        for s, path in checks:
            r = s.get(base + path, timeout=60, allow_redirects=False)
            if r.status_code != 200:
                raise SystemExit(f"warm-up: GET {path} answered {r.status_code}: {r.text[:300]}")


def service_times(data: dict, *, rounds: int = 5) -> list[dict]:
    """Each GET of the scenario in this process (Django's test client, one request at a time, no server,
    no queue): its median time and its SQL statements, beside the bare view's. What a request costs,
    whatever the load on the machine; the diagnosis when a p99 is missed."""
    import statistics

    from django.db import connection
    from django.test import Client

    citizen, official = Client(), Client()
    citizen.cookies["sessionid"] = data["citizens"][0]["session"]
    official.cookies["sessionid"] = next(o for o in data["officials"] if o["username"] == "motcua.pdp")["session"]
    code, pk = data["codes"][0], data["agency_dossiers"]["ward"][0]
    paths = [("floor: bare read", citizen, f"/bench/bare-read/{data['bare_ids'][0]}"),
             ("page: home", citizen, "/"), ("page: catalog list", citizen, "/thu-tuc/"),
             ("page: procedure", citizen, f"/thu-tuc/{PROCEDURE}/"), ("page: tracking", citizen, f"/tra-cuu/{code}/"),
             ("api: tracking", citizen, f"/api/v1/track/{code}"), ("page: my dossiers", citizen, "/ho-so-cua-toi/"),
             ("api: my dossiers", citizen, "/api/v1/dossiers"), ("page: submission form", citizen, f"/ho-so/nop/{PROCEDURE}/"),
             ("page: report form", citizen, "/phan-anh/gui/"), ("page: inbox", official, "/can-bo/ho-so/"),
             ("api: inbox", official, "/api/v1/dossiers?box=new"), ("api: inbox all", official, "/api/v1/dossiers?box=all"),
             ("page: official dossier", official, f"/can-bo/ho-so/{pk}/"),
             ("api: official dossier", official, f"/api/v1/dossiers/{pk}")]
    out = []
    for name, client, path in paths:
        for _ in range(2):
            client.get(path)
        statements = []

        def count(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            status = client.get(path).status_code
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - t) * 1000)
        out.append({"request": name, "path": path, "status": status, "queries": len(statements),
                    "median_ms": round(statistics.median(times), 1)})
    return out


def settle(procs: dict, *, timeout: float = 120) -> None:
    """Wait until the web workers are idle (each warms the old-address index in a background thread
    when it starts, several seconds of CPU): the figures are those of a running platform, not a booting one."""
    workers = [p for name, p in procs.items() if name.startswith("web worker")]
    deadline = time.monotonic() + timeout
    for p in workers:
        p.cpu_percent(None)
    while time.monotonic() < deadline:
        time.sleep(2)
        if all(p.cpu_percent(None) < 20 for p in workers):
            return
    print("# the web workers are still busy after the warm-up; measuring anyway", file=sys.stderr)


def drain_backlog() -> None:
    """The seeded dossiers and the demo's reports owe thousands of warnings at once: a backlog that the
    first periodic sweep would work off (and e-mail) in the middle of the run. Worked off here first, its
    e-mails marked sent, so that the run sees the steady state (sweeps finding the few new ones)."""
    from django.utils import timezone

    from tinhso.dossiers.models import Warning
    from tinhso.dossiers.services import warnings_sweep

    warnings_sweep()
    Warning.objects.filter(emailed_at__isnull=True).update(emailed_at=timezone.now())
    try:
        from tinhso.feedback.services import reports_warnings_sweep
    except ImportError:
        return
    from django.core import mail
    from django.test import override_settings

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        reports_warnings_sweep()
    mail.outbox = []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=200, help="concurrent citizens and officials")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--spawn-rate", type=float, default=20)
    ap.add_argument("--floor-users", type=int, default=3, help="extra users reading the bare view once a second")
    ap.add_argument("--n", type=int, default=50_000, help="dossiers seeded")
    ap.add_argument("--reuse", action="store_true", help="reuse the database and accounts of the last run")
    args = ap.parse_args()
    os.environ["TINHSO_RATELIMIT"] = "0"  # before bench_env() copies the environment for the server
    # The platform as deployed: web workers warm the old-address index (its memory counts in the RSS bar).
    os.environ["TINHSO_WARM_ADDRESS_INDEX"] = "1"
    url = os.environ.get("BENCH_DATABASE_URL") or PG_URL
    var_dir = common.DEFAULT_VAR / "load"
    t0 = time.perf_counter()
    info = seed.prepare(n=args.n, var_dir=var_dir, database_url=url, fresh=not args.reuse)
    data_path = var_dir / "load_data.json"
    if args.reuse and data_path.exists():
        data = json.loads(data_path.read_text())
    else:
        data = prepare_accounts(var_dir, citizens=math.ceil(args.users * 0.85) + 10,
                                officials=math.ceil(args.users * 0.15) + 2)
    drain_backlog()
    print(f"# prepared in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    costs = service_times(data)
    from django.db import connections

    connections.close_all()  # this process only reads the results from now on
    results = common.Results("load")
    env = common.bench_env(var_dir, url)
    out_path = var_dir / "locust_out.json"
    out_path.unlink(missing_ok=True)
    with common.server(var_dir, url, workers=2) as base:
        port = int(base.rsplit(":", 1)[1])
        jobs_log = open(var_dir / "jobs.log", "ab")
        consumer = subprocess.Popen([str(common.VENV_BIN / "tinhso"), "run_huey", "--quiet"], env=env,
                                    cwd=common.REPO, stdout=jobs_log, stderr=jobs_log, start_new_session=True)
        try:
            procs = platform_processes(port, consumer.pid)
            sampler = MemorySampler(procs)
            sampler.start()
            warm_up(base, data)
            settle(procs)
            ids_file = var_dir / "ids.txt"
            common.wrk(base, script=common.BENCH_DIR / "get_random.lua", args=[str(ids_file), "/bench/bare-read/"],
                       connections=16, seconds=3)  # warm-up
            floor_capacity = common.wrk(base, script=common.BENCH_DIR / "get_random.lua",
                                        args=[str(ids_file), "/bench/bare-read/"], connections=64, seconds=10)
            locust_env = {**env, "LOAD_DATA": str(var_dir / "load_data.json"), "LOAD_OUT": str(out_path),
                          "LOAD_FLOOR_USERS": str(args.floor_users)}
            cmd = [str(common.VENV_BIN / "locust"), "-f", str(common.BENCH_DIR / "locustfile.py"), "--headless",
                   "--host", base, "-u", str(args.users + args.floor_users), "-r", str(args.spawn_rate),
                   "-t", f"{args.seconds}s", "--stop-timeout", "10", "--only-summary", "--loglevel", "WARNING",
                   "--exit-code-on-error", "0"]
            locust = subprocess.run(cmd, env=locust_env, cwd=common.REPO, capture_output=True, text=True,
                                    timeout=args.seconds + 180)
            (var_dir / "locust.log").write_text(locust.stdout + locust.stderr)
            memory = sampler.stop()
        finally:
            if consumer.poll() is None:
                os.killpg(consumer.pid, 15)
                try:
                    consumer.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(consumer.pid, 9)
            jobs_log.close()
    if not out_path.exists():
        raise SystemExit(f"locust wrote no results (exit {locust.returncode}):\n{(locust.stdout + locust.stderr)[-3000:]}")
    out = json.loads(out_path.read_text())
    seconds = (out["run"]["end"] or time.time()) - out["run"]["start"]
    by_kind: dict[str, list[float]] = defaultdict(list)
    errors_by_kind: dict[str, int] = defaultdict(int)
    for name, times in out["times"].items():
        by_kind[name.split(":", 1)[0]].extend(times)
    for name, n in out["errors"].items():
        errors_by_kind[name.split(":", 1)[0]] += n
    db = common.db_label(url)
    common_fields = {"benchmark": "load", "db": db, "users": args.users, "seconds": round(seconds, 1),
                     "workers": 2, "worker_class": "sync", "think_s": {"citizens": [5, 15], "officials": [3, 10]}}
    kinds = {}
    for kind in ("page", "api", "write", "floor"):
        f = figures(by_kind.get(kind, []), errors_by_kind.get(kind, 0), seconds)
        bar = BARS.get(kind)
        if bar:
            f.update(bar_p99_ms=bar, meets_bar=f["p99_ms"] <= bar and f["errors"] == 0)
        kinds[kind] = f
        results.emit(**common_fields, kind={"page": "pages", "api": "API reads", "write": "writes",
                                            "floor": "floor (bare view, in the scenario)"}[kind], **f)
    for name in sorted(out["times"]):
        results.emit(**common_fields, request=name,
                     **figures(out["times"][name], out["errors"].get(name, 0), seconds),
                     error_samples=out["error_samples"].get(name, [])[:3])
    total = sum(len(t) for k, t in by_kind.items() if k != "floor")
    total_errors = sum(n for k, n in errors_by_kind.items())
    scenario_rps = round(total / seconds, 1) if seconds else 0.0
    bare_ms = costs[0]["median_ms"] or 1
    for c in costs:
        results.emit(**common_fields, kind="service time (in-process, one request at a time)", **c,
                     times_bare_view=round(c["median_ms"] / bare_ms, 1))
    results.emit(**common_fields, kind="floor capacity (wrk, bare view, 64 connections, 10 s, before the scenario)",
                 **floor_capacity)
    results.emit(**common_fields, kind="memory (RSS, gunicorn master + 2 workers + job worker)", **memory,
                 bar_mb=RSS_BAR_MB, meets_bar=memory["max_total_mb"] < RSS_BAR_MB)
    bars_met = (total_errors == 0 and kinds["page"]["meets_bar"] and kinds["api"]["meets_bar"]
                and memory["max_total_mb"] < RSS_BAR_MB)
    results.emit(**common_fields, summary=True, seeded_dossiers=info["dossiers"], floor_users=args.floor_users,
                 scenario_rps=scenario_rps, floor_capacity_rps=floor_capacity["rps"],
                 ratio_to_floor_capacity=common.ratio(scenario_rps, floor_capacity["rps"]),
                 p99_pages_ms=kinds["page"]["p99_ms"], p99_api_reads_ms=kinds["api"]["p99_ms"],
                 p99_writes_ms=kinds["write"]["p99_ms"], p99_floor_ms=kinds["floor"]["p99_ms"],
                 errors=total_errors, max_rss_mb=memory["max_total_mb"], all_bars_met=bars_met,
                 load_average=[round(x, 2) for x in os.getloadavg()])
    results.save()


if __name__ == "__main__":
    main()

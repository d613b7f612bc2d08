"""Fault tests: real processes (gunicorn, the job consumer, a private PostgreSQL) are killed while they
work, restarted, and the database is checked afterwards by `probe.py` in a process of its own.

Each test gets its own database: a SQLite file in its temporary directory when the suite runs on SQLite,
a database of its own on the suite's PostgreSQL server when it runs on PostgreSQL (dropped afterwards).
The PostgreSQL restart test starts a private cluster (initdb + pg_ctl), never the shared server.
Everything listens on 127.0.0.1 only; every loop is bounded in time; every process is stopped.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BIN = Path(sys.executable).parent
PROBE = HERE / "probe.py"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
SECRET = "faults-only-secret-key-not-for-production-0123456789abcdef"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def require_or_skip(reason: str):
    if os.environ.get("TINHSO_REQUIRE_ALL") == "1":
        pytest.fail(reason + " (TINHSO_REQUIRE_ALL=1: a missing tool is a failure)")
    pytest.skip(reason)


# --- databases ------------------------------------------------------------------------------------

def _suite_pg_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else None


def _pg_admin(url: str):
    import psycopg

    return psycopg.connect(url[: url.rfind("/")] + "/postgres", autocommit=True, connect_timeout=10)


def _create_pg_database(url: str, template: str | None = None) -> None:
    name = urlparse(url).path.lstrip("/")
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def _drop_pg_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_url_named(suite: str, suffix: str) -> str:
    base = urlparse(suite).path.lstrip("/") or "tinhso"
    return suite[: suite.rfind("/")] + f"/{base}_fault_{suffix}"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """A database migrated once per session (2025 provinces and communes, calendar decisions): each test
    starts from a copy instead of migrating again."""
    suite = _suite_pg_url()
    if suite is None:
        d = tmp_path_factory.mktemp("faults-template")
        path = d / "template.sqlite3"
        probe(process_env(d, f"sqlite:///{path}"), "migrate")
        yield path
        return
    url = _pg_url_named(suite, "template")
    _create_pg_database(url)
    try:
        probe(process_env(tmp_path_factory.mktemp("faults-template"), url), "migrate")
        yield url
    finally:
        _drop_pg_database(url)


@pytest.fixture
def fault_db(request, tmp_path, migrated_template):
    """(DATABASE_URL, label) of a migrated database of this test alone, on the suite's kind of database."""
    suite = _suite_pg_url()
    if suite is None:
        path = tmp_path / "faults.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{migrated_template}{suffix}").exists():
                shutil.copyfile(f"{migrated_template}{suffix}", f"{path}{suffix}")
        yield f"sqlite:///{path}", "sqlite"
        return
    url = _pg_url_named(suite, request.node.name[:30].lower())
    _create_pg_database(url, template=urlparse(migrated_template).path.lstrip("/"))
    try:
        yield url, "postgresql"
    finally:
        _drop_pg_database(url)


class PrivatePostgres:
    """A PostgreSQL cluster of this test only, on 127.0.0.1:<free port>; `restart()` kills it at once
    (-m immediate: crash recovery at start, like a killed server) and starts it again."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/tinhso_faults"

    def _run(self, *args: str, timeout: float = 120) -> None:
        # Output to a file, never a pipe: the server started by pg_ctl would hold a pipe open forever.
        with open(self.root / "pg_ctl.out", "ab") as out:
            code = subprocess.run(self.as_user + list(args), stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                  timeout=timeout).returncode
        if code != 0:
            log = (self.root / "postgres.log").read_text()[-3000:] if (self.root / "postgres.log").exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed: {(self.root / 'pg_ctl.out').read_text()[-2000:]}\n{log}")

    def start(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        # fsync off: only the server's processes are killed here, never the machine, and a commit is in
        # the kernel's hands (written to the WAL) before the client hears of it either way.
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c max_connections=40 -c shared_buffers=32MB")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.root / "postgres.log"),
                  "-w", "-t", "60", "start")
        _create_pg_database(self.url)

    def restart(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "postgres.log"), "-m",
                  "immediate", "-w", "-t", "60", "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(self.as_user + [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                                           "stop"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)


@pytest.fixture
def private_postgres():
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        require_or_skip(f"PostgreSQL server binaries missing ({PG_BIN}/initdb, pg_ctl): "
                        "sudo apt-get install postgresql-15")
    if os.geteuid() == 0:
        import pwd

        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            require_or_skip("running as root without a 'postgres' user to run a private PostgreSQL cluster")
    root = Path(tempfile.mkdtemp(prefix="tinhso-faults-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        os.chown(root, pw.pw_uid, pw.pw_gid)
    pg = PrivatePostgres(root)
    try:
        pg.start()
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


def count_rows(url: str, sql: str) -> int:
    """A quick count straight from the database (polling while the processes under test run)."""
    if url.startswith("sqlite"):
        path = url[len("sqlite:///"):]
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as con:
        return con.execute(sql).fetchone()[0]


# --- processes ------------------------------------------------------------------------------------

def process_env(var_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TINHSO_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "tinhso.settings", "TINHSO_VAR_DIR": str(var_dir), "DATABASE_URL": database_url,
        "TINHSO_SECRET_KEY": SECRET, "TINHSO_DEBUG": "0", "TINHSO_LOG_LEVEL": "ERROR",
        "TINHSO_EMAIL_URL": f"file://{var_dir / 'mail'}",
        "TINHSO_RATELIMIT": "0",  # the bursts are many submissions from few accounts: not what is tested here
        "TINHSO_WARM_ADDRESS_INDEX": "0",  # old-address index: CPU at every restart, not what is tested here
    })
    env.update(extra)
    return env


def probe(env: dict, *args: str, timeout: float = 300) -> dict:
    out = subprocess.run([sys.executable, str(PROBE), *args], env=env, cwd=REPO, capture_output=True, text=True,
                         timeout=timeout)
    if out.returncode != 0:
        raise AssertionError(f"probe {' '.join(args)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class ProcessGroup:
    """A process started in its own session, so that it is killed or stopped with all its children."""

    proc: subprocess.Popen | None = None

    def kill(self) -> None:
        """SIGKILL to the whole group at once: nothing finishes, nothing is cleaned up."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)


class Server(ProcessGroup):
    """gunicorn (2 sync workers, as in production and the benchmarks) on 127.0.0.1:<port>; the port stays
    the same across restarts so that clients simply retry."""

    def __init__(self, env: dict, log_path: Path):
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "tinhso.wsgi:application", "-b", f"127.0.0.1:{self.port}", "-w", "2",
             "-k", "sync", "--timeout", "30", "--graceful-timeout", "2", "--log-level", "warning"],
            env=self.env, cwd=REPO, stdout=log, stderr=log, start_new_session=True)
        log.close()
        self.starts += 1

        def up():
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.proc.returncode}: "
                                     f"{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        wait_for(up, timeout=90, interval=0.1, what="gunicorn to answer /healthz")


class Consumer(ProcessGroup):
    """The background job consumer (`tinhso run_huey`, one worker thread, no periodic ticks: the test
    enqueues the sweep itself), polling the queue every 50-500 ms."""

    def __init__(self, env: dict, log_path: Path):
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(BIN / "tinhso"), "run_huey", "-w", "1", "-k", "thread", "--no-periodic", "--delay", "0.05",
             "--max-delay", "0.5"], env=self.env, cwd=REPO, stdout=log, stderr=log, start_new_session=True)
        log.close()

# --- a burst of submissions -------------------------------------------------------------------------

DUPLICATE = "đã được gửi rồi"  # the API's answer to a form (submit token) already recorded


class Burst:
    """Client threads submitting to the API as people do, retrying what they are unsure of.

    - one thread per citizen: POST /api/v1/dossiers with a fresh submit token per dossier; a request cut
      off (connection error) or answered 5xx is retried with the SAME token until a definitive answer:
      201 (acknowledged) or "already submitted" (the first attempt had been stored);
    - two receivers registering dossiers at the desk (POST /api/v1/desk/dossiers: 201 with a code);
    - one receiver receiving the acknowledged online dossiers (POST .../receive: 200 with a code; a
      retried one that answers 409 "already received" is confirmed by reading the dossier).
    Every acknowledgement is kept, with the id and the code the client was told."""

    DRAIN_SECONDS = 90

    def __init__(self, base: str, setup: dict):
        import requests

        self.requests = requests
        self.base = base
        self.setup = setup
        self.csrf = uuid.uuid4().hex  # 32 characters: accepted as a CSRF secret, cookie == header
        self.acks = {"online": [], "online_duplicate": [], "desk": [], "received": []}
        self.errors = Counter()  # connection errors and 5xx, by kind
        self.unexpected: list[tuple] = []
        self.undecided: list[str] = []
        self.in_doubt_desk: list[str] = []
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.drain_deadline = None
        self.to_receive: queue.Queue[int] = queue.Queue()
        self.threads: list[threading.Thread] = []

    # plumbing
    def _session(self, session_key: str):
        s = self.requests.Session()
        s.cookies.set("sessionid", session_key, domain="127.0.0.1", path="/")
        s.cookies.set("csrftoken", self.csrf, domain="127.0.0.1", path="/")
        s.headers.update({"X-CSRFToken": self.csrf, "Referer": self.base + "/"})
        return s

    def acked(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.acks.values())

    def _ack(self, kind: str, value) -> None:
        with self.lock:
            self.acks[kind].append(value)

    def _note(self, what: str) -> None:
        with self.lock:
            self.errors[what] += 1

    def _give_up(self) -> bool:
        return self.stop_event.is_set() and time.monotonic() > self.drain_deadline

    def _post(self, s, path: str, **kwargs):
        try:
            return s.post(self.base + path, timeout=(3, 30), **kwargs)
        except self.requests.RequestException as exc:
            self._note(f"connection:{type(exc).__name__}")
            return None

    # clients
    def citizen(self, c: dict) -> None:
        s = self._session(c["session"])
        form = json.dumps({"ho_ten_tre": "Nguyễn Minh Khôi", "ngay_sinh_tre": "01/02/2026"}, ensure_ascii=False)
        n = 0
        while not self.stop_event.is_set():
            n += 1
            token = f"fault-{c['id']}-{n}-{uuid.uuid4().hex[:10]}"
            data = {"procedure": self.setup["procedure"], "agency": str(self.setup["agency_id"]), "form": form,
                    "submit_token": token}
            while True:
                if self._give_up():
                    with self.lock:
                        self.undecided.append(token)
                    return
                files = {f"component_{k}": (f"{k}.pdf", PDF, "application/pdf") for k in ("to_khai", "giay_chung_sinh")}
                r = self._post(s, "/api/v1/dossiers", data=data, files=files)
                if r is None or r.status_code >= 500:
                    if r is not None:
                        self._note(f"http:{r.status_code}")
                    time.sleep(0.1)
                    continue
                if r.status_code == 201:
                    body = r.json()
                    self._ack("online", {"id": body["id"], "token": token})
                    self.to_receive.put(body["id"])
                elif r.status_code == 400 and DUPLICATE in r.json().get("detail", ""):
                    self._ack("online_duplicate", token)
                else:
                    with self.lock:
                        self.unexpected.append(("submit", r.status_code, r.text[:300]))
                break

    def desk(self, rcv: dict, n_thread: int) -> None:
        s = self._session(rcv["session"])
        form = json.dumps({"ho_ten_tre": "Trần Bảo Anh", "ngay_sinh_tre": "03/04/2026"}, ensure_ascii=False)
        n = 0
        while not self.stop_event.is_set():
            n += 1
            name = f"Người nộp tại quầy {n_thread}-{n}"
            r = self._post(s, "/api/v1/desk/dossiers", data={
                "procedure": self.setup["procedure"], "channel": "1", "applicant_name": name, "form": form})
            if r is None:
                # No idempotency key at the desk: the clerk would look the dossier up, not resubmit.
                with self.lock:
                    self.in_doubt_desk.append(name)
                time.sleep(0.1)
            elif r.status_code == 201:
                body = r.json()
                self._ack("desk", {"id": body["id"], "code": body["code"]})
            elif r.status_code >= 500:
                self._note(f"http:{r.status_code}")
                time.sleep(0.1)
            else:
                with self.lock:
                    self.unexpected.append(("desk", r.status_code, r.text[:300]))

    def receiver(self, rcv: dict) -> None:
        s = self._session(rcv["session"])
        while True:
            try:
                pk = self.to_receive.get(timeout=0.2)
            except queue.Empty:
                if self.stop_event.is_set() and all(not t.is_alive() for t in self.threads if t.name.startswith("citizen")):
                    return
                continue
            while True:
                if self._give_up():
                    return
                r = self._post(s, f"/api/v1/dossiers/{pk}/receive", json={"note": ""})
                if r is None or r.status_code >= 500:
                    if r is not None:
                        self._note(f"http:{r.status_code}")
                    time.sleep(0.1)
                    continue
                if r.status_code == 200:
                    self._ack("received", {"id": pk, "code": r.json()["code"]})
                elif r.status_code == 409:  # an earlier, cut-off attempt had been stored: read what it gave
                    try:
                        d = s.get(f"{self.base}/api/v1/dossiers/{pk}", timeout=(3, 30))
                    except self.requests.RequestException:
                        time.sleep(0.1)
                        continue
                    if d.status_code != 200:
                        time.sleep(0.1)
                        continue
                    if d.json().get("code"):
                        self._ack("received", {"id": pk, "code": d.json()["code"]})
                    else:
                        with self.lock:
                            self.unexpected.append(("receive", 409, r.text[:300]))
                else:
                    with self.lock:
                        self.unexpected.append(("receive", r.status_code, r.text[:300]))
                break

    def start(self) -> None:
        for c in self.setup["citizens"]:
            self.threads.append(threading.Thread(target=self.citizen, args=(c,), name=f"citizen-{c['id']}"))
        rcv = self.setup["receivers"]
        self.threads.append(threading.Thread(target=self.desk, args=(rcv[0], 0), name="desk-0"))
        self.threads.append(threading.Thread(target=self.desk, args=(rcv[1], 1), name="desk-1"))
        self.threads.append(threading.Thread(target=self.receiver, args=(rcv[2],), name="receiver"))
        for t in self.threads:
            t.daemon = True
            t.start()

    def wait_acks(self, more: int, *, at_most: float) -> None:
        """Let the burst run until `more` new acknowledgements (or `at_most` seconds)."""
        target = self.acked() + more
        deadline = time.monotonic() + at_most
        while self.acked() < target and time.monotonic() < deadline:
            time.sleep(0.05)

    def finish(self) -> None:
        self.drain_deadline = time.monotonic() + self.DRAIN_SECONDS
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=self.DRAIN_SECONDS + 40)
        assert not any(t.is_alive() for t in self.threads), "client threads did not stop"

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(self.acks))
        return path


def assert_burst_sound(burst: Burst, report: dict) -> None:
    """What every burst test asserts once the dust has settled."""
    assert not burst.unexpected, burst.unexpected[:5]
    assert not burst.undecided, f"submissions never answered after the restart: {burst.undecided[:5]}"
    assert not report["problems"], "\n".join(report["problems"][:30])
    assert report["acknowledged"]["online"] > 0 and report["acknowledged"]["desk"] > 0
    assert report["acknowledged"]["received"] > 0

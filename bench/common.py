"""Shared plumbing of the benchmarks: the bench database, a gunicorn server, wrk runs, JSON lines.

Everything here runs only on 127.0.0.1 and is always cleaned up (server stopped, bounded waits).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
VENV_BIN = REPO / ".venv" / "bin"
RESULTS = BENCH_DIR / "results"
DEFAULT_VAR = Path(os.environ.get("BENCH_VAR_DIR", "/tmp/tinhso-bench"))
PG_URL_DEFAULT = "postgres://postgres@127.0.0.1:5432/tinhso_bench"


# --- environment ------------------------------------------------------------------------------------

def bench_env(var_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment every bench process (seeder, server) runs with."""
    env = dict(os.environ)
    env["TINHSO_VAR_DIR"] = str(var_dir)
    env["TINHSO_SECRET_KEY"] = "bench-only-secret-key-not-for-production-0123456789"
    env["TINHSO_DEBUG"] = "0"
    env["TINHSO_LOG_LEVEL"] = "ERROR"
    # No benchmarked path converts an old address: the servers skip the converter's warm-up (since 29/11 it
    # holds only the province's old units and warms in ~0.25 s; it took 15-30 s of CPU per worker before).
    # bench/load.py warms it, as a deployed server does.
    env.setdefault("TINHSO_WARM_ADDRESS_INDEX", "0")
    env["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    env["PYTHONPATH"] = os.pathsep.join([str(BENCH_DIR)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def use_env_here(var_dir: Path, database_url: str | None = None) -> None:
    """Make THIS process use the bench database (call before django.setup())."""
    os.environ.update({k: v for k, v in bench_env(var_dir, database_url).items()
                       if k in ("TINHSO_VAR_DIR", "TINHSO_SECRET_KEY", "TINHSO_DEBUG", "TINHSO_LOG_LEVEL",
                                "DJANGO_SETTINGS_MODULE")})
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))


def db_label(database_url: str | None) -> str:
    return "postgresql" if database_url and database_url.startswith("postgres") else "sqlite"


def fresh_database(var_dir: Path, database_url: str | None) -> None:
    """Empty var dir (and, on PostgreSQL, a dropped and re-created database), migrated, demo loaded."""
    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    if database_url:
        import psycopg
        from urllib.parse import urlparse

        u = urlparse(database_url)
        name = u.path.lstrip("/")
        admin = database_url[: database_url.rfind("/")] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    env = bench_env(var_dir, database_url)
    tinhso = str(VENV_BIN / "tinhso")
    subprocess.run([tinhso, "migrate", "-v0"], env=env, check=True, cwd=REPO, timeout=300)
    out = subprocess.run([tinhso, "demo"], env=env, cwd=REPO, timeout=300, capture_output=True, text=True)
    if out.returncode != 0:
        # The demo loader may be mid-edit by someone else: fall back on agencies, catalog and accounts.
        print("tinhso demo failed, loading agencies, catalog and accounts directly:\n" + out.stderr[-2000:],
              file=sys.stderr)
        code = ("from tinhso.places.services import demo_agencies_load;"
                "from tinhso.catalog.services import demo_catalog_load;"
                "from tinhso.demo.accounts import load_accounts;"
                "demo_agencies_load(actor=None); demo_catalog_load(actor=None); load_accounts()")
        subprocess.run([tinhso, "shell", "-v0", "-c", code], env=env, check=True, cwd=REPO, timeout=300)


# --- results ------------------------------------------------------------------------------------------

class Results:
    """Prints each figure as one JSON line and saves them to bench/results/<name>.jsonl."""

    def __init__(self, name: str):
        RESULTS.mkdir(exist_ok=True)
        self.path = RESULTS / f"{name}.jsonl"
        self.lines: list[dict] = []

    def emit(self, **fields) -> dict:
        fields.setdefault("at", time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        print(json.dumps(fields, ensure_ascii=False), flush=True)
        self.lines.append(fields)
        return fields

    def save(self) -> None:
        self.path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in self.lines))
        print(f"# saved {len(self.lines)} lines to {self.path.relative_to(REPO)}", file=sys.stderr)


# --- gunicorn -----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(var_dir: Path, database_url: str | None, *, workers: int = 2, worker_class: str = "sync"):
    """gunicorn on 127.0.0.1:<free port> with the bench settings; yields the base URL; always stopped."""
    port = free_port()
    env = bench_env(var_dir, database_url)
    log = open(var_dir / "gunicorn.log", "ab")
    cmd = [str(VENV_BIN / "gunicorn"), "tinhso.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers),
           "-k", worker_class, "--backlog", "2048", "--timeout", "60", "--graceful-timeout", "5",
           "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {var_dir / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


# --- wrk ------------------------------------------------------------------------------------------------

def require_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        sys.exit("wrk is not installed. Install it with:  sudo apt-get install -y wrk   (Debian/Ubuntu package 'wrk')")
    return path


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"cannot parse a duration from {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> dict:
    """requests/s, request count, errors and latency percentiles (ms) from `wrk --latency` output."""
    res: dict = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in ([\d.]+\w+)", out)
    if m:
        res["requests"] = int(m.group(1))
        res["duration_s"] = round(_ms(m.group(2)) / 1000, 2)
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+\w+)", out, re.M)
        if m:
            res[f"p{pct}_ms"] = round(_ms(m.group(1)), 2)
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    res["non_2xx_3xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    return res


def wrk(url: str, *, script: Path | None = None, args: list[str] | None = None, connections: int = 8,
        threads: int = 1, seconds: int = 10) -> dict:
    """One bounded wrk run against 127.0.0.1 only."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("benchmarks only load 127.0.0.1")
    cmd = [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", str(script)]
    cmd.append(url)
    if args:
        cmd += ["--"] + args
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed: {out.stderr}")
    res = parse_wrk(out.stdout)
    res["connections"] = connections
    return res


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0

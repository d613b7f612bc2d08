"""HTTP server of the stand-in registry (stdlib only).

    POST /v1/citizens/verify   bearer token; {"cccd", "full_name", "date_of_birth": "YYYY-MM-DD"}
                               → 200 {"match": bool, "permanent_address": {...} | null}
                               → 400 {"error": ...} bad request, 401 without the right token
    GET  /healthz              → 200 {"status": "ok", "people": N}
    GET  /_control             → 200 {"mode", "delay", "failures_left", "verify_requests"}
    POST /_control             {"mode": "ok"|"slow"|"fail"|"flaky", "delay": s, "failures": n, "reset": bool}
                               tells the stand-in how to misbehave (tests and demos only)

Modes: "ok" answers at once; "slow" waits `delay` seconds before answering; "fail" answers 503 every time;
"flaky" answers 503 to the next `failures` requests, then normally.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .population import Resident, name_key, residents


class State:
    def __init__(self, *, token: str, mode: str = "ok", delay: float = 5.0, failures: int = 0, count: int = 500):
        self.lock = threading.Lock()
        self.token = token
        self.mode = mode
        self.delay = delay
        self.failures_left = failures
        self.verify_requests = 0
        self.people: dict[str, Resident] = {p.cccd: p for p in residents(count)}

    def snapshot(self) -> dict:
        return {"mode": self.mode, "delay": self.delay, "failures_left": self.failures_left,
                "verify_requests": self.verify_requests, "people": len(self.people)}


def make_handler(state: State):
    class Handler(BaseHTTPRequestHandler):
        server_version = "RegistryStandin/1.0"

        def log_message(self, format, *args):  # quiet: tests read stdout for the port only
            pass

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict | None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
                data = json.loads(self.rfile.read(length) or b"{}")
            except (ValueError, UnicodeDecodeError):
                return None
            return data if isinstance(data, dict) else None

        def do_GET(self):
            if self.path == "/healthz":
                return self._send(200, {"status": "ok", "people": len(state.people)})
            if self.path == "/_control":
                with state.lock:
                    return self._send(200, state.snapshot())
            return self._send(404, {"error": "not found"})

        def do_POST(self):
            body = self._body()
            if body is None:
                return self._send(400, {"error": "body must be a JSON object"})
            if self.path == "/_control":
                with state.lock:
                    if body.get("reset"):
                        state.mode, state.failures_left, state.verify_requests = "ok", 0, 0
                    if body.get("mode") in ("ok", "slow", "fail", "flaky"):
                        state.mode = body["mode"]
                    if "delay" in body:
                        state.delay = float(body["delay"])
                    if "failures" in body:
                        state.failures_left = int(body["failures"])
                    return self._send(200, state.snapshot())
            if self.path != "/v1/citizens/verify":
                return self._send(404, {"error": "not found"})
            with state.lock:
                state.verify_requests += 1
            if self.headers.get("Authorization", "") != f"Bearer {state.token}":
                return self._send(401, {"error": "invalid bearer token"})
            with state.lock:
                mode, delay = state.mode, state.delay
                fail = mode == "fail" or (mode == "flaky" and state.failures_left > 0)
                if mode == "flaky" and state.failures_left > 0:
                    state.failures_left -= 1
            if mode == "slow":
                time.sleep(delay)
            if fail:
                return self._send(503, {"error": "service temporarily unavailable"})
            try:
                cccd = str(body["cccd"]).strip()
                full_name = str(body["full_name"])
                birth = dt.date.fromisoformat(str(body["date_of_birth"]))
            except (KeyError, ValueError):
                return self._send(400, {"error": "cccd, full_name and date_of_birth (YYYY-MM-DD) are required"})
            person = state.people.get(cccd)
            match = (person is not None and name_key(person.full_name) == name_key(full_name)
                     and person.date_of_birth == birth)
            return self._send(200, {"match": match,
                                    "permanent_address": person.permanent_address() if match else None})

    return Handler


def serve(*, host: str, port: int, state: State) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(state))
    server.daemon_threads = True
    return server

"""The load scenario: citizens and officials using the platform at once (locust, headless).

Run by `bench/load.py`, which prepares the data (accounts, sessions, codes: LOAD_DATA), starts the
platform, runs locust and reads what this file records (LOAD_OUT). Not meant to be run alone.

Who does what (weights are per user class, then per task; think times between tasks):
- Citizens (85 % of the users; 5-15 s between actions: reading a procedure, typing a code, filling a form): browse the catalog (list, then a
  procedure), track a dossier (the public page, or the app's API), look at their dossiers (page or API),
  submit a dossier (the form page, then POST /api/v1/dossiers with the papers), send a field report (the
  form page, then POST /phan-anh/gui/ as the offline app does), open the home page.
- Officials (15 %; 3-10 s: reading a dossier before acting): the inbox (page, or the API with a box), open a dossier of their agency
  (page or API), act: the one-stop desk receives the citizens' new dossiers and hands them to the
  specialist, the specialist submits them for approval, the leader approves them with a signed PDF.
  Dossiers move between the officials through in-process queues: no two officials act on the same one.
- The floor: a few users reading `GET /bench/bare-read/<id>` (one row, tiny JSON) once a second each,
  through the same server and middleware, under the same load.

Every request is named "<kind>: <what>", kind = page | api | write | floor; load.py aggregates by kind.
"""
from __future__ import annotations

import json
import os
import random
import time
from collections import Counter, defaultdict
from http.cookiejar import Cookie
from pathlib import Path

from gevent.queue import Empty, Queue
from locust import FastHttpUser, between, constant_pacing, events, task

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text())
OUT = os.environ.get("LOAD_OUT", "")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")

# --- what happened, per request name ----------------------------------------------------------------
TIMES: dict[str, list[float]] = defaultdict(list)
ERRORS: Counter = Counter()
ERROR_SAMPLES: dict[str, list[str]] = defaultdict(list)
RUN = {"start": None, "end": None}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    TIMES[name].append(response_time)
    if exception is not None:
        ERRORS[name] += 1
        if len(ERROR_SAMPLES[name]) < 5:
            ERROR_SAMPLES[name].append(str(exception)[:300])


@events.test_start.add_listener
def _start(**kwargs):
    RUN["start"] = time.time()


@events.test_stop.add_listener
def _stop(**kwargs):
    RUN["end"] = time.time()
    if OUT:
        Path(OUT).write_text(json.dumps({"run": RUN, "times": TIMES, "errors": ERRORS, "error_samples": ERROR_SAMPLES}))


# --- hand-overs between users (one locust process: plain gevent queues) ------------------------------
NEW = Queue()        # submitted online, waiting for the one-stop desk
RECEIVED = Queue()   # received, to hand to the specialist
ASSIGNED = Queue()   # with the specialist, to submit for approval
TO_APPROVE = Queue()  # with the leader


def _take(q: Queue):
    try:
        return q.get_nowait()
    except Empty:
        return None


_sessions = {"citizen": 0, "official": 0}


def _next(kind: str) -> dict:
    pool = DATA[kind + "s"]
    i = _sessions[kind]
    _sessions[kind] += 1
    return pool[i % len(pool)]


class SignedIn(FastHttpUser):
    abstract = True
    network_timeout = 30.0
    connection_timeout = 10.0
    kind = ""

    def on_start(self):
        self.account = _next(self.kind)
        host = "127.0.0.1"
        for name, value in (("sessionid", self.account["session"]), ("csrftoken", DATA["csrf"])):
            self.client.cookiejar.set_cookie(Cookie(0, name, value, None, False, host, False, False, "/", True,
                                                    False, None, False, None, None, {}))
        self.post_headers = {"X-CSRFToken": DATA["csrf"], "Referer": self.host + "/"}

    def get(self, kind: str, what: str, path: str, **kw):
        return self._checked("GET", 200, path, name=f"{kind}: {what}", **kw)

    def post(self, what: str, path: str, *, expect: int = 200, **kw):
        headers = {**self.post_headers, **kw.pop("headers", {})}
        return self._checked("POST", expect, path, name=f"write: {what}", headers=headers, **kw)

    def _checked(self, method: str, expect: int, path: str, **kw):
        """Exactly the expected status, without following redirects: a page that sends a signed-in user
        to the sign-in page is an error here, not a fast page."""
        with self.client.request(method, path, allow_redirects=False, catch_response=True, **kw) as r:
            if r.status_code != expect:
                r.failure(f"{r.status_code} instead of {expect}: {(r.text or '')[:200]}")
            else:
                r.success()
        return r


class Citizen(SignedIn):
    weight = 85
    wait_time = between(5, 15)
    kind = "citizen"

    @task(30)
    def browse_catalog(self):
        self.get("page", "catalog list", "/thu-tuc/" + random.choice(["", "?q=khai+sinh", "?q=dat+dai", "?page=2"]))
        self.get("page", "procedure", f"/thu-tuc/{random.choice(DATA['procedures'])}/")

    @task(25)
    def track(self):
        code = random.choice(DATA["codes"])
        if random.random() < 0.6:
            self.get("page", "tracking", f"/tra-cuu/{code}/")
        else:
            self.get("api", "tracking", f"/api/v1/track/{code}")

    @task(20)
    def my_dossiers(self):
        if random.random() < 0.6:
            self.get("page", "my dossiers", "/ho-so-cua-toi/")
        else:
            self.get("api", "my dossiers", "/api/v1/dossiers")

    @task(10)
    def submit_dossier(self):
        self.get("page", "submission form", f"/ho-so/nop/{DATA['procedure']}/")
        form = {**DATA["form"], "so_cccd": self.account["cccd"], "ho_ten": self.account["name"]}
        fields = {"procedure": DATA["procedure"], "agency": str(DATA["agency_id"]),
                  "form": json.dumps(form, ensure_ascii=False), "submit_token": os.urandom(12).hex()}
        files = {f"component_{k}": (f"{k}.pdf", PDF, "application/pdf") for k in DATA["components"]}
        body, ctype = _multipart(fields, files)
        r = self.post("submit dossier", "/api/v1/dossiers", expect=201, data=body, headers={"Content-Type": ctype})
        if r.status_code == 201:
            NEW.put(r.json()["id"])

    @task(5)
    def send_report(self):
        self.get("page", "report form", "/phan-anh/gui/")
        fields = {"category": DATA["category"], "lat": f"{21.59 + random.random() / 100:.6f}",
                  "long": f"{105.84 + random.random() / 100:.6f}", "address": "Trước số 12 đường Hoàng Văn Thụ",
                  "urgency": "normal", "csrfmiddlewaretoken": DATA["csrf"],
                  "description": "Đèn đường không sáng từ tối hôm qua, đoạn đường tối, đi lại nguy hiểm."}
        body, ctype = _multipart(fields, {})
        self.post("send report", "/phan-anh/gui/", expect=201, data=body,
                  headers={"Content-Type": ctype, "X-Tinhso-Offline": "1"})

    @task(10)
    def home(self):
        self.get("page", "home", "/")


class Official(SignedIn):
    weight = 15
    wait_time = between(3, 10)
    kind = "official"

    @task(40)
    def inbox(self):
        if random.random() < 0.6:
            self.get("page", "inbox", "/can-bo/ho-so/" + random.choice(["", "?box=new", "?box=to_process", "?box=due_soon"]))
        else:
            self.get("api", "inbox", "/api/v1/dossiers?box=" + random.choice(["new", "to_process", "all"]))

    @task(35)
    def open_dossier(self):
        pk = random.choice(DATA["agency_dossiers"][self.account["agency"]])
        if random.random() < 0.6:
            self.get("page", "official dossier", f"/can-bo/ho-so/{pk}/")
        else:
            self.get("api", "official dossier", f"/api/v1/dossiers/{pk}")

    @task(25)
    def act(self):
        role = self.account["role"] if self.account["acts"] else ""
        if role == "receiver":
            pk = _take(RECEIVED)
            if pk is not None:
                r = self.post("assign", f"/api/v1/dossiers/{pk}/assign", json={"assignee": DATA["specialist_id"]})
                if r.status_code == 200:
                    ASSIGNED.put(pk)
                return
            pk = _take(NEW)
            if pk is not None:
                r = self.post("receive", f"/api/v1/dossiers/{pk}/receive", json={"note": ""})
                if r.status_code == 200:
                    RECEIVED.put(pk)
        elif role == "specialist":
            pk = _take(ASSIGNED)
            if pk is not None:
                r = self.post("submit for approval", f"/api/v1/dossiers/{pk}/submit-approval",
                              json={"note": "Đủ điều kiện", "leader": DATA["leader_id"]})
                if r.status_code == 200:
                    TO_APPROVE.put(pk)
        elif role == "leader":
            pk = _take(TO_APPROVE)
            if pk is not None:
                body, ctype = _multipart({"note": "Đồng ý"}, {"result_file": ("ket-qua.pdf", PDF, "application/pdf")})
                self.post("approve", f"/api/v1/dossiers/{pk}/approve", data=body, headers={"Content-Type": ctype})


class Floor(FastHttpUser):
    """The bare Django view, read once a second by each of these users throughout the run."""
    fixed_count = int(os.environ.get("LOAD_FLOOR_USERS", "3"))
    wait_time = constant_pacing(1)

    @task
    def bare_read(self):
        with self.client.get(f"/bench/bare-read/{random.choice(DATA['bare_ids'])}", name="floor: bare read",
                             allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} instead of 200")


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "----tinhso-load-" + os.urandom(8).hex()
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, ctype) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"

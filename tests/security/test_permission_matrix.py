"""The permission matrix (issue #7, item 1): every page and API route × every actor × every method.

- `test_every_route_has_an_entry`: the routes come from Django's URL resolver (pages, the ninja API,
  Open311, allauth, the admin); a route that neither has an entry in `matrix.MATRIX` nor falls under a
  rule (admin, allauth) fails, listed by name.
- `test_route`: for one entry, each of the 11 actors sends GET, POST, PUT, PATCH and DELETE. An allowed
  actor gets 2xx/3xx; anyone else gets 401/403/404/405 or is sent to sign in, AND the database is exactly
  as it was (every table compared row by row; the only rows a refusal may add are the refusal's own
  record in the citizen's data access log and its audit link).
- `test_admin_rule`, `test_allauth_rule`: the two families of routes covered by a rule.

Each request runs in a savepoint that is rolled back: every request meets the same world."""
from __future__ import annotations

import copy
import json as jsonlib
import re
from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction
from django.test.client import MULTIPART_CONTENT, encode_multipart
from django.urls import URLResolver, get_resolver, resolve, reverse

from .conftest import ACTORS
from .matrix import (MATRIX, METHODS, RULE_URL_ARGS, Route, is_admin_route, is_allauth_account_page,
                     is_allauth_route)

pytestmark = pytest.mark.django_db

DENIED_STATUS = {401, 403, 404, 405}
REDIRECTS = {301, 302, 303, 307, 308}
BOUNDARY = "MatrixBoundary"

# Rows a refused request may write: its own record in the citizen's data access log (the law wants refused
# reads recorded too) with the audit chain's link and head. Never an edit or a deletion, never `allowed`.
JOURNAL_TABLES = {"datastore_dataaccesslog", "audit_chainlink"}
DERIVED_TABLES = {"audit_chainhead"}
# Not the platform's data: sessions, the sign-in attempt journal of django-axes, and cache tables (rate limits).
IGNORED_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


def ignored_tables() -> set[str]:
    from django.conf import settings

    caches = {c.get("LOCATION") for c in settings.CACHES.values() if "DatabaseCache" in c.get("BACKEND", "")}
    return IGNORED_TABLES | {t for t in caches if isinstance(t, str)}


# --- the routes -------------------------------------------------------------------------------------

def _join(route1: str, route2: str) -> str:
    """Django's own join of nested routes (URLResolver._join_route), so that keys equal ResolverMatch.route."""
    if not route1:
        return route2
    return route1 + route2.removeprefix("^")


def all_routes() -> dict[str, tuple[str, str]]:
    """Every route of the project: pattern -> (url name, module of the view)."""
    found: dict[str, tuple[str, str]] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                walk(p.url_patterns, _join(prefix, str(p.pattern)), ns)
            else:
                name = ":".join(x for x in (namespace, p.name or "") if x)
                module = getattr(p.callback, "__module__", "") or ""
                found.setdefault(_join(prefix, str(p.pattern)), (name, module))

    walk(get_resolver().url_patterns, "", "")
    return found


ROUTES = all_routes()
ADMIN_ROUTES = sorted(p for p, (name, _m) in ROUTES.items() if is_admin_route(p, name))
ALLAUTH_ROUTES = sorted(p for p, (name, module) in ROUTES.items()
                        if is_allauth_route(p, name, module) and not is_admin_route(p, name))


def test_every_route_has_an_entry():
    entries = [r.pattern for r in MATRIX]
    duplicates = sorted({p for p in entries if entries.count(p) > 1})
    covered = set(entries) | set(ADMIN_ROUTES) | set(ALLAUTH_ROUTES)
    missing = sorted(set(ROUTES) - covered)
    stale = sorted(set(entries) - set(ROUTES))
    problems = []
    if missing:
        problems.append("Routes without an entry in tests/security/matrix.py (add one line each, see README.md):\n"
                        + "\n".join(f'    R("{p}", ...),  # {ROUTES[p][0]} → {ROUTES[p][1]}' for p in missing))
    if stale:
        problems.append("Entries whose route no longer exists:\n" + "\n".join(f"    {p}" for p in stale))
    if duplicates:
        problems.append("Routes with two entries:\n" + "\n".join(f"    {p}" for p in duplicates))
    assert not problems, "\n".join(problems)


# --- values of the world ------------------------------------------------------------------------------

def ref(world, value):
    """"@name" → the world's object's pk (or plain value); "@name.attr" → that attribute; lists mapped."""
    if isinstance(value, (list, tuple)):
        return [ref(world, v) for v in value]
    if not (isinstance(value, str) and value.startswith("@")):
        return value
    name, *attrs = value[1:].split(".")
    obj = world[name]
    if not attrs:
        return getattr(obj, "pk", obj)
    for attr in attrs:
        obj = getattr(obj, attr)
    return obj


def url_of(route: Route, world) -> str:
    args = {k: ref(world, v) for k, v in route.args.items()}
    if route.url is not None:
        path = route.url.format(**args)
    else:
        path = "/" + route.pattern
        for key, value in args.items():
            path, n = re.subn(r"<(?:\w+:)?%s>" % key, str(value), path)
            assert n == 1, f"{route.pattern}: no <{key}> in the route"
        assert "<" not in path, f"{route.pattern}: give a value for every part of the URL in args"
    return path + (f"?{route.query}" if route.query else "")


def body_of(route: Route, world):
    """(bytes or dict, content type) of the request body; callables (files) are called for each request."""
    if route.json is not None:
        data = route.json(world) if callable(route.json) else route.json
        return jsonlib.dumps({k: ref(world, v) for k, v in data.items()}), "application/json"
    data = route.data(world) if callable(route.data) else (route.data or {})
    out = {}
    for key, value in data.items():
        out[key] = value() if callable(value) else ref(world, value)
    return out, MULTIPART_CONTENT


# --- the database, before and after ------------------------------------------------------------------

class Snapshot:
    """Every table of the platform, row by row (tables of over 1,000 rows, i.e. the national reference
    data, by count). Compared after each refused request with the state before it."""

    def __init__(self):
        self.rows: dict[str, object] = {}
        ignored = ignored_tables()
        with connection.cursor() as cur:
            for table in sorted(connection.introspection.table_names()):
                if table in ignored:
                    continue
                cur.execute(f'SELECT COUNT(*) FROM "{table}"')
                if cur.fetchone()[0] > 1000:
                    cur.execute(f'SELECT COUNT(*) FROM "{table}"')
                    self.rows[table] = ("count", cur.fetchone()[0])
                    continue
                cur.execute(f'SELECT * FROM "{table}"')
                self.rows[table] = frozenset(repr(r) for r in cur.fetchall())

    def changes_since(self, before: "Snapshot") -> list[str]:
        changes = []
        for table, rows in self.rows.items():
            old = before.rows.get(table)
            if rows == old or table in DERIVED_TABLES:
                continue
            if table in JOURNAL_TABLES and isinstance(rows, frozenset) and old <= rows:
                continue  # appended only; what was appended is checked below
            changes.append(table)
        changes += [f"{t} (new table)" for t in set(self.rows) - set(before.rows)]
        return sorted(changes)


def rows_written() -> int:
    """How many rows this connection has inserted, updated or deleted so far (triggers included): a cheap
    first check; only when it moved is the database compared table by table."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT total_changes()")
        else:
            cur.execute("SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_all_tables")
        return int(cur.fetchone()[0])


def granted_reads_logged_since(before_max: int) -> int:
    from tinhso.datastore.models import DataAccessLog

    return DataAccessLog.objects.filter(pk__gt=before_max, allowed=True).count()


def _max_access_log_id() -> int:
    from django.db.models import Max

    from tinhso.datastore.models import DataAccessLog

    return DataAccessLog.objects.aggregate(m=Max("pk"))["m"] or 0


# --- sending one request -------------------------------------------------------------------------------

def sign_in_paths() -> set[str]:
    return {reverse("account_login"), reverse("web:official_login"), reverse("admin:login"),
            reverse("mfa_activate_totp")}


def verdict(response, sign_in: set[str]) -> str:
    status = response.status_code
    if status in DENIED_STATUS:
        return "denied"
    if status in REDIRECTS and urlsplit(response.get("Location", "")).path in sign_in:
        return "denied"
    if status >= 500:
        return "error"
    if 200 <= status < 400:
        return "allowed"
    return f"other ({status})"


def _reset_process_caches() -> None:
    """In-process caches must not carry one request's effects into the next (the database is rolled back;
    the Django cache, a database table by default, is rolled back with it)."""
    from tinhso.workcal.selectors import calendar_cache_clear

    calendar_cache_clear()
    try:
        from tinhso.catalog.selectors import procedure_cache_clear
    except ImportError:
        return
    procedure_cache_clear()


def send(client, method: str, url: str, body=None, content_type: str = MULTIPART_CONTENT):
    if method == "GET":
        return client.get(url)
    if content_type == MULTIPART_CONTENT:
        payload = encode_multipart(BOUNDARY, body or {})
        content_type = f"multipart/form-data; boundary={BOUNDARY}"
    else:
        payload = body or ""
    return client.generic(method, url, data=payload, content_type=content_type)


def run_request(world, actor: str, method: str, url: str, body, content_type: str, *, expect: str,
                baseline: Snapshot | None, ok_status=None, must_write: bool = False) -> str | None:
    """Send one request in a savepoint (rolled back); return what went wrong (without the actor), or None."""
    client = world.clients[actor]
    cookies = copy.deepcopy(client.cookies)
    sign_in = sign_in_paths()
    log_max = _max_access_log_id() if expect == "denied" else 0
    written = rows_written()
    sid = transaction.savepoint()
    try:
        try:
            response = send(client, method, url, body, content_type)
        except Exception as exc:  # noqa: BLE001 - a view that crashes is reported with the others
            return f"the view raised {type(exc).__name__}: {str(exc)[:200]}"
        got = verdict(response, sign_in)
        where = f" → {response['Location']}" if response.status_code in REDIRECTS else ""
        if expect == "allowed":
            good = response.status_code in ok_status if ok_status else got == "allowed"
            if not good:
                return f"expected allowed, got {response.status_code}{where}"
            if must_write and rows_written() == written:
                return (f"allowed ({response.status_code}{where}) but wrote nothing: give the entry a valid body "
                        f"and an object in the right state (or writes=False)")
            return None
        if got != "denied":
            return f"expected denied, got {response.status_code}{where}"
        if baseline is not None and rows_written() != written:
            changed = Snapshot().changes_since(baseline)
            granted = granted_reads_logged_since(log_max)
            if changed or granted:
                what = ", ".join(changed) + (f"; {granted} read(s) logged as allowed" if granted else "")
                return f"denied ({response.status_code}) but CHANGED {what}"
        return None
    finally:
        transaction.savepoint_rollback(sid)
        client.cookies = cookies
        _reset_process_caches()


class Problems:
    """Mismatches grouped by request and outcome: "POST /x: expected denied, got 200 — as citizen_a, citizen_b"."""

    def __init__(self):
        self.groups: dict[tuple[str, str, str], list[str]] = {}

    def add(self, actor: str, method: str, url: str, problem: str | None) -> None:
        if problem:
            self.groups.setdefault((method, url, problem), []).append(actor)

    def report(self) -> str:
        return "\n".join(f"{m} {u}: {p} — as {', '.join(actors)}" for (m, u, p), actors in self.groups.items())

    def __bool__(self) -> bool:
        return bool(self.groups)


# --- the matrix -------------------------------------------------------------------------------------

@pytest.mark.parametrize("route", MATRIX, ids=lambda r: r.pattern or "/")
def test_route(world, route: Route):
    url = url_of(route, world)
    matched = resolve(urlsplit(url).path).route
    assert matched == route.pattern, f"{url} resolves to the route {matched!r}, not to {route.pattern!r}"
    baseline = Snapshot()
    problems = Problems()
    for method in METHODS:
        allowed = route.allowed.get(method, frozenset())
        for actor in ACTORS:
            body, content_type = body_of(route, world) if method != "GET" else (None, "")
            problems.add(actor, method, url, run_request(
                world, actor, method, url, body, content_type, baseline=baseline, ok_status=route.ok,
                must_write=method == "POST" and route.writes, expect="allowed" if actor in allowed else "denied"))
    assert not problems, f"{route.pattern}:\n" + problems.report()


def test_open311_post_needs_a_key(world):
    """Open311 POST is authorised by an API key, not by who is signed in: without a valid key, nobody."""
    from tinhso.feedback import services

    route = next(r for r in MATRIX if r.pattern.startswith(r"open311/v2/requests\."))
    url = url_of(route, world)
    baseline = Snapshot()
    problems = Problems()
    for key in ("", "ts_khong-phai-khoa-that"):
        for actor in ACTORS:
            body, content_type = body_of(route, world)
            body["api_key"] = key
            problems.add(actor, "POST", f"{url} (api_key={key!r})", run_request(
                world, actor, "POST", url, body, content_type, expect="denied", baseline=baseline))
    services.apikey_revoke(actor=world.users["province_admin"], key=world["apikey"])
    baseline = Snapshot()
    for actor in ACTORS:
        body, content_type = body_of(route, world)
        problems.add(actor, "POST", f"{url} (revoked key)", run_request(
            world, actor, "POST", url, body, content_type, expect="denied", baseline=baseline))
    assert not problems, problems.report()


def test_a_refusal_that_writes_is_caught(world):
    """The check itself: a refused request during which a row is written is reported, with the table."""
    from django.core.signals import request_started

    from tinhso.events.services import event_record

    def write(**_kwargs):
        event_record(actor=None, name="test.matrix_probe", subject=world["d_proc"], data={})

    request_started.connect(write)
    try:
        problem = run_request(world, "citizen_b", "GET", f"/ho-so-cua-toi/{world['d_proc'].pk}/", None, "",
                              expect="denied", baseline=Snapshot())
    finally:
        request_started.disconnect(write)
    assert problem is not None and "CHANGED" in problem and "events_domainevent" in problem, problem


# --- rules: the admin and allauth -----------------------------------------------------------------------

def _rule_url(pattern: str) -> str:
    """A URL for a route of a rule: path converters and regex groups filled with harmless values."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: RULE_URL_ARGS.get(m.group(1), "1"), pattern)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: RULE_URL_ARGS.get(m.group(1), "1"), path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + path


ADMIN_OPEN = {"quan-tri/login/", "quan-tri/logout/"}


@pytest.mark.parametrize("pattern", ADMIN_ROUTES)
def test_admin_rule(world, pattern):
    """/quan-tri/ is for staff accounts only: every actor (the province administrator included, who works in
    the platform's own pages) is refused and changes nothing; its sign-in and sign-out pages are open.
    A staff account gets in (so the rule is not vacuous)."""
    url = _rule_url(pattern)
    baseline = Snapshot()
    problems = Problems()
    for method in ("GET", "POST"):
        for actor in ACTORS:
            expect = "allowed" if pattern in ADMIN_OPEN else "denied"
            ok = {200, 302, 405} if expect == "allowed" else None
            problems.add(actor, method, url, run_request(world, actor, method, url, {}, MULTIPART_CONTENT,
                                                         expect=expect, baseline=baseline, ok_status=ok))
    assert not problems, problems.report()


def test_admin_lets_staff_in(world, django_user_model):
    staff = django_user_model.objects.create_user(username="mt_staff", password="x", is_staff=True,
                                                  is_superuser=True)
    from django.test import Client

    client = Client()
    client.force_login(staff)
    assert client.get("/quan-tri/").status_code == 200
    assert client.get("/quan-tri/events/domainevent/").status_code == 200


@pytest.mark.parametrize("pattern", ALLAUTH_ROUTES)
def test_allauth_rule(world, pattern):
    """allauth's pages act on one's own account: open to everyone, they never fail and a GET or an empty
    POST changes nothing; the pages of an account send the anonymous to sign in."""
    url = _rule_url(pattern)
    baseline = Snapshot()
    problems = []
    account_page = is_allauth_account_page(pattern)
    for method in ("GET", "POST"):
        for actor in ACTORS:
            client = world.clients[actor]
            cookies = copy.deepcopy(client.cookies)
            written = rows_written()
            sid = transaction.savepoint()
            try:
                try:
                    response = send(client, method, url, {}, MULTIPART_CONTENT)
                except Exception as exc:  # noqa: BLE001
                    problems.append(f"{method} {url} as {actor}: raised {type(exc).__name__}: {str(exc)[:200]}")
                    continue
                got = verdict(response, sign_in_paths())
                if got == "error" or got.startswith("other (5"):
                    problems.append(f"{method} {url} as {actor}: {response.status_code}")
                if account_page and actor == "anonymous" and got != "denied":
                    problems.append(f"{method} {url} as anonymous: expected to be sent to sign in, "
                                    f"got {response.status_code}")
                changed = Snapshot().changes_since(baseline) if rows_written() != written else []
                if changed:
                    problems.append(f"{method} {url} as {actor}: changed {', '.join(changed)}")
            finally:
                transaction.savepoint_rollback(sid)
                client.cookies = cookies
                _reset_process_caches()
    assert not problems, "\n".join(problems)

"""The PostgreSQL backend's health check (tinhso.ops.pgbackend): it skips its `SELECT 1` while the connection
is busy, yet a connection the server closed (restart, crash, pg_terminate_backend) is still replaced before a
request uses it, so the request does not fail. PostgreSQL only."""
from __future__ import annotations

import time

import psycopg
import pytest
from django.db import close_old_connections, connection, connections

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")]


def _pid() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def test_a_busy_connection_is_not_checked_with_a_round_trip(monkeypatch):
    wrapper = connections["default"]
    calls = []
    real = type(wrapper).is_usable

    def counted(self):
        calls.append(1)
        return real(self)

    close_old_connections()  # (Django checks a connection that saw an error at the end of its request)
    first = _pid()  # the connection works now (checked in full if it had been idle)
    monkeypatch.setattr(type(wrapper), "is_usable", counted)
    for _ in range(5):
        close_old_connections()  # what every request begins with
        assert _pid() == first
    assert calls == []
    wrapper.last_known_good -= wrapper.idle_check_seconds + 1  # idle for a while: checked in full
    close_old_connections()
    assert _pid() == first and calls == [1]


def test_a_connection_the_server_closed_is_replaced_before_the_request_uses_it(monkeypatch):
    monkeypatch.setattr(connections["default"], "idle_check_seconds", 3600.0)  # found by its socket alone
    victim = _pid()
    params = connection.get_connection_params()
    other = psycopg.connect(**{k: params[k] for k in ("dbname", "user", "host", "port", "password") if params.get(k)},
                            autocommit=True)
    try:
        other.execute("SELECT pg_terminate_backend(%s)", [victim])
        deadline = time.monotonic() + 5
        while connection._socket_quiet() and time.monotonic() < deadline:  # the server's goodbye arrives
            time.sleep(0.05)
    finally:
        other.close()
    close_old_connections()  # a new request
    assert _pid() != victim  # no error: the closed connection was found and replaced

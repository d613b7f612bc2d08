"""Django's PostgreSQL backend, with CONN_HEALTH_CHECKS that skip the `SELECT 1` round trip while the
connection is busy and its socket has nothing to say.

Django checks a persistent connection with `SELECT 1` before the first query of every request: on a
busy server that is one round trip more per request (a third of a bare read's database time). Here the
check runs in full only when
- the connection has not been used for IDLE_CHECK_SECONDS (settings: DATABASES[...]["IDLE_CHECK_SECONDS"],
  env TINHSO_DB_IDLE_CHECK_SECONDS, default 5 s; 0 = always, Django's behaviour), or
- its socket is readable or hung up (poll, no round trip): an idle PostgreSQL connection receives nothing
  unless the server closed it or is closing it (restart, crash, `pg_terminate_backend`, idle timeouts),
  which is exactly what the check is for.
A connection broken without a word within the idle window (a host gone without closing its sockets) fails
one request, as it would have hung in `SELECT 1` too; Django then finds it unusable at the end of that
request and the next one reconnects. tests/faults/test_postgres_restarted.py restarts PostgreSQL under load."""
from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base

IDLE_CHECK_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_known_good = None  # time.monotonic() when the connection last worked (or was opened)
        self.idle_check_seconds = float(self.settings_dict.get("IDLE_CHECK_SECONDS", IDLE_CHECK_SECONDS))

    def connect(self):
        super().connect()
        self.last_known_good = time.monotonic()

    def close_if_health_check_failed(self):
        if (self.connection is not None and self.health_check_enabled and not self.health_check_done
                and not self.pool):
            now = time.monotonic()
            recent = self.last_known_good is not None and now - self.last_known_good < self.idle_check_seconds
            if recent and self._socket_quiet():
                self.health_check_done = True
                self.last_known_good = now
                return
            super().close_if_health_check_failed()
            if self.connection is not None:
                self.last_known_good = now
            return
        super().close_if_health_check_failed()

    def _socket_quiet(self) -> bool:
        """True when the connection's socket has nothing to read and is not hung up (no round trip)."""
        conn = self.connection
        try:
            if conn.closed or getattr(conn, "broken", False):
                return False
            poller = select.poll()
            poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (OSError, ValueError, base.Database.Error):
            return False

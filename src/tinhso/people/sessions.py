"""The session store: Django's database sessions, with the read every signed-in request makes built once.

`SESSION_ENGINE = "tinhso.people.sessions"`. Only the load differs from `django.contrib.sessions.backends.db`:
the same row (key, not expired), read with a statement built once per process (`events.prebuilt.Rows`) instead of
a query the ORM compiles again for each request. Writes, expiry and cycling are Django's."""
from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from tinhso.events.prebuilt import Rows

_LIVE = Rows(Session, where="{session_key} = %s AND {expire_date} > %s")


class SessionStore(DbSessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        found = _LIVE.first(key, timezone.now()) if key and self._validate_session_key(key) else None
        if found is None:
            self._session_key = None
        return found

"""The version of what the public can see of reports, kept in the shared cache (Redis, or the database's
cache table: see settings.CACHES).

Every service change the public can see (a transition of a public report, a photo hidden or shown, a
category renamed) calls `changed()`: the version gets a new random value at once (inside the change's
transaction when the cache is the database's, so a rolled-back change leaves it as it was) and again when
the transaction commits (so a page rendered between the two cannot outlive the commit). The public
pages (`web.feedback.public`) and the list's counts (`selectors.reports_public_page`) are cached under
keys that carry the version.

Each process reads the shared version at most once every LOCAL_SECONDS (with the database's cache a read
is a query: it was a third of a cached page's time) and takes its own changes at once: a visible change is
visible at once in the process that made it and within a second in the others. The entries also expire
after a few seconds, which bounds what a change made without the services (a bulk update in a shell) can
leave behind. Creating a report changes nothing public (a new report is not public), so it never touches
the cache.
"""
from __future__ import annotations

import secrets
import time

from django.core.cache import cache
from django.db import transaction

KEY = "feedback:public-version"
LOCAL_SECONDS = 1.0
_local: dict[str, object] = {"value": None, "until": 0.0}


def _new() -> str:
    return secrets.token_hex(8)


def _remember(value: str) -> str:
    _local["value"], _local["until"] = value, time.monotonic() + LOCAL_SECONDS
    return value


def current() -> str:
    """The current version (created when the cache has none)."""
    if _local["value"] is not None and time.monotonic() < _local["until"]:
        return _local["value"]
    value = cache.get(KEY)
    if value is None:
        value = _new()
        if not cache.add(KEY, value, None):
            value = cache.get(KEY) or value
    return _remember(value)


def _set_new() -> None:
    cache.set(KEY, _remember(_new()), None)


def changed() -> None:
    """Something the public sees of reports changed: call inside the change's transaction."""
    _set_new()
    transaction.on_commit(_set_new)


def forget() -> None:
    """Read the shared version again at the next call (tests: the cache was emptied)."""
    _local["value"], _local["until"] = None, 0.0

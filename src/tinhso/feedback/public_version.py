"""The version of what the public can see of reports, kept in the shared cache (Redis, or the database's
cache table: see settings.CACHES).

Every service change the public can see (a transition of a public report, a photo hidden or shown, a
category renamed) calls `changed()`: the version gets a new random value at once (inside the change's
transaction when the cache is the database's, so a rolled-back change leaves it as it was) and again when
the transaction commits (so a page rendered between the two cannot outlive the commit). The public
pages (`web.feedback.public`) and the list's counts (`selectors.reports_public_page`) are cached under
keys that carry the version: a visible change is visible at once to every process; the entries also
expire after a few seconds, which bounds what a change made without the services (a bulk update in a
shell) can leave behind. Creating a report changes nothing public (a new report is not public), so it
never touches the cache.
"""
from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import transaction

KEY = "feedback:public-version"


def _new() -> str:
    return secrets.token_hex(8)


def current() -> str:
    """The current version (created when the cache has none)."""
    value = cache.get(KEY)
    if value is None:
        value = _new()
        if not cache.add(KEY, value, None):
            value = cache.get(KEY) or value
    return value


def changed() -> None:
    """Something the public sees of reports changed: call inside the change's transaction."""
    cache.set(KEY, _new(), None)
    transaction.on_commit(lambda: cache.set(KEY, _new(), None))

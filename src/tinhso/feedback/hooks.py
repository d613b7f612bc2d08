"""Hooks that other domains register at start-up to keep their own tables in step with reports.

No signals: the report services call `report_changed(report)` explicitly, inside the transaction of
every change (with its ReportEvent), so a hook's writes commit or roll back with the change.
`scoring` registers its rollup keeper here from `ScoringConfig.ready` (feedback never imports scoring).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable

_after_change: list[Callable] = []
_takes_created: dict[Callable, bool] = {}


def on_report_changed(fn: Callable) -> Callable:
    """Register `fn(*, report)` or `fn(*, report, created=False)`, called in the transaction of every report
    change (idempotent). A hook that accepts `created` is told when the report was just inserted."""
    if fn not in _after_change:
        _after_change.append(fn)
    return fn


def _accepts_created(fn: Callable) -> bool:
    if fn not in _takes_created:
        try:
            params = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError):
            params = ()
        _takes_created[fn] = any(p.name == "created" or p.kind is p.VAR_KEYWORD for p in params)
    return _takes_created[fn]


def report_changed(report, *, created: bool = False) -> None:
    """`created`: the service inserted `report` in this transaction (its first event); the hooks that accept
    the keyword may then spare reading what cannot exist yet."""
    for fn in _after_change:
        if created and _accepts_created(fn):
            fn(report=report, created=True)
        else:
            fn(report=report)

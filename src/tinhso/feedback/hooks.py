"""Hooks that other domains register at start-up to keep their own tables in step with reports.

No signals: the report services call `report_changed(report)` explicitly, inside the transaction of
every change (with its ReportEvent), so a hook's writes commit or roll back with the change.
`scoring` registers its rollup keeper here from `ScoringConfig.ready` (feedback never imports scoring).
"""
from __future__ import annotations

from collections.abc import Callable

_after_change: list[Callable] = []


def on_report_changed(fn: Callable) -> Callable:
    """Register `fn(*, report)`, called in the transaction of every report change (idempotent)."""
    if fn not in _after_change:
        _after_change.append(fn)
    return fn


def report_changed(report) -> None:
    for fn in _after_change:
        fn(report=report)

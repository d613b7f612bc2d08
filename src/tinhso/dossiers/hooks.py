"""Hooks that other domains register at start-up to keep their own tables in step with dossiers.

No signals: the dossier services call `dossier_changed(dossier)` explicitly, inside the transaction of
every change (after its DossierEvent is written), so a hook's writes commit or roll back with the
change. A hook that raises makes the change fail: hooks must only do what belongs to the change.

`scoring` registers its rollup keeper here from `ScoringConfig.ready`, so that dossiers never imports
scoring (the import direction stays scoring → dossiers).
"""
from __future__ import annotations

from collections.abc import Callable

_after_change: list[Callable] = []


def on_dossier_changed(fn: Callable) -> Callable:
    """Register `fn(*, dossier)`, called in the transaction of every dossier change (idempotent)."""
    if fn not in _after_change:
        _after_change.append(fn)
    return fn


def dossier_changed(dossier) -> None:
    for fn in _after_change:
        fn(dossier=dossier)

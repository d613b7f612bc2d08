"""The dossier's legal clock: due times of the dossier and of each step, pauses and resumptions.

All arithmetic is the working calendar's (tinhso.workcal); this module only applies it to dossiers.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from tinhso.workcal import selectors as workcal


def limit_of(kind: str, amount: int):
    return workcal.TimeLimit(kind=kind, amount=amount)


def dossier_due(*, received_at: datetime, kind: str, amount: int):
    """(counting_from, due_at) of a dossier received at `received_at` under this time limit."""
    result = workcal.due_at(received_at=received_at, rule=limit_of(kind, amount))
    return result.counting_from, result.due_at


def step_dues(*, counting_from: datetime, due_at: datetime, shares: list[int]) -> list[datetime]:
    """Each step's due time: its cumulative share of the working time between start and due time.

    The last step is due exactly when the dossier is."""
    total = workcal.working_time_between(start=counting_from, end=due_at)
    dues: list[datetime] = []
    cumulative = 0
    for i, share in enumerate(shares):
        cumulative += share
        if i == len(shares) - 1 or cumulative >= 100:
            dues.append(due_at)
        else:
            seconds = int(total.total_seconds() * cumulative / 100)
            dues.append(workcal.current_calendar().add_working(counting_from, timedelta(seconds=seconds)))
    return dues


def resumed_due(*, due_at: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """After a pause the due time is the resumption plus the working time that was left."""
    return workcal.due_after_resume(due_at=due_at, paused_at=paused_at, resumed_at=resumed_at)


def warn_horizon(now: datetime) -> datetime:
    """Dossiers due at or before this moment are within one working day of their due time."""
    return workcal.current_calendar().add_working(now, timedelta(hours=8))

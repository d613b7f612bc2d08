"""Reads of the working calendar. The calendar is public (everyone may read it), so these take no
`actor`. The due-time functions use a calendar built once per process and rebuilt when an entry or
the working hours change (this process: at once; other processes: within `RECHECK_SECONDS`)."""
from __future__ import annotations

import datetime as dt
import threading
import time

from django.db import transaction

from .due import DayInfo, DueResult, Entry, TimeLimit, WorkCalendar
from .models import DEFAULT_HOURS, CalendarEntry, WorkingHours

__all__ = [
    "TimeLimit", "DueResult", "DayInfo", "current_calendar", "calendar_cache_clear", "due_at",
    "due_after_resume", "working_time_between", "is_working_day", "month_days", "working_hours",
    "calendar_entries",
]

RECHECK_SECONDS = 30.0

_lock = threading.Lock()
_state: dict = {"calendar": None, "revision": None, "checked": 0.0}


def working_hours() -> WorkingHours:
    """The installation's working hours (an unsaved row with the defaults if none was saved)."""
    return WorkingHours.objects.filter(singleton=1).first() or WorkingHours(**DEFAULT_HOURS)


def calendar_entries(*, year: int | None = None):
    qs = CalendarEntry.objects.all().order_by("date")
    if year is not None:
        qs = qs.filter(date__year=year)
    return qs


def _revision():
    return WorkingHours.objects.filter(singleton=1).values_list("revision", flat=True).first()


def _build() -> WorkCalendar:
    hours = working_hours()
    entries = [
        Entry(date=d, working=(k == CalendarEntry.Kind.WORKING_DAY), name=n)
        for d, k, n in CalendarEntry.objects.values_list("date", "kind", "name")
    ]
    return WorkCalendar(
        entries=entries,
        periods=((hours.morning_start, hours.morning_end), (hours.afternoon_start, hours.afternoon_end)),
        same_day_cutoff=hours.same_day_cutoff,
    )


def calendar_cache_clear() -> None:
    """Forget the cached calendar of this process (the services call it after every change)."""
    with _lock:
        _state["calendar"] = None
        _state["revision"] = None
        _state["checked"] = 0.0


def current_calendar() -> WorkCalendar:
    """The working calendar of this installation, built once and cached in this process."""
    now = time.monotonic()
    cal = _state["calendar"]
    if cal is not None and now - _state["checked"] < RECHECK_SECONDS:
        return cal
    with _lock:
        revision = _revision()
        if _state["calendar"] is None or revision != _state["revision"]:
            _state["calendar"] = _build()
        # A calendar read inside a transaction that changes it must not outlive that transaction.
        _state["revision"] = revision
        _state["checked"] = now if not transaction.get_connection().in_atomic_block else 0.0
        return _state["calendar"]


def due_at(*, received_at: dt.datetime, rule: TimeLimit) -> DueResult:
    """The due time of something received at `received_at` under `rule` (times in Asia/Ho_Chi_Minh)."""
    return current_calendar().due(received_at, rule)


def due_after_resume(*, due_at: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime) -> dt.datetime:
    """The new due time after a pause: resumption + the working time left at the pause."""
    return current_calendar().due_after_resume(due_at=due_at, paused_at=paused_at, resumed_at=resumed_at)


def working_time_between(*, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    return current_calendar().working_time_between(start, end)


def is_working_day(d: dt.date) -> bool:
    return current_calendar().is_working_day(d)


def month_days(*, year: int, month: int) -> list[DayInfo]:
    """Every day of a month with whether it is a working day and why not."""
    cal = current_calendar()
    day = dt.date(year, month, 1)
    out = []
    while day.month == month:
        out.append(cal.day_info(day))
        day += dt.timedelta(days=1)
    return out


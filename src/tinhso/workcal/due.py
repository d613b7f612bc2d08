"""Due-time arithmetic on a working calendar. Pure: no database, no settings, no clock.

A `WorkCalendar` is built once (see `selectors.current_calendar`) from the statutory holidays of the
`holidays` package (VN), the calendar entries (which override the package) and the working hours.
All arithmetic is done on the province's wall clock (Asia/Ho_Chi_Minh, UTC+7 without daylight
saving since 1975), in integer microseconds, so results are exact.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Iterable, Literal
from zoneinfo import ZoneInfo

import holidays as holidays_pkg

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
US_PER_HOUR = 3_600 * US_PER_SECOND
ONE_DAY = dt.timedelta(days=1)

RuleKind = Literal["working_days", "working_hours", "same_day", "calendar_days"]
RULE_KINDS: tuple[str, ...] = ("working_days", "working_hours", "same_day", "calendar_days")


@dataclass(frozen=True)
class TimeLimit:
    """A time limit of a procedure: `amount` working days, working hours, calendar days, or the same day
    (for `same_day`, `amount` is ignored)."""

    kind: RuleKind
    amount: int = 0

    def __post_init__(self):
        if self.kind not in RULE_KINDS:
            raise ValueError(f"unknown time-limit kind {self.kind!r}")
        if not isinstance(self.amount, int) or isinstance(self.amount, bool) or self.amount < 0:
            raise ValueError("amount must be a non-negative integer")


@dataclass(frozen=True)
class DueResult:
    received_at: dt.datetime
    counting_from: dt.datetime
    due_at: dt.datetime

    def as_json(self) -> dict:
        return {
            "received_at": self.received_at.isoformat(),
            "counting_from": self.counting_from.isoformat(),
            "due_at": self.due_at.isoformat(),
        }


@dataclass(frozen=True)
class Entry:
    date: dt.date
    working: bool
    name: str


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    working: bool
    reason: str
    # "entry_off" | "entry_working" | "holiday" | "makeup" | "weekend" | "" (ordinary working day)
    basis: str


def _us_of(t: dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * US_PER_SECOND + t.microsecond


def to_local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return value.astimezone(ZONE)


def _split(value: dt.datetime) -> tuple[dt.date, int]:
    local = to_local(value)
    return local.date(), _us_of(local.timetz().replace(tzinfo=None))


def _join(day: dt.date, us: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZONE) + dt.timedelta(microseconds=us)


class WorkCalendar:
    """Which days are working days, the working periods of a day, and the arithmetic on them."""

    def __init__(self, *, entries: Iterable[Entry] = (), periods: Iterable[tuple[dt.time, dt.time]] = (
            (dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 30))),
            same_day_cutoff: dt.time = dt.time(15, 0)):
        self.periods: tuple[tuple[int, int], ...] = tuple((_us_of(a), _us_of(b)) for a, b in periods)
        if not self.periods or any(a >= b for a, b in self.periods) or any(
                self.periods[i][1] > self.periods[i + 1][0] for i in range(len(self.periods) - 1)):
            raise ValueError("working periods must be non-empty, ordered and not overlapping")
        self.day_capacity_us = sum(b - a for a, b in self.periods)
        self.same_day_cutoff_us = _us_of(same_day_cutoff)
        self.entries: dict[dt.date, Entry] = {e.date: e for e in entries}
        self._years: dict[int, tuple[dict[dt.date, str], frozenset[dt.date]]] = {}
        self._working: dict[dt.date, bool] = {}
        self._lock = threading.Lock()

    # --- days ---------------------------------------------------------------------------------------
    def _statutory(self, year: int) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
        found = self._years.get(year)
        if found is None:
            with self._lock:
                found = self._years.get(year)
                if found is None:
                    h = holidays_pkg.country_holidays("VN", years=year, language="vi")
                    days = {d: str(n) for d, n in h.items() if d.year == year}
                    makeup = frozenset(d for d in getattr(h, "weekend_workdays", ()) if d.year == year)
                    found = (days, makeup)
                    self._years[year] = found
        return found

    def day_info(self, day: dt.date) -> DayInfo:
        entry = self.entries.get(day)
        if entry is not None:
            return DayInfo(day, entry.working, entry.name, "entry_working" if entry.working else "entry_off")
        days, makeup = self._statutory(day.year)
        if day in makeup:
            return DayInfo(day, True, "Ngày làm bù", "makeup")
        if day in days:
            return DayInfo(day, False, days[day], "holiday")
        if day.weekday() == 5:
            return DayInfo(day, False, "Thứ Bảy", "weekend")
        if day.weekday() == 6:
            return DayInfo(day, False, "Chủ nhật", "weekend")
        return DayInfo(day, True, "", "")

    def is_working_day(self, day: dt.date) -> bool:
        w = self._working.get(day)
        if w is None:
            w = self.day_info(day).working
            self._working[day] = w
        return w

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        day += ONE_DAY
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def end_of_day(self, day: dt.date) -> dt.datetime:
        return _join(day, self.periods[-1][1])

    # --- working time -------------------------------------------------------------------------------
    def add_working(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The instant at which `amount` of working time has elapsed from `start`.

        With a zero amount: the first working instant at or after `start` (where counting starts).
        A positive amount ends inside a working period, or exactly at its end (11:30, 17:30)."""
        remaining = amount // dt.timedelta(microseconds=1)
        if remaining < 0:
            raise ValueError("amount must not be negative")
        day, t = _split(start)
        cap = self.day_capacity_us
        while True:
            if self.is_working_day(day):
                if t <= self.periods[0][0] and remaining > cap:
                    remaining -= cap  # a whole working day
                else:
                    for ps, pe in self.periods:
                        if t >= pe:
                            continue
                        s = max(t, ps)
                        avail = pe - s
                        if remaining <= avail:
                            return _join(day, s + remaining)
                        remaining -= avail
                        t = pe
            day += ONE_DAY
            t = 0

    def counting_start(self, start: dt.datetime) -> dt.datetime:
        return self.add_working(start, dt.timedelta(0))

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time from `start` to `end` (negative when `end` is before `start`)."""
        if end < start:
            return -self.working_time_between(end, start)
        d1, t1 = _split(start)
        d2, t2 = _split(end)
        total = 0
        day = d1
        while day <= d2:
            if self.is_working_day(day):
                lo = t1 if day == d1 else 0
                hi = t2 if day == d2 else US_PER_DAY
                if lo <= self.periods[0][0] and hi >= self.periods[-1][1]:
                    total += self.day_capacity_us
                else:
                    for ps, pe in self.periods:
                        a, b = max(lo, ps), min(hi, pe)
                        if b > a:
                            total += b - a
            day += ONE_DAY
        return dt.timedelta(microseconds=total)

    # --- rules ------------------------------------------------------------------------------------
    def due(self, received_at: dt.datetime, rule: TimeLimit) -> DueResult:
        received = to_local(received_at)
        if rule.kind == "working_days":
            start = self.counting_start(received)
            due = self.add_working(start, dt.timedelta(microseconds=rule.amount * self.day_capacity_us))
        elif rule.kind == "working_hours":
            start = self.counting_start(received)
            due = self.add_working(start, dt.timedelta(hours=rule.amount))
        elif rule.kind == "same_day":
            start = self.counting_start(received)
            day, t = _split(received)
            if self.is_working_day(day) and t < self.same_day_cutoff_us:
                due = self.end_of_day(day)
            else:
                due = self.end_of_day(self.next_working_day(day))
        else:  # calendar_days (Civil Code 2015 art. 148)
            start = received
            target = received + dt.timedelta(days=rule.amount)
            due = target if self.is_working_day(target.date()) else self.end_of_day(self.next_working_day(target.date()))
        return DueResult(received_at=received, counting_from=start, due_at=due)

    def due_after_resume(self, *, due_at: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime) -> dt.datetime:
        """The new due time after a pause: resumption + the working time that was left at the pause.
        Never earlier than the old due time; a dossier already late at the pause keeps its due time."""
        if resumed_at < paused_at:
            raise ValueError("resumed_at must not be before paused_at")
        due_local = to_local(due_at)
        if paused_at >= due_at:
            return due_local
        left = self.working_time_between(paused_at, due_at)
        return max(self.add_working(resumed_at, left), due_local)

"""Working-time arithmetic for the simulation, on integer seconds since the epoch.

The rules are the working calendar's (`tinhso.workcal`: days off, make-up days, working periods, the
same-day cut-off). `Timeline` replays them on tables built once from `workcal.selectors.current_calendar()`
for a range of days, so that a due time costs a few list look-ups instead of a walk over the calendar
(a million due times one by one through `WorkCalendar.due` would take about half a minute).
`Timeline.self_check()` compares the replay with the calendar itself on a sample and refuses a
calendar it cannot replay exactly (e.g. working periods with seconds).

Also here: `Stamps`, the string forms of an instant the bulk writer and the audit hashes need.
"""
from __future__ import annotations

import datetime as dt
import random

from tinhso.workcal import selectors as workcal

LOCAL_OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh: UTC+7, no daylight saving since 1975
DAY = 86_400
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
UTC = dt.timezone.utc


def epoch(value: dt.datetime) -> int:
    """Whole seconds since the epoch of an aware datetime."""
    return int(value.timestamp())


def aware(t: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, tz=UTC)


def local_day_number(t: int) -> int:
    """Days since 1970-01-01 of the province's wall-clock date of instant t."""
    return (t + LOCAL_OFFSET) // DAY


def local_date(t: int) -> dt.date:
    return dt.date.fromordinal(EPOCH_ORDINAL + local_day_number(t))


def local_midnight(day: dt.date) -> int:
    """The instant at which `day` starts on the province's wall clock."""
    return (day.toordinal() - EPOCH_ORDINAL) * DAY - LOCAL_OFFSET


def _seconds_of(t: dt.time) -> int:
    if t.microsecond:
        raise ValueError("working periods must be whole seconds")
    return (t.hour * 60 + t.minute) * 60 + t.second


class Timeline:
    """Working time between `first_day` and `last_day` (the province's dates), in seconds.

    `W(t)` is the working time elapsed from the start of the range to instant t; everything else
    follows from it: working time between two instants is a difference of W, and adding working time
    is the inverse of W with the calendar's conventions (a positive amount may end exactly at the end
    of a period; zero is the first working instant at or after t)."""

    def __init__(self, *, first_day: dt.date, last_day: dt.date, calendar=None):
        cal = calendar or workcal.current_calendar()
        self.calendar = cal
        periods = [(p[0] // 1_000_000, p[1] // 1_000_000) for p in cal.periods]
        if any(a * 1_000_000 != p[0] or b * 1_000_000 != p[1] for (a, b), p in zip(periods, cal.periods)):
            raise ValueError("working periods must be whole seconds")
        self.periods = periods
        self.cap = sum(b - a for a, b in periods)
        self.cutoff = cal.same_day_cutoff_us // 1_000_000
        self.day_end = periods[-1][1]
        self.first_day, self.last_day = first_day, last_day
        self.day0 = first_day.toordinal() - EPOCH_ORDINAL
        n = (last_day - first_day).days + 1
        self.working = [cal.is_working_day(first_day + dt.timedelta(days=i)) for i in range(n)]
        before = [0] * (n + 1)
        for i, w in enumerate(self.working):
            before[i + 1] = before[i] + (1 if w else 0)
        self.before = before
        self.wdays = [i for i, w in enumerate(self.working) if w]
        # Working seconds of a working day before second-of-day x; the instant where r working seconds
        # of a day have elapsed (end convention, r in 1..cap) and where counting resumes (r in 0..cap-1).
        within = [0] * (DAY + 1)
        acc = 0
        for x in range(DAY + 1):
            within[x] = acc
            for a, b in periods:
                if a <= x < b:
                    acc += 1
        self.within = within
        pos_end = [0] * (self.cap + 1)
        pos_start = [0] * self.cap
        r = 0
        for a, b in periods:
            for x in range(a, b):
                pos_start[r] = x
                r += 1
                pos_end[r] = x + 1
        self.pos_end, self.pos_start = pos_end, pos_start
        self._bind()

    def _bind(self) -> None:
        """The hot methods (a year calls them millions of times) as closures over the tables: the same
        arithmetic as the methods below, without an attribute look-up per table and call."""
        working, before, within, cap, day0 = self.working, self.before, self.within, self.cap, self.day0
        wdays, pos_end, pos_start = self.wdays, self.pos_end, self.pos_start
        offset = day0 * DAY - LOCAL_OFFSET

        def W(t: int) -> int:
            local = t + LOCAL_OFFSET
            i = local // DAY - day0
            if working[i]:
                return before[i] * cap + within[local % DAY]
            return before[i] * cap

        def at_working(w: int) -> int:
            i, r = divmod(w - 1, cap)
            return offset + wdays[i] * DAY + pos_end[r + 1]

        def start_at_working(w: int) -> int:
            i, r = divmod(w, cap)
            return offset + wdays[i] * DAY + pos_start[r]

        def add(t: int, amount: int) -> int:
            local = t + LOCAL_OFFSET
            i = local // DAY - day0
            w = before[i] * cap + (within[local % DAY] if working[i] else 0)
            if amount <= 0:
                i, r = divmod(w, cap)
                return offset + wdays[i] * DAY + pos_start[r]
            i, r = divmod(w + amount - 1, cap)
            return offset + wdays[i] * DAY + pos_end[r + 1]

        self.W, self.at_working, self.start_at_working, self.add = W, at_working, start_at_working, add

    # --- days ---------------------------------------------------------------------------------------
    def day_index(self, t: int) -> int:
        return (t + LOCAL_OFFSET) // DAY - self.day0

    def is_working_index(self, i: int) -> bool:
        return self.working[i]

    def day_start(self, i: int) -> int:
        """The instant the day of index i starts (local midnight)."""
        return (self.day0 + i) * DAY - LOCAL_OFFSET

    def next_working_index(self, i: int) -> int:
        """The first working day strictly after day index i."""
        return self.wdays[self.before[i + 1]]

    def end_of_day(self, i: int) -> int:
        return self.day_start(i) + self.day_end

    # --- working time -------------------------------------------------------------------------------
    def W(self, t: int) -> int:
        local = t + LOCAL_OFFSET
        i = local // DAY - self.day0
        if self.working[i]:
            return self.before[i] * self.cap + self.within[local % DAY]
        return self.before[i] * self.cap

    def at_working(self, w: int) -> int:
        """The instant at which W reaches w (w > 0; end convention)."""
        i, r = divmod(w - 1, self.cap)
        return (self.day0 + self.wdays[i]) * DAY - LOCAL_OFFSET + self.pos_end[r + 1]

    def start_at_working(self, w: int) -> int:
        """The first working instant at which W equals w (where counting resumes)."""
        i, r = divmod(w, self.cap)
        return (self.day0 + self.wdays[i]) * DAY - LOCAL_OFFSET + self.pos_start[r]

    def counting_start(self, t: int) -> int:
        return self.start_at_working(self.W(t))

    def add(self, t: int, amount: int) -> int:
        """`WorkCalendar.add_working(t, amount seconds)` (W and at_working inlined: the hottest call of a year)."""
        local = t + LOCAL_OFFSET
        i = local // DAY - self.day0
        w = self.before[i] * self.cap + (self.within[local % DAY] if self.working[i] else 0)
        if amount <= 0:
            return self.start_at_working(w)
        i, r = divmod(w + amount - 1, self.cap)
        return (self.day0 + self.wdays[i]) * DAY - LOCAL_OFFSET + self.pos_end[r + 1]

    def between(self, start: int, end: int) -> int:
        return self.W(end) - self.W(start)

    # --- rules ----------------------------------------------------------------------------------------
    def due(self, received: int, kind: str, amount: int) -> tuple[int, int]:
        """(counting_from, due_at) as `WorkCalendar.due` gives them."""
        if kind == "working_days":
            w = self.W(received)
            return self.start_at_working(w), self.at_working(w + amount * self.cap)
        if kind == "working_hours":
            w = self.W(received)
            return self.start_at_working(w), self.at_working(w + amount * 3600)
        if kind == "same_day":
            w = self.W(received)
            local = received + LOCAL_OFFSET
            i = local // DAY - self.day0
            if self.working[i] and local % DAY < self.cutoff:
                return self.start_at_working(w), self.end_of_day(i)
            return self.start_at_working(w), self.end_of_day(self.next_working_index(i))
        if kind == "calendar_days":
            target = received + amount * DAY
            i = self.day_index(target)
            return received, target if self.working[i] else self.end_of_day(self.next_working_index(i))
        raise ValueError(f"unknown time-limit kind {kind!r}")

    def due_after_resume(self, due: int, paused: int, resumed: int) -> int:
        """`WorkCalendar.due_after_resume`: resumption + the working time left at the pause."""
        if paused >= due:
            return due
        left = self.W(due) - self.W(paused)
        new = self.add(resumed, left)
        return new if new > due else due

    def step_dues(self, counting_from: int, due: int, shares: list[int]) -> list[int]:
        """`dossiers.clock.step_dues`: each step's cumulative share of the working time."""
        w0 = self.W(counting_from)
        total = float(self.W(due) - w0)
        out, cumulative, last = [], 0, len(shares) - 1
        for i, share in enumerate(shares):
            cumulative += share
            if i == last or cumulative >= 100:
                out.append(due)
            else:  # self.add(counting_from, amount), W(counting_from) computed once
                amount = int(total * cumulative / 100)
                out.append(self.at_working(w0 + amount) if amount > 0 else self.start_at_working(w0))
        return out

    # --- the guarantee ------------------------------------------------------------------------------------
    def self_check(self, *, samples: int = 300, seed: int = 0) -> None:
        """Compare with the working calendar on random instants of the range; raise on any difference."""
        cal = self.calendar
        rng = random.Random(seed)
        lo = self.day_start(0) + 7 * DAY
        hi = self.day_start(len(self.working) - 1) - 120 * DAY
        if hi <= lo:
            hi = lo + DAY
        rules = [("working_days", 1), ("working_days", 3), ("working_days", 15), ("working_hours", 4),
                 ("working_hours", 40), ("same_day", 0), ("calendar_days", 10), ("calendar_days", 30)]
        for n in range(samples):
            # whole minutes, with some instants exactly on period boundaries
            t = lo + rng.randrange((hi - lo) // 60) * 60
            if n % 7 == 0:
                t = t - (t + LOCAL_OFFSET) % DAY + rng.choice([p for pair in self.periods for p in pair])
            kind, amount = rules[n % len(rules)]
            expected = cal.due(aware(t), workcal.TimeLimit(kind=kind, amount=amount))
            got = self.due(t, kind, amount)
            if (epoch(expected.counting_from), epoch(expected.due_at)) != got:
                raise RuntimeError(f"simulation calendar differs from the working calendar at {aware(t)} "
                                   f"({kind} {amount}): {got} != {expected}")
            amount_s = rng.randrange(1, 40 * 3600)
            if epoch(cal.add_working(aware(t), dt.timedelta(seconds=amount_s))) != self.add(t, amount_s):
                raise RuntimeError(f"simulation calendar: add_working differs at {aware(t)} + {amount_s} s")
            if epoch(cal.add_working(aware(t), dt.timedelta(0))) != self.add(t, 0):
                raise RuntimeError(f"simulation calendar: counting start differs at {aware(t)}")
            later = t + rng.randrange(1, 20 * DAY)
            if int(cal.working_time_between(aware(t), aware(later)).total_seconds()) != self.between(t, later):
                raise RuntimeError(f"simulation calendar: working time differs between {aware(t)} and {aware(later)}")
            due = got[1]
            paused = t + rng.randrange(0, 3 * DAY)
            resumed = paused + rng.randrange(0, 6 * DAY)
            expected_resume = epoch(cal.due_after_resume(due_at=aware(due), paused_at=aware(paused),
                                                         resumed_at=aware(resumed)))
            if expected_resume != self.due_after_resume(due, paused, resumed):
                raise RuntimeError(f"simulation calendar: resumption differs ({aware(due)}, {aware(paused)}, "
                                   f"{aware(resumed)})")


class Stamps:
    """String forms of instants (whole seconds), by table look-up: the database's text form in UTC
    (SQLite: "YYYY-MM-DD HH:MM:SS"; PostgreSQL: the same with "+00"), ISO 8601 in UTC as the audit
    hashes see a datetime read back from the database, and ISO 8601 on the province's clock as the
    services write `due_at.isoformat()` into event data."""

    def __init__(self, *, first_day: dt.date, last_day: dt.date, postgres: bool):
        self.base = first_day.toordinal() - EPOCH_ORDINAL - 1
        n = (last_day - first_day).days + 3
        days = [dt.date.fromordinal(EPOCH_ORDINAL + self.base + i) for i in range(n)]
        self.iso_days = [d.isoformat() for d in days]
        self.db_days = [d + " " for d in self.iso_days]
        self.t_days = [d + "T" for d in self.iso_days]
        self.dmy_days = [d.strftime("%d/%m/%Y") for d in days]
        times = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self.times = times
        suffix = "+00" if postgres else ""
        self.db_times = [x + suffix for x in times] if suffix else times
        db_days, db_times, base = self.db_days, self.db_times, self.base

        def db(t: int) -> str:  # the method below as a closure: called ~30 times a dossier
            return db_days[t // DAY - base] + db_times[t % DAY]

        def db_or_none(t: int | None) -> str | None:
            return None if t is None else db_days[t // DAY - base] + db_times[t % DAY]
        self.db, self.db_or_none = db, db_or_none

    def db(self, t: int) -> str:
        return self.db_days[t // DAY - self.base] + self.db_times[t % DAY]

    def db_or_none(self, t: int | None) -> str | None:
        return None if t is None else self.db_days[t // DAY - self.base] + self.db_times[t % DAY]

    def iso_utc(self, t: int) -> str:
        return self.t_days[t // DAY - self.base] + self.times[t % DAY] + "+00:00"

    def iso_local(self, t: int) -> str:
        t += LOCAL_OFFSET
        return self.t_days[t // DAY - self.base] + self.times[t % DAY] + "+07:00"

    def local_date_iso(self, t: int) -> str:
        return self.iso_days[(t + LOCAL_OFFSET) // DAY - self.base]

    def local_hm_dmy(self, t: int) -> str:
        """"HH:MM dd/mm/YYYY" on the province's clock (the feedback notes' format)."""
        t += LOCAL_OFFSET
        return self.times[t % DAY][:5] + " " + self.dmy_days[t // DAY - self.base]

"""How many dossiers, of which procedure, on which day and at what hour: the shape of a year.

Shares by procedure follow what a province's one-stop desks see (commune procedures dominate:
certification of copies, birth, death and marriage registration, marital-status certificates);
the weights are plausible for a demo, not statistics. Seasonal shape: a rush in the weeks before Tết,
the Tết holiday itself (no desk, few online submissions), a slow week after it, busier months at the
start of the school year and at year end. Desk receptions happen on working days in working hours;
online submissions at any hour, fewer at night and on days off."""
from __future__ import annotations

import bisect
import datetime as dt

from .sim_calendar import DAY, Timeline

# Relative yearly volume by procedure code (unknown procedures: 1).
PROCEDURE_WEIGHTS = {
    # commune: certification and civil status
    "2.000815": 300, "2.000884": 60, "2.001035": 35, "2.001019": 3, "2.001044": 4,
    "1.001193": 110, "1.000656": 45, "1.000894": 40, "1.004873": 70, "1.003583": 60, "1.004746": 10,
    "1.004884": 15, "1.004859": 4, "1.004837": 2, "1.001695": 2, "1.000893": 2,
    # commune: household businesses, building permits, social support, karaoke
    "2.000720": 25, "2.000635": 10, "2.000575": 4, "2.000566": 5, "1.009994": 20, "1.009995": 2,
    "1.009996": 1, "1.001029": 1, "1.001776": 12, "1.001731": 6,
    # province
    "2.000488": 40, "1.012759": 45, "1.010026": 3, "2.002040": 8, "2.002041": 3, "1.009974": 3,
    "1.009972": 1, "1.004599": 3, "1.004616": 2, "2.000967": 8, "1.005092": 4, "2.000633": 1,
    "1.001877": 1, "1.010727": 1,
}
MONTH_FACTORS = {1: 1.15, 2: 0.9, 3: 1.05, 4: 0.95, 5: 1.0, 6: 1.0, 7: 1.05, 8: 1.1, 9: 0.95, 10: 1.0,
                 11: 1.0, 12: 1.1}
DAY_OFF_FACTOR = 0.22      # online submissions on a day off, relative to a working day
TET_BEFORE = (8, 1.3)      # working days before the Tết holiday, factor
TET_AFTER = (5, 0.6)       # working days after it, factor
TET_HOLIDAY_FACTOR = 0.35  # online submissions during the holiday, on top of the day-off factor

# Desk: weight of each hour of the day (receptions happen only inside the working periods).
DESK_HOURS = {7: 0.6, 8: 1.0, 9: 1.2, 10: 1.1, 11: 0.5, 12: 0.3, 13: 0.6, 14: 1.0, 15: 0.9, 16: 0.6, 17: 0.2}
# Online: by hour of the day.
ONLINE_HOURS = [0.12, 0.06, 0.04, 0.04, 0.06, 0.15, 0.4, 0.7, 1.0, 1.0, 1.0, 0.9, 0.7, 0.8, 0.9, 0.9, 0.9,
                0.8, 0.7, 0.9, 1.1, 1.1, 0.9, 0.4]


def weighted_picker(rng, items: list, weights: list[float]):
    """A function returning one of `items` with the given weights (cumulative weights + bisect)."""
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    rnd, n = rng.random, len(items) - 1

    def pick():
        return items[min(bisect.bisect_right(cum, rnd() * total), n)]
    return pick


def tet_holiday(timeline: Timeline, year: int) -> tuple[int, int] | None:
    """Day indexes (first, last) of the longest run of days off between 15/1 and 1/3: the Tết holiday."""
    lo = max(0, (dt.date(year, 1, 15) - timeline.first_day).days)
    hi = min(len(timeline.working) - 1, (dt.date(year, 3, 1) - timeline.first_day).days)
    best, run_start = None, None
    for i in range(lo, hi + 1):
        if not timeline.working[i]:
            if run_start is None:
                run_start = i
            if best is None or (i - run_start) > (best[1] - best[0]):
                best = (run_start, i)
        else:
            run_start = None
    return best if best and best[1] - best[0] >= 3 else None


def desk_slots(timeline: Timeline) -> list[tuple[int, int, float]]:
    """(start second, length, weight) of the half-hour slots of the working periods."""
    slots = []
    for a, b in timeline.periods:
        for s in range(a, b, 1800):
            length = min(1800, b - s)
            slots.append((s, length, DESK_HOURS.get(s // 3600, 0.3) * length / 1800))
    return slots


def day_weights(timeline: Timeline, start: int, end: int, year: int) -> list[tuple[int, float]]:
    """(day index, weight) of every day with at least part of it in [start, end)."""
    first, last = timeline.day_index(start), timeline.day_index(end - 1)
    tet = tet_holiday(timeline, year)
    factors: dict[int, float] = {}
    if tet:
        before, after = 0, 0
        i = tet[0] - 1
        while i >= 0 and before < TET_BEFORE[0]:
            if timeline.working[i]:
                factors[i] = TET_BEFORE[1]
                before += 1
            i -= 1
        i = tet[1] + 1
        while i < len(timeline.working) and after < TET_AFTER[0]:
            if timeline.working[i]:
                factors[i] = TET_AFTER[1]
                after += 1
            i += 1
        for i in range(tet[0], tet[1] + 1):
            factors[i] = TET_HOLIDAY_FACTOR
    out = []
    for i in range(first, last + 1):
        month = (timeline.first_day + dt.timedelta(days=i)).month
        w = MONTH_FACTORS[month] * factors.get(i, 1.0) * (1.0 if timeline.working[i] else DAY_OFF_FACTOR)
        day_start = timeline.day_start(i)
        lo, hi = max(start, day_start), min(end, day_start + DAY)
        if hi <= lo:
            continue
        if lo > day_start or hi < day_start + DAY:
            w *= _share_of_day(lo - day_start, hi - day_start, desk_slots(timeline) if timeline.working[i] else None)
        if w > 0:
            out.append((i, w))
    return out


def _share_of_day(a: int, b: int, slots) -> float:
    """The share of a day's volume falling between seconds a and b of the day (desk slots, or online hours
    when `slots` is None)."""
    if slots is not None:
        total = sum(w for _, _, w in slots)
        got = sum(w * _overlap(s, s + n, a, b) / n for s, n, w in slots)
    else:
        total = sum(ONLINE_HOURS)
        got = sum(w * _overlap(h * 3600, h * 3600 + 3600, a, b) / 3600 for h, w in enumerate(ONLINE_HOURS))
    return got / total if total else 0.0


def _overlap(s: int, e: int, a: int, b: int) -> int:
    return max(0, min(e, b) - max(s, a))


def split_counts(n: int, weights: list[tuple[int, float]]) -> list[tuple[int, int]]:
    """Share n among the days in proportion to their weights (largest remainders: the sum is exactly n)."""
    total = sum(w for _, w in weights)
    if not weights or total <= 0:
        return []
    raw = [(i, n * w / total) for i, w in weights]
    counts = {i: int(x) for i, x in raw}
    left = n - sum(counts.values())
    for i, x in sorted(raw, key=lambda p: (-(p[1] - int(p[1])), p[0]))[:left]:
        counts[i] += 1
    return [(i, counts[i]) for i, _ in weights if counts[i]]


class Moments:
    """Random instants of a day: at the desk (working periods) or online (any hour)."""

    def __init__(self, rng, timeline: Timeline):
        self.rng = rng
        slots = desk_slots(timeline)
        self.desk = weighted_picker(rng, [(s, n) for s, n, _ in slots], [w for _, _, w in slots])
        self.online = weighted_picker(rng, list(range(24)), ONLINE_HOURS)

    def desk_moment(self, day_start: int) -> int:
        s, n = self.desk()
        return day_start + s + int(self.rng.random() * n)

    def online_moment(self, day_start: int) -> int:
        return day_start + self.online() * 3600 + int(self.rng.random() * 3600)


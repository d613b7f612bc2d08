"""Properties of the due-time arithmetic, on the shipped 2025/2026 calendar (no database).

The calendar-days rule of DOMAIN.md §8 (same clock time N days later, else end of the next working
day) is not monotonic: +6 days landing on a Sunday gives Monday 17:30 while +7 gives Monday 00:00.
So monotonicity is asserted for the working-time rules and the same-day rule only."""
import datetime as dt
from pathlib import Path

from hypothesis import given, settings, strategies as st

from tinhso.workcal.due import ZONE, Entry, TimeLimit, WorkCalendar
from tinhso.workcal.entries_file import load_yaml, parse_entries

DATA = Path(__file__).resolve().parents[2] / "src" / "tinhso" / "workcal" / "data"
CAL = WorkCalendar(entries=[Entry(e.date, e.kind == "working_day", e.name)
                            for f in ("2025.yaml", "2026.yaml") for e in parse_entries(load_yaml(DATA / f))])
PERIODS = [(dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 30))]

moments = st.datetimes(min_value=dt.datetime(2024, 12, 1), max_value=dt.datetime(2026, 12, 31),
                       timezones=st.just(ZONE))
amounts = st.integers(min_value=1, max_value=40)
hours = st.integers(min_value=1, max_value=200)


def inside_working_time(t: dt.datetime) -> bool:
    local = t.astimezone(ZONE)
    clock = local.timetz().replace(tzinfo=None)
    return CAL.is_working_day(local.date()) and any(a < clock <= b for a, b in PERIODS)


@settings(max_examples=300, deadline=None)
@given(moments, amounts, st.sampled_from(["working_days", "working_hours"]))
def test_due_falls_inside_working_hours_of_a_working_day(received, n, kind):
    assert inside_working_time(CAL.due(received, TimeLimit(kind, n)).due_at)


@settings(max_examples=300, deadline=None)
@given(moments, amounts, st.sampled_from(["working_days", "working_hours"]))
def test_due_is_monotonic_in_the_amount(received, n, kind):
    assert CAL.due(received, TimeLimit(kind, n)).due_at <= CAL.due(received, TimeLimit(kind, n + 1)).due_at


@settings(max_examples=300, deadline=None)
@given(moments, st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20)), amounts,
       st.sampled_from(["working_days", "working_hours", "same_day"]))
def test_due_is_monotonic_in_the_reception_time(received, later, n, kind):
    rule = TimeLimit(kind, n)
    assert CAL.due(received, rule).due_at <= CAL.due(received + later, rule).due_at


@settings(max_examples=300, deadline=None)
@given(moments, amounts, st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=15)),
       st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=15)))
def test_pause_and_resume_never_shortens_the_time(received, n, before_pause, pause):
    due = CAL.due(received, TimeLimit("working_days", n)).due_at
    paused = received + before_pause
    new_due = CAL.due_after_resume(due_at=due, paused_at=paused, resumed_at=paused + pause)
    assert new_due >= due
    if paused < due:  # the working time left at the pause is all given back after resumption
        assert CAL.working_time_between(paused + pause, new_due) >= CAL.working_time_between(paused, due)


@settings(max_examples=300, deadline=None)
@given(moments, st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=300)))
def test_adding_then_measuring_working_time_round_trips(start, h):
    assert CAL.working_time_between(start, CAL.add_working(start, h)) == h

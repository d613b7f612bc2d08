"""The arithmetic the rollups rest on."""
import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from tinhso.scoring.facts import WorkingClock, processing_seconds
from tinhso.scoring.periods import period_parse
from tinhso.workcal import selectors as workcal

from .conftest import VN, vn

pytestmark = pytest.mark.django_db

moments = st.datetimes(min_value=dt.datetime(2024, 12, 20), max_value=dt.datetime(2027, 1, 10)).map(
    lambda d: d.replace(tzinfo=VN))


@settings(max_examples=300, deadline=None)
@given(a=moments, b=moments)
def test_the_running_total_gives_the_calendars_working_time(a, b):
    """Across weekends, Tết 2026, make-up Saturdays, lunch breaks and nights, in either order."""
    cal = workcal.current_calendar()
    assert WorkingClock(cal).between(a, b) == cal.working_time_between(a, b)


def test_processing_time_takes_the_pauses_out():
    clock = WorkingClock(workcal.current_calendar())
    received, finished = vn(2026, 2, 12, 9), vn(2026, 2, 24, 9)  # Thursday before Tết → Tuesday after
    # Thu 09:00–17:30 (6 h 30), Fri (8 h), Tết 14–22/02 off, Mon 23 (8 h), Tue 07:30–09:00 (1 h 30)
    assert processing_seconds(received, finished, [], clock) == 24 * 3600
    pause = [(vn(2026, 2, 23, 7, 30), vn(2026, 2, 23, 17, 30))]  # all of Monday waiting for the citizen
    assert processing_seconds(received, finished, pause, clock) == 16 * 3600
    assert processing_seconds(received, finished, [(vn(2026, 2, 25, 8), None)], clock) == 24 * 3600  # after: ignored


def test_periods_are_named_and_chained():
    q = period_parse("2026-Q1")
    assert (q.start, q.end, q.label, q.previous().key) == (dt.date(2026, 1, 1), dt.date(2026, 4, 1), "Quý I/2026",
                                                            "2025-Q4")
    assert period_parse("2026-03").previous().key == "2026-02" and period_parse("2026-01").previous().key == "2025-12"
    assert period_parse("2026").previous().label == "Năm 2025"
    assert period_parse("2026-03-01").previous().key == "2026-02-28"
    start, end = period_parse("2026-03").bounds()
    assert start == vn(2026, 3, 1) and end == vn(2026, 4, 1)
    for bad in ("2026-13", "2026-Q5", "03/2026", "1999", "2026-02-30"):
        with pytest.raises(Exception) as exc:
            period_parse(bad)
        assert "2026-Q1" in str(exc.value)

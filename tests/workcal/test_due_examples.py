"""The due-time rules of DOMAIN.md §8, on the installation's calendar (2025/2026 decisions loaded)."""
import datetime as dt

import pytest

from tinhso.workcal import selectors
from tinhso.workcal.selectors import TimeLimit

from .conftest import at

pytestmark = pytest.mark.django_db


def due(received, kind, amount=0):
    return selectors.due_at(received_at=received, rule=TimeLimit(kind, amount))


def test_five_working_days_from_friday_morning_is_next_friday_same_minute():
    r = due(at(2023, 10, 27, 9, 32), "working_days", 5)
    assert r.counting_from == at(2023, 10, 27, 9, 32)
    assert r.due_at == at(2023, 11, 3, 9, 32)


def test_tet_2026_is_counted_out():
    r = due(at(2026, 2, 13, 10, 0), "working_days", 5)
    assert r.due_at == at(2026, 2, 27, 10, 0)


def test_pause_of_two_working_days_moves_the_due_time_two_working_days():
    r = due(at(2026, 2, 13, 10, 0), "working_days", 5)
    new_due = selectors.due_after_resume(due_at=r.due_at, paused_at=at(2026, 2, 24, 10, 0),
                                         resumed_at=at(2026, 2, 26, 10, 0))
    assert new_due == at(2026, 3, 3, 10, 0)


def test_pause_across_tet_counts_only_working_time():
    # 3 working days from Wednesday 11/02/2026 10:00 end on Monday 23/02 10:00 (Tết in between).
    r = due(at(2026, 2, 11, 10, 0), "working_days", 3)
    assert r.due_at == at(2026, 2, 23, 10, 0)
    # Paused Friday 13/02 16:00 (4 working hours left), resumed Monday 23/02 08:00.
    new_due = selectors.due_after_resume(due_at=r.due_at, paused_at=at(2026, 2, 13, 16, 0),
                                         resumed_at=at(2026, 2, 23, 8, 0))
    assert new_due == at(2026, 2, 23, 14, 0)


def test_due_unchanged_when_paused_after_it_was_already_late():
    r = due(at(2026, 3, 2, 8, 0), "working_hours", 4)
    assert selectors.due_after_resume(due_at=r.due_at, paused_at=at(2026, 3, 3, 9, 0),
                                      resumed_at=at(2026, 3, 10, 9, 0)) == r.due_at


def test_reception_at_night_starts_counting_next_working_morning():
    r = due(at(2026, 3, 6, 22, 0), "working_days", 1)  # Friday night
    assert r.counting_from == at(2026, 3, 9, 7, 30)
    assert r.due_at == at(2026, 3, 9, 17, 30)


def test_reception_at_lunch_starts_at_afternoon_period():
    r = due(at(2026, 3, 4, 12, 15), "working_hours", 2)
    assert r.counting_from == at(2026, 3, 4, 13, 30)
    assert r.due_at == at(2026, 3, 4, 15, 30)


def test_reception_during_tet_starts_after_tet():
    r = due(at(2026, 2, 17, 9, 0), "working_hours", 8)
    assert r.counting_from == at(2026, 2, 23, 7, 30)
    assert r.due_at == at(2026, 2, 23, 17, 30)


def test_working_hours_span_lunch_break():
    assert due(at(2026, 3, 4, 10, 30), "working_hours", 3).due_at == at(2026, 3, 4, 15, 30)


def test_same_day_before_cut_off_is_end_of_that_day():
    assert due(at(2026, 3, 4, 14, 59), "same_day").due_at == at(2026, 3, 4, 17, 30)


def test_same_day_after_cut_off_is_end_of_next_working_day():
    assert due(at(2026, 3, 4, 15, 0), "same_day").due_at == at(2026, 3, 5, 17, 30)
    # Wednesday 31/12/2025 after the cut-off: 01/01 and 02/01/2026 off, then the weekend → Monday 05/01.
    assert due(at(2025, 12, 31, 16, 0), "same_day").due_at == at(2026, 1, 5, 17, 30)


def test_same_day_received_on_a_day_off_is_end_of_next_working_day():
    assert due(at(2026, 2, 14, 9, 0), "same_day").due_at == at(2026, 2, 23, 17, 30)


def test_calendar_days_keep_the_clock_time():
    assert due(at(2026, 3, 2, 9, 15), "calendar_days", 10).due_at == at(2026, 3, 12, 9, 15)


def test_calendar_days_ending_on_a_day_off_move_to_end_of_next_working_day():
    # 05/02/2026 + 10 days = Sunday 15/02; Tết until 22/02 → end of Monday 23/02.
    r = due(at(2026, 2, 5, 9, 0), "calendar_days", 10)
    assert r.counting_from == at(2026, 2, 5, 9, 0)
    assert r.due_at == at(2026, 2, 23, 17, 30)


def test_working_time_between_excludes_nights_weekends_and_holidays():
    assert selectors.working_time_between(start=at(2026, 2, 13, 10, 0), end=at(2026, 2, 27, 10, 0)) == dt.timedelta(hours=40)
    assert selectors.working_time_between(start=at(2026, 3, 4, 11, 0), end=at(2026, 3, 4, 14, 0)) == dt.timedelta(minutes=60)


def test_times_in_other_zones_are_converted_to_province_time():
    utc = dt.datetime(2023, 10, 27, 2, 32, tzinfo=dt.timezone.utc)  # 09:32 in Hà Nội
    r = due(utc, "working_days", 5)
    assert r.due_at == at(2023, 11, 3, 9, 32)
    assert r.due_at.utcoffset() == dt.timedelta(hours=7)


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        due(dt.datetime(2026, 3, 4, 9, 0), "working_days", 1)

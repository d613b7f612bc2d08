"""The 2025 and 2026 days off and make-up days of the state sector, as shipped and loaded."""
import datetime as dt

import pytest

from tinhso.workcal import selectors
from tinhso.workcal.models import CalendarEntry

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize("day", [D(2026, 2, d) for d in range(14, 23)])
def test_tet_2026_nine_days_off(day):
    assert not selectors.is_working_day(day)


@pytest.mark.parametrize("day", [D(2026, 2, 13), D(2026, 2, 23)])
def test_days_around_tet_2026_are_working_days(day):
    assert selectors.is_working_day(day)


def test_new_year_2026_swap():
    assert not selectors.is_working_day(D(2026, 1, 1))
    assert not selectors.is_working_day(D(2026, 1, 2))  # Friday, swapped
    assert selectors.is_working_day(D(2026, 1, 10))  # Saturday, made up


def test_gio_to_2026_falls_on_sunday_so_monday_27_4_is_off():
    assert not selectors.is_working_day(D(2026, 4, 26))
    assert not selectors.is_working_day(D(2026, 4, 27))
    assert selectors.is_working_day(D(2026, 4, 28))


def test_reunification_and_labour_day_2026():
    assert not selectors.is_working_day(D(2026, 4, 30))
    assert not selectors.is_working_day(D(2026, 5, 1))


def test_national_day_2026_swap_with_saturday_22_8():
    assert selectors.is_working_day(D(2026, 8, 22))
    for day in (D(2026, 8, 31), D(2026, 9, 1), D(2026, 9, 2)):
        assert not selectors.is_working_day(day)
    assert selectors.is_working_day(D(2026, 9, 3))


@pytest.mark.parametrize("day", [D(2025, 1, 27), D(2025, 1, 31), D(2025, 4, 7), D(2025, 4, 30), D(2025, 5, 1),
                                 D(2025, 5, 2), D(2025, 9, 1), D(2025, 9, 2), D(2025, 1, 1)])
def test_2025_days_off(day):
    assert not selectors.is_working_day(day)


def test_2025_saturday_26_4_is_a_working_day_and_3_2_work_resumes():
    assert selectors.is_working_day(D(2025, 4, 26))
    assert selectors.is_working_day(D(2025, 2, 3))
    assert selectors.is_working_day(D(2025, 1, 24))


def test_every_shipped_entry_cites_its_source():
    entries = list(CalendarEntry.objects.filter(date__year__in=[2025, 2026]))
    assert len(entries) >= 25
    for e in entries:
        assert e.source.strip() and e.name.strip()


def test_month_days_give_reasons_in_vietnamese():
    days = {d.date: d for d in selectors.month_days(year=2026, month=1)}
    assert days[D(2026, 1, 10)].working and days[D(2026, 1, 10)].basis == "entry_working"
    assert "Tết Dương lịch" in days[D(2026, 1, 1)].reason
    assert days[D(2026, 1, 11)].reason == "Chủ nhật"
    assert len(days) == 31

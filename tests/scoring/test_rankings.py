"""Rankings of agencies and communes by index 766, with the change since the previous period."""
from decimal import Decimal

import pytest

from tinhso.scoring import selectors
from tinhso.scoring.periods import period_parse, scope_agency

from .conftest import vn

pytestmark = pytest.mark.django_db
NOW = vn(2026, 4, 15, 9)


@pytest.fixture
def swap(journeys, staff_x, staff_y, agency_x, agency_y, department, citizen_b):
    """February: X finishes on time, Y late. March: X late, Y on time (received 5 working days ago → due)."""
    j = journeys
    j.finish(j.received(at=vn(2026, 2, 2, 8)), at=vn(2026, 2, 3, 9))                                  # X on time
    j.finish(j.received(at=vn(2026, 2, 2, 8), agency=agency_y, staff=staff_y, citizen=citizen_b),
             at=vn(2026, 2, 11, 9), staff=staff_y)                                                   # Y late
    j.finish(j.received(at=vn(2026, 3, 2, 8)), at=vn(2026, 3, 12, 9))                                  # X late
    j.finish(j.received(at=vn(2026, 3, 2, 8), agency=agency_y, staff=staff_y, citizen=citizen_b),
             at=vn(2026, 3, 3, 9), staff=staff_y)                                                    # Y on time


def test_agencies_swap_places_and_the_change_is_shown(swap, agency_x, agency_y, department):
    feb = {r["code"]: r for r in selectors.ranking("agencies", period_parse("2026-02"), now=NOW)}
    mar = {r["code"]: r for r in selectors.ranking("agencies", period_parse("2026-03"), now=NOW)}
    x, y = agency_x.code, agency_y.code
    assert (feb[x]["rank"], feb[y]["rank"]) == (1, 2)
    assert (mar[x]["rank"], mar[y]["rank"]) == (2, 1)
    assert (mar[x]["previous_rank"], mar[x]["rank_change"]) == (1, -1)
    assert (mar[y]["previous_rank"], mar[y]["rank_change"]) == (2, 1)
    # 2.1 (20 points) and 5.4 (6 points: 100% − 100% late → 0) are all that differ between the two months
    assert mar[y]["points_change"] == Decimal("26.00") and mar[x]["points_change"] == Decimal("-26.00")
    assert mar[x]["total"] == selectors.index766(scope_agency(agency_x), period_parse("2026-03"), now=NOW)["total"]
    # the department handles procedures but received nothing: ranked last, with only its catalog points
    assert mar[department.code]["rank"] == 3 and mar[department.code]["received"] == 0


def test_communes_follow_their_agencies_and_ties_share_a_rank(swap, communes):
    mar = {r["code"]: r for r in selectors.ranking("communes", period_parse("2026-03"), now=NOW)}
    assert (mar[communes[1].pk]["rank"], mar[communes[0].pk]["rank"]) == (1, 2)
    q1 = selectors.ranking("communes", period_parse("2026-Q1"), now=NOW)  # one on time and one late each: a tie
    assert [r["rank"] for r in q1] == [1, 1] and q1[0]["total"] == q1[1]["total"]
    assert [r["rank_change"] for r in q1] == [0, 0]  # nobody anywhere in Q4 2025: all first then

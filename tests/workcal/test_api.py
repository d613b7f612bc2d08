"""GET /api/v1/calendar/due and /api/v1/calendar/days."""
import pytest

pytestmark = pytest.mark.django_db

DUE = "/api/v1/calendar/due"


def test_due_returns_the_same_json_as_the_command(client):
    r = client.get(DUE, {"received": "2026-02-13T10:00+07:00", "working_days": "5"})
    assert r.status_code == 200
    assert r.json() == {"received_at": "2026-02-13T10:00:00+07:00", "counting_from": "2026-02-13T10:00:00+07:00",
                        "due_at": "2026-02-27T10:00:00+07:00"}


def test_unencoded_plus_in_the_offset_is_understood(client):
    r = client.get(DUE + "?received=2023-10-27T09:32+07:00&working_days=5")
    assert r.status_code == 200 and r.json()["due_at"] == "2023-11-03T09:32:00+07:00"


@pytest.mark.parametrize("params,due_at", [
    ({"working_hours": "3"}, "2026-03-04T15:30:00+07:00"),
    ({"same_day": "true"}, "2026-03-04T17:30:00+07:00"),
    ({"calendar_days": "3"}, "2026-03-09T17:30:00+07:00"),
])
def test_due_other_rules(client, params, due_at):
    r = client.get(DUE, {"received": "2026-03-04T10:30+07:00", **params})
    assert r.status_code == 200 and r.json()["due_at"] == due_at


@pytest.mark.parametrize("params,field", [
    ({"received": "2026-03-04T10:30+07:00", "working_days": "-2"}, "working_days"),
    ({"received": "2026-03-04T10:30+07:00"}, "rule"),
    ({"received": "2026-03-04T10:30+07:00", "working_days": "1", "calendar_days": "2"}, "calendar_days"),
    ({"received": "ngày mai", "working_days": "1"}, "received"),
    ({"received": "2026-03-04T10:30", "working_days": "1"}, "received"),
    ({"working_days": "1"}, "received"),
    ({"received": "2026-03-04T10:30+07:00", "working_days": "1", "ngay_le": "1"}, "ngay_le"),
    ({"received": "2026-03-04T10:30+07:00", "working_days": "1,5"}, "working_days"),
    ({"received": "2026-03-04T10:30+07:00", "same_day": "maybe"}, "same_day"),
])
def test_due_errors_name_the_field_in_vietnamese(client, params, field):
    r = client.get(DUE, params)
    assert r.status_code in (400, 422)
    body = r.json()
    assert any(e["field"] == field for e in body["errors"])
    assert field in body["detail"] or field == "rule"
    assert any(ch in body["detail"] for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


def test_days_lists_each_day_of_the_month_with_reason(client):
    r = client.get("/api/v1/calendar/days", {"year": "2026", "month": "2"})
    assert r.status_code == 200
    days = {d["date"]: d for d in r.json()}
    assert len(days) == 28
    assert days["2026-02-17"]["is_working_day"] is False and "Tết" in days["2026-02-17"]["reason"]
    assert days["2026-02-23"]["is_working_day"] is True and days["2026-02-23"]["reason"] == ""
    assert days["2026-02-14"]["is_working_day"] is False


@pytest.mark.parametrize("params,field", [
    ({"year": "2026", "month": "13"}, "month"),
    ({"year": "hai", "month": "2"}, "year"),
    ({"month": "2"}, "year"),
    ({"year": "2026", "month": "2", "day": "1"}, "day"),
])
def test_days_errors(client, params, field):
    r = client.get("/api/v1/calendar/days", params)
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == field

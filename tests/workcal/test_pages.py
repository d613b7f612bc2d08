"""The public month view and the province administrator's pages (and who is refused)."""
import datetime as dt

import pytest
from django.urls import reverse

from tinhso.events.models import DomainEvent
from tinhso.workcal import selectors
from tinhso.workcal.models import CalendarEntry, WorkingHours

pytestmark = pytest.mark.django_db


def snapshot():
    return (list(CalendarEntry.objects.order_by("date").values_list("date", "kind", "name", "source")),
            list(WorkingHours.objects.values_list("morning_start", "morning_end", "afternoon_start", "afternoon_end",
                                                  "same_day_cutoff")),
            DomainEvent.objects.count())


def test_month_view_marks_days_off_and_make_up_days_with_text(client):
    r = client.get(reverse("web:calendar_month"), {"nam": "2026", "thang": "1"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Lịch làm việc tháng 1 năm 2026</h1>" in html
    assert "Làm bù" in html and "Nghỉ" in html
    assert "Thứ Bảy, 10/01/2026" in html  # in the table of special days
    assert "07:30–11:30" in html and "13:30–17:30" in html
    assert "?nam=2025&amp;thang=12" in html and "?nam=2026&amp;thang=2" in html
    assert 'style="' not in html and "<script>" not in html


def test_month_view_of_tet_lists_the_days_off(client):
    html = client.get(reverse("web:calendar_month"), {"nam": "2026", "thang": "2"}).content.decode()
    for d in range(16, 21):
        assert f"{d}/02/2026" in html
    assert "Tết Nguyên đán Bính Ngọ" in html


def test_month_view_with_nonsense_parameters_still_answers(client):
    assert client.get(reverse("web:calendar_month"), {"nam": "abc", "thang": "99"}).status_code == 200


ADMIN_PAGES = ["web:calendar_admin", "web:calendar_entry_create", "web:working_hours_edit"]


def _post_all(client):
    entry = CalendarEntry.objects.get(date=dt.date(2026, 1, 2))
    new = {"date": "2027-10-13", "kind": "day_off", "name": "Ngày lễ mới", "source": "Văn bản thử"}
    return [
        client.post(reverse("web:calendar_entry_create"), new),
        client.post(reverse("web:calendar_entry_edit", args=[entry.pk]), {**new, "date": "2026-01-02"}),
        client.post(reverse("web:calendar_entry_delete", args=[entry.pk])),
        client.post(reverse("web:working_hours_edit"), {"morning_start": "08:00", "morning_end": "12:00",
                                                        "afternoon_start": "13:00", "afternoon_end": "17:00",
                                                        "same_day_cutoff": "15:00"}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "citizen", "official_without_role"])
def test_others_are_refused_and_nothing_changes(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    before = snapshot()
    for name in ADMIN_PAGES:
        assert client.get(reverse(name)).status_code == 403
    assert all(r.status_code == 403 for r in _post_all(client))
    assert snapshot() == before


def test_month_view_offers_administration_only_to_the_admin(client, admin_user, citizen):
    client.force_login(citizen)
    assert "Quản trị lịch làm việc" not in client.get(reverse("web:calendar_month")).content.decode()
    client.force_login(admin_user)
    assert "Quản trị lịch làm việc" in client.get(reverse("web:calendar_month")).content.decode()


def test_admin_adds_a_new_holiday_and_due_times_follow(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("web:calendar_admin"), {"nam": "2026"}).status_code == 200
    r = client.post(reverse("web:calendar_entry_create"),
                    {"date": "2027-10-13", "kind": "day_off", "name": "Ngày lễ mới", "source": "Nghị quyết thử"})
    assert r.status_code == 302
    entry = CalendarEntry.objects.get(date=dt.date(2027, 10, 13))
    assert entry.created_by == admin_user
    assert DomainEvent.objects.filter(name="workcal.entry_created", actor=admin_user).exists()
    assert not selectors.is_working_day(dt.date(2027, 10, 13))


def test_admin_edits_and_deletes_an_entry(client, admin_user):
    client.force_login(admin_user)
    entry = CalendarEntry.objects.get(date=dt.date(2026, 1, 10))
    assert selectors.is_working_day(dt.date(2026, 1, 10))
    r = client.post(reverse("web:calendar_entry_edit", args=[entry.pk]),
                    {"date": "2026-01-10", "kind": "day_off", "name": "Đổi thử", "source": "Văn bản thử"})
    assert r.status_code == 302
    assert not selectors.is_working_day(dt.date(2026, 1, 10))
    assert client.get(reverse("web:calendar_entry_delete", args=[entry.pk])).status_code == 200
    assert client.post(reverse("web:calendar_entry_delete", args=[entry.pk])).status_code == 302
    assert not CalendarEntry.objects.filter(pk=entry.pk).exists()
    assert not selectors.is_working_day(dt.date(2026, 1, 10))  # an ordinary Saturday again


def test_admin_form_errors_are_summarised_and_nothing_changes(client, admin_user):
    client.force_login(admin_user)
    before = snapshot()
    r = client.post(reverse("web:calendar_entry_create"), {"date": "2026-01-02", "kind": "", "name": "", "source": "x"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "error-summary" in html and 'href="#id_kind_0"' in html and 'href="#id_name"' in html
    assert "Hãy nhập tên ngày." in html
    r = client.post(reverse("web:calendar_entry_create"),
                    {"date": "2026-01-02", "kind": "day_off", "name": "Trùng", "source": "x"})
    assert r.status_code == 200 and "đã có trong lịch" in r.content.decode()
    assert snapshot() == before


def test_admin_changes_working_hours_and_due_times_follow(client, admin_user):
    client.force_login(admin_user)
    r = client.post(reverse("web:working_hours_edit"), {"morning_start": "08:00", "morning_end": "12:00",
                                                        "afternoon_start": "13:00", "afternoon_end": "17:00",
                                                        "same_day_cutoff": "15:00"})
    assert r.status_code == 302
    from .conftest import at
    res = selectors.due_at(received_at=at(2026, 3, 4, 7, 0), rule=selectors.TimeLimit("working_hours", 1))
    assert res.counting_from == at(2026, 3, 4, 8, 0) and res.due_at == at(2026, 3, 4, 9, 0)
    assert "08:00–12:00" in client.get(reverse("web:calendar_month")).content.decode()


def test_working_hours_out_of_order_are_refused(client, admin_user):
    client.force_login(admin_user)
    before = snapshot()
    r = client.post(reverse("web:working_hours_edit"), {"morning_start": "11:00", "morning_end": "10:00",
                                                        "afternoon_start": "13:00", "afternoon_end": "17:00",
                                                        "same_day_cutoff": "18:00"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Giờ kết thúc buổi sáng phải sau giờ bắt đầu buổi sáng." in html
    assert 'href="#id_same_day_cutoff"' in html
    assert snapshot() == before

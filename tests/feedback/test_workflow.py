"""Routing, deadlines, the state machine, and refusals that change nothing."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone

from tinhso.feedback import services
from tinhso.feedback.models import Report, ReportEvent
from tinhso.workcal import selectors as workcal

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def snapshot(report):
    report = Report.objects.get(pk=report.pk)
    return (report.state, report.agency_id, report.answer, report.rating, report.due_at,
            ReportEvent.objects.filter(report=report).count())


def test_accept_routes_by_commune_then_default_and_sets_the_deadline(make_report, order, coordinator, communes,
                                                                     agency_x, agency_y, so_xay_dung):
    in_x = make_report(order, commune=communes[0])
    in_y = make_report(order, commune=communes[1])
    no_commune = make_report(order, commune="", address="Tổ 5, phường Phan Đình Phùng")
    for r, agency in ((in_x, agency_x), (in_y, agency_y), (no_commune, so_xay_dung)):
        r = services.report_accept(actor=coordinator, report=r)
        assert (r.state, r.agency_id) == ("assigned", agency.pk)
        expected = workcal.due_at(received_at=r.created_at, rule=workcal.TimeLimit(kind="working_days", amount=5)).due_at
        assert r.due_at == expected
    public = list(ReportEvent.objects.filter(report=in_x, public=True).values_list("action", flat=True))
    assert public == ["accepted", "assigned"]


def test_due_time_counts_working_days_through_the_calendar(make_report, traffic, coordinator):
    r = make_report(traffic)
    Report.objects.filter(pk=r.pk).update(created_at=dt.datetime(2023, 10, 27, 9, 32, tzinfo=VN))  # a Friday
    traffic.deadline_working_days = 5
    traffic.save()
    r = services.report_accept(actor=coordinator, report=r)
    assert timezone.localtime(r.due_at, VN) == dt.datetime(2023, 11, 3, 9, 32, tzinfo=VN)


def test_without_a_rule_the_report_waits_for_the_coordinator(make_report, coordinator, agency_y):
    from tinhso.feedback.models import Category
    cat = Category.objects.create(code="khac-kt", name="Khác (kiểm thử)")
    r = services.report_accept(actor=coordinator, report=make_report(cat))
    assert r.state == "accepted" and r.agency_id is None
    r = services.report_reroute(actor=coordinator, report=r, agency=agency_y)
    assert (r.state, r.agency_id) == ("assigned", agency_y.pk)


def test_full_journey_and_rating_closes(make_report, traffic, coordinator, staff_sxd, citizen_a):
    r = services.report_accept(actor=coordinator, report=make_report(traffic))
    r = services.report_start(actor=staff_sxd["specialist"], report=r)
    assert r.state == "in_progress"
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = services.report_answer(actor=staff_sxd["leader"], report=r, answer="Đã vá ổ gà ngày 20/11.")
    assert r.state == "answered" and r.answered_at is not None
    assert citizen_a.email in [m.to[0] for m in mail.outbox]
    r = services.report_rate(actor=citizen_a, report=r, rating="satisfied", comment="Cảm ơn")
    assert (r.state, r.rating) == ("closed", "satisfied")
    with pytest.raises(ValidationError):
        services.report_reopen(actor=citizen_a, report=r, reason="...")


def test_reject_needs_reason_note_and_duplicate(make_report, traffic, coordinator):
    first, second = make_report(traffic), make_report(traffic)
    before = snapshot(second)
    with pytest.raises(ValidationError) as exc:
        services.report_reject(actor=coordinator, report=second, reason="duplicate", note="")
    assert {"note", "duplicate_of"} <= set(exc.value.message_dict)
    assert snapshot(second) == before
    r = services.report_reject(actor=coordinator, report=second, reason="duplicate", note="Đã có phản ánh", duplicate_of=first)
    assert r.state == "rejected" and r.duplicate_of == first
    with pytest.raises(ValidationError):
        services.report_accept(actor=coordinator, report=r)


def test_wrong_transition_changes_nothing(make_report, traffic, coordinator, citizen_a):
    r = services.report_accept(actor=coordinator, report=make_report(traffic))
    before = snapshot(r)
    with pytest.raises(ValidationError):
        services.report_rate(actor=citizen_a, report=r, rating="satisfied", comment="")  # nothing answered yet
    with pytest.raises(ValidationError):
        services.report_close(actor=coordinator, report=r)
    with pytest.raises(ValidationError):
        services.report_accept(actor=coordinator, report=r)
    assert snapshot(r) == before


@pytest.mark.parametrize("who", ["anonymous", "owner", "other_citizen", "other_agency", "receiver_same_agency"])
def test_only_the_coordinator_accepts_and_only_the_agency_answers(who, make_report, traffic, coordinator, citizen_a,
                                                                  citizen_b, staff_x, staff_sxd):
    actor = {"anonymous": AnonymousUser(), "owner": citizen_a, "other_citizen": citizen_b,
             "other_agency": staff_x["leader"], "receiver_same_agency": None}[who]
    r = make_report(traffic)
    if actor is not None:
        before = snapshot(r)
        with pytest.raises(PermissionDenied):
            services.report_accept(actor=actor, report=r)
        assert snapshot(r) == before
    r = services.report_accept(actor=coordinator, report=r)
    if actor is None:
        from .conftest import make_official
        actor = make_official(r.agency, "receiver")  # same agency, but not a specialist or leader
    before = snapshot(r)
    for call in (lambda: services.report_start(actor=actor, report=r),
                 lambda: services.report_answer(actor=actor, report=r, answer="Xong"),
                 lambda: services.report_reroute(actor=actor, report=r, agency=staff_x["leader"].official.agency)):
        with pytest.raises(PermissionDenied):
            call()
    assert snapshot(r) == before


@pytest.mark.parametrize("who", ["anonymous", "other_citizen", "agency", "coordinator"])
def test_only_the_reporter_rates_and_reopens(who, make_report, traffic, coordinator, citizen_b, staff_sxd):
    r = services.report_accept(actor=coordinator, report=make_report(traffic))
    r = services.report_answer(actor=staff_sxd["specialist"], report=r, answer="Đã xử lý.")
    actor = {"anonymous": AnonymousUser(), "other_citizen": citizen_b, "agency": staff_sxd["leader"],
             "coordinator": coordinator}[who]
    before = snapshot(r)
    with pytest.raises(PermissionDenied):
        services.report_rate(actor=actor, report=r, rating="unsatisfied", comment="")
    with pytest.raises(PermissionDenied):
        services.report_reopen(actor=actor, report=r, reason="Chưa xong")
    assert snapshot(r) == before


def test_reopen_within_seven_days_goes_back_to_the_agency(make_report, traffic, coordinator, staff_sxd, citizen_a):
    r = services.report_accept(actor=coordinator, report=make_report(traffic))
    r = services.report_answer(actor=staff_sxd["specialist"], report=r, answer="Đã xử lý.")
    r = services.report_rate(actor=citizen_a, report=r, rating="unsatisfied", comment="Ổ gà vẫn còn")
    assert r.state == "answered"
    r = services.report_reopen(actor=citizen_a, report=r, reason="Ổ gà vẫn còn nguyên.")
    assert (r.state, r.reopened_count, r.agency.pk) == ("assigned", 1, staff_sxd["leader"].official.agency_id)
    assert ReportEvent.objects.filter(report=r, action="reopened", public=True).exists()


def test_reopen_after_seven_days_is_refused(make_report, traffic, coordinator, staff_sxd, citizen_a):
    r = services.report_accept(actor=coordinator, report=make_report(traffic))
    r = services.report_answer(actor=staff_sxd["specialist"], report=r, answer="Đã xử lý.")
    Report.objects.filter(pk=r.pk).update(answered_at=timezone.now() - dt.timedelta(days=7, minutes=1))
    before = snapshot(r)
    with pytest.raises(ValidationError) as exc:
        services.report_reopen(actor=citizen_a, report=r, reason="Chưa xong")
    assert "7 ngày" in exc.value.messages[0]
    assert snapshot(r) == before


def test_photo_hide_is_for_the_coordinator_only(make_report, traffic, coordinator, citizen_a, staff_sxd):
    from .conftest import photo
    r = make_report(traffic, photos=[photo()])
    p = r.photos.get()
    for actor in (citizen_a, staff_sxd["leader"], AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.photo_hide(actor=actor, photo=p)
    p.refresh_from_db()
    assert not p.hidden
    services.photo_hide(actor=coordinator, photo=p)
    p.refresh_from_db()
    assert p.hidden


def test_warnings_sweep_is_idempotent(make_report, traffic, coordinator, staff_sxd):
    late = services.report_accept(actor=coordinator, report=make_report(traffic))
    soon = services.report_accept(actor=coordinator, report=make_report(traffic))
    fine = services.report_accept(actor=coordinator, report=make_report(traffic))
    now = timezone.now()
    Report.objects.filter(pk=late.pk).update(due_at=now - dt.timedelta(hours=1))
    Report.objects.filter(pk=soon.pk).update(due_at=workcal.current_calendar().add_working(now, dt.timedelta(hours=4)))
    Report.objects.filter(pk=fine.pk).update(due_at=workcal.current_calendar().add_working(now, dt.timedelta(hours=40)))
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = services.reports_warnings_sweep(now=now)
    assert first == {"late": 1, "due_soon": 1}
    assert len(mail.outbox) == 2 and all(m.to == [staff_sxd["leader"].email] for m in mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        second = services.reports_warnings_sweep(now=now)
    assert second == {"late": 0, "due_soon": 0} and len(mail.outbox) == 2
    assert Report.objects.get(pk=late.pk).warned_late and not Report.objects.get(pk=fine.pk).warned_due_soon


def test_demo_load_is_idempotent(db):
    from tinhso.feedback.models import Category, RoutingRule
    from tinhso.places import services as places
    places.demo_agencies_load(actor=None)
    first = services.demo_feedback_load()
    counts = (Category.objects.count(), RoutingRule.objects.count())
    services.demo_feedback_load()
    assert (Category.objects.count(), RoutingRule.objects.count()) == counts
    assert first["categories"] >= 10
    assert RoutingRule.objects.get(category__code="giao-thong", commune=None).agency.name == "Sở Xây dựng"

"""The coordinator's administration pages (Open311 API keys, officials on duty, categories) and the
"this report is about my dossier" picker. Anonymous users, citizens and officials who are not the
province coordinator are refused, and nothing changes on refusal."""
from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse

from tinhso.feedback import services
from tinhso.feedback.models import ApiKey, Category, CategoryAttribute, DutyOfficer, Report

from .conftest import INSIDE
from .test_pages import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsiders(citizen_b, staff_x):
    """Who must be refused: anonymous (None), a citizen, and officials of an agency (leader, specialist)."""
    return [None, citizen_b, staff_x["leader"], staff_x["specialist"]]


def as_user(client, user):
    client.logout()
    return login(client, user) if user is not None else client


def assert_refused(resp, user):
    if user is None:
        assert resp.status_code == 302 and "/login" in resp["Location"]  # to the sign-in page
    else:
        assert resp.status_code == 403


# --- API keys ------------------------------------------------------------------------------------------

def test_coordinator_creates_a_key_shown_once_and_only_its_hash_is_stored(client, coordinator):
    login(client, coordinator)
    resp = client.post(reverse("web:feedback_apikeys"), {"action": "create", "name": "Ứng dụng Thái Nguyên số"})
    assert resp.status_code == 200
    assert "no-store" in resp.get("Cache-Control", "") or "no-cache" in resp.get("Cache-Control", "")
    raw = resp.context["raw_key"]
    html = resp.content.decode()
    assert raw.startswith("ts_") and raw in html
    key = ApiKey.objects.get()
    assert key.active and key.key_hash == services.apikey_hash(raw) and raw not in key.key_hash
    again = client.get(reverse("web:feedback_apikeys")).content.decode()
    assert "Ứng dụng Thái Nguyên số" in again and raw not in again  # never shown again


def test_key_without_a_name_is_refused_with_the_field_named(client, coordinator):
    login(client, coordinator)
    resp = client.post(reverse("web:feedback_apikeys"), {"action": "create", "name": "  "})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "Hãy đặt tên cho khóa API" in html and 'href="#id_name"' in html
    assert not ApiKey.objects.exists()


def test_coordinator_revokes_a_key(client, coordinator):
    key, _raw = services.apikey_create(actor=coordinator, name="Ứng dụng cũ")
    login(client, coordinator)
    resp = client.post(reverse("web:feedback_apikeys"), {"action": "revoke", "key": key.pk})
    assert resp.status_code == 302
    key.refresh_from_db()
    assert not key.active
    assert "Đã thu hồi" in client.get(reverse("web:feedback_apikeys")).content.decode()


def test_revoked_key_can_no_longer_send_reports(coordinator, traffic):
    key, raw = services.apikey_create(actor=coordinator, name="Ứng dụng cũ")
    services.apikey_revoke(actor=coordinator, key=key)
    presented = ApiKey.objects.get(key_hash=services.apikey_hash(raw))  # what the Open311 endpoint looks up
    with pytest.raises(PermissionDenied):
        services.report_create(actor=None, category=traffic, description="Đèn hỏng", via="open311",
                               api_key=presented, **INSIDE)
    assert not Report.objects.exists()


def test_api_key_pages_refuse_everyone_but_the_coordinator(client, coordinator, outsiders):
    key, _raw = services.apikey_create(actor=coordinator, name="Ứng dụng A")
    url = reverse("web:feedback_apikeys")
    for user in outsiders:
        c = as_user(client, user)
        assert_refused(c.get(url), user)
        assert_refused(c.post(url, {"action": "create", "name": "Khóa lạ"}), user)
        assert_refused(c.post(url, {"action": "revoke", "key": key.pk}), user)
    assert list(ApiKey.objects.values_list("name", "active")) == [("Ứng dụng A", True)]


# --- officials on duty -----------------------------------------------------------------------------------

def test_coordinator_puts_an_official_on_duty_and_urgent_reports_alert_them(client, coordinator, staff_x, communes,
                                                                            traffic, make_report):
    officer = staff_x["receiver"]
    login(client, coordinator)
    page = client.get(reverse("web:feedback_duty")).content.decode()
    assert officer.full_name in page
    resp = client.post(reverse("web:feedback_duty"), {"action": "assign", "commune": communes[0].code, "user": officer.pk})
    assert resp.status_code == 302
    assert DutyOfficer.objects.filter(commune=communes[0], user=officer, active=True).exists()
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        make_report(traffic, urgency="urgent", commune=communes[0])
    assert [m.to for m in mail.outbox] == [[officer.email]]


def test_duty_removal(client, coordinator, staff_x, communes):
    duty = services.dutyofficer_assign(actor=coordinator, commune=communes[0], user=staff_x["receiver"])
    login(client, coordinator)
    assert client.post(reverse("web:feedback_duty"), {"action": "remove", "duty": duty.pk}).status_code == 302
    assert not DutyOfficer.objects.exists()


def test_duty_needs_a_commune_and_an_official(client, coordinator, citizen_b):
    login(client, coordinator)
    resp = client.post(reverse("web:feedback_duty"), {"action": "assign", "commune": "", "user": citizen_b.pk})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "Hãy chọn xã, phường thuộc địa bàn tỉnh." in html and "Hãy chọn một cán bộ đang làm việc." in html
    assert not DutyOfficer.objects.exists()


def test_duty_pages_refuse_everyone_but_the_coordinator(client, coordinator, staff_x, communes, outsiders):
    duty = services.dutyofficer_assign(actor=coordinator, commune=communes[0], user=staff_x["receiver"])
    url = reverse("web:feedback_duty")
    for user in outsiders:
        c = as_user(client, user)
        assert_refused(c.get(url), user)
        assert_refused(c.post(url, {"action": "assign", "commune": communes[1].code, "user": staff_x["leader"].pk}), user)
        assert_refused(c.post(url, {"action": "remove", "duty": duty.pk}), user)
    assert list(DutyOfficer.objects.values_list("commune_id", "user_id")) == [(communes[0].code, staff_x["receiver"].pk)]


# --- categories -----------------------------------------------------------------------------------------

def test_coordinator_creates_and_edits_a_category(client, coordinator):
    login(client, coordinator)
    resp = client.post(reverse("web:feedback_category_create"), {
        "action": "save", "code": "cay-xanh", "name": "Cây xanh đô thị", "description": "Cây đổ, cành gãy",
        "deadline_working_days": "3", "active": "on"})
    assert resp.status_code == 302
    cat = Category.objects.get(code="cay-xanh")
    assert (cat.name, cat.deadline_working_days, cat.active) == ("Cây xanh đô thị", 3, True)
    url = reverse("web:feedback_category_edit", args=["cay-xanh"])
    resp = client.post(url, {"action": "save", "code": "cay-xanh", "name": "Cây xanh", "deadline_working_days": "10"})
    assert resp.status_code == 302
    cat.refresh_from_db()
    assert (cat.name, cat.deadline_working_days, cat.active) == ("Cây xanh", 10, False)  # unticked: no longer offered
    assert "Cây xanh" in client.get(reverse("web:feedback_categories")).content.decode()


@pytest.mark.parametrize("days", ["0", "91", "mười", ""])
def test_bad_deadline_is_refused_and_nothing_changes(client, coordinator, traffic, days):
    login(client, coordinator)
    resp = client.post(reverse("web:feedback_category_edit", args=[traffic.code]), {
        "action": "save", "code": traffic.code, "name": "Tên mới", "deadline_working_days": days, "active": "on"})
    assert resp.status_code == 400
    assert "Thời hạn xử lý phải là số ngày làm việc từ 1 đến 90" in resp.content.decode()
    traffic.refresh_from_db()
    assert (traffic.name, traffic.deadline_working_days) == ("Giao thông (kiểm thử)", 15)


def test_code_of_a_category_with_reports_cannot_change(client, coordinator, traffic, make_report):
    make_report(traffic)
    login(client, coordinator)
    resp = client.post(reverse("web:feedback_category_edit", args=[traffic.code]), {
        "action": "save", "code": "giao-thong-moi", "name": traffic.name, "deadline_working_days": "15", "active": "on"})
    assert resp.status_code == 400 and "không đổi được mã" in resp.content.decode()
    assert Category.objects.filter(code="giao-thong-kt").exists()


def test_new_deadline_applies_to_reports_accepted_afterwards(coordinator, traffic, make_report, so_xay_dung):
    services.category_save(actor=coordinator, category=traffic, code=traffic.code, name=traffic.name,
                           deadline_working_days=3)
    short = services.report_accept(actor=coordinator, report=make_report(traffic))
    services.category_save(actor=coordinator, category=traffic, code=traffic.code, name=traffic.name,
                           deadline_working_days=15)
    long = services.report_accept(actor=coordinator, report=make_report(traffic))
    assert short.due_at < long.due_at


def test_coordinator_adds_a_question_that_citizens_must_answer(client, coordinator, traffic, citizen_a):
    login(client, coordinator)
    url = reverse("web:feedback_category_edit", args=[traffic.code])
    resp = client.post(url, {"action": "add_attribute", "attr-code": "muc-do", "attr-question": "Mức độ hư hỏng?",
                             "attr-datatype": "singlevaluelist", "attr-values_text": "nhe: Nhẹ\nnang: Nặng",
                             "attr-required": "on"})
    assert resp.status_code == 302
    attr = CategoryAttribute.objects.get(category=traffic)
    assert attr.required and attr.values == [{"key": "nhe", "name": "Nhẹ"}, {"key": "nang", "name": "Nặng"}]
    with pytest.raises(ValidationError) as err:
        services.report_create(actor=citizen_a, category=traffic, description="Ổ gà", **INSIDE)
    assert "Mức độ hư hỏng?" in str(err.value)
    report = services.report_create(actor=citizen_a, category=traffic, description="Ổ gà",
                                    attributes={"muc-do": "nang"}, **INSIDE)
    assert report.attributes == {"muc-do": "nang"}


def test_list_question_without_choices_is_refused(client, coordinator, traffic):
    login(client, coordinator)
    resp = client.post(reverse("web:feedback_category_edit", args=[traffic.code]), {
        "action": "add_attribute", "attr-code": "muc-do", "attr-question": "Mức độ?", "attr-datatype": "singlevaluelist",
        "attr-values_text": "Nặng"})
    assert resp.status_code == 400 and "ít nhất 2 lựa chọn" in resp.content.decode()
    assert not CategoryAttribute.objects.exists()


def test_category_pages_refuse_everyone_but_the_coordinator(client, traffic, outsiders):
    edit = reverse("web:feedback_category_edit", args=[traffic.code])
    for user in outsiders:
        c = as_user(client, user)
        assert_refused(c.get(reverse("web:feedback_categories")), user)
        assert_refused(c.get(edit), user)
        assert_refused(c.post(edit, {"action": "save", "code": traffic.code, "name": "Đổi tên",
                                     "deadline_working_days": "1"}), user)
        assert_refused(c.post(reverse("web:feedback_category_create"), {
            "action": "save", "code": "la", "name": "Lạ", "deadline_working_days": "5", "active": "on"}), user)
    traffic.refresh_from_db()
    assert (traffic.name, traffic.deadline_working_days) == ("Giao thông (kiểm thử)", 15)
    assert list(Category.objects.values_list("code", flat=True)) == [traffic.code]


# --- "this report is about my dossier" ------------------------------------------------------------------------

@pytest.fixture
def dossier_of(agency_x):
    from tinhso.catalog.models import Procedure
    from tinhso.catalog.services import demo_catalog_load
    from tinhso.dossiers.models import Dossier

    demo_catalog_load()
    proc = Procedure.objects.order_by("code").first()

    def make(user, code):
        return Dossier.objects.create(code=code, procedure=proc, procedure_code=proc.code, procedure_name=proc.name,
                                      agency=agency_x, channel=2, state=2, applicant=user,
                                      applicant_name=user.full_name, limit_kind="working_days")
    return make


def test_citizen_links_a_report_to_their_dossier_and_officials_see_the_link(
        client, traffic, citizen_a, citizen_b, coordinator, staff_sxd, dossier_of):
    mine = dossier_of(citizen_a, "H59.19-261122-0001")
    theirs = dossier_of(citizen_b, "H59.19-261122-0002")
    login(client, citizen_a)
    form = client.get(reverse("web:report_create")).content.decode()
    assert mine.code in form and theirs.code not in form  # only the citizen's own dossiers are offered
    data = {"category": traffic.code, "description": "Hồ sơ quá hạn mà chưa có kết quả.", "urgency": "normal",
            "dossier": mine.code, **INSIDE}
    assert client.post(reverse("web:report_create"), data).status_code == 302
    report = Report.objects.get()
    assert report.dossier == mine
    # someone else's dossier is refused and nothing is stored
    resp = client.post(reverse("web:report_create"), {**data, "dossier": theirs.code})
    assert resp.status_code == 400 and "hồ sơ do chính bạn nộp" in resp.content.decode()
    assert Report.objects.count() == 1

    coord = as_user(client, coordinator).get(reverse("web:feedback_coord_report", args=[report.public_id])).content.decode()
    assert mine.code in coord and reverse("web:official_dossier", args=[mine.pk]) in coord
    services.report_accept(actor=coordinator, report=report)
    agency = as_user(client, staff_sxd["specialist"]).get(
        reverse("web:feedback_agency_report", args=[report.public_id])).content.decode()
    assert mine.code in agency
    services.report_answer(actor=staff_sxd["specialist"], report=report, answer="Đã trả kết quả hồ sơ.")
    public = as_user(client, None).get(reverse("web:report_detail", args=[report.public_id])).content.decode()
    assert mine.code not in public  # the dossier code would lead to the applicant: not public


def test_citizen_without_dossiers_sees_no_picker(client, traffic, citizen_a):
    login(client, citizen_a)
    assert 'name="dossier"' not in client.get(reverse("web:report_create")).content.decode()

"""A category's extra questions (Open311 service definition attributes) on the citizen's report form:
shown with the right input for their datatype, answered from the portal (and its offline queue) under the
same rules as an Open311 POST, refused with the message next to the question and nothing stored, stored in
Report.attributes exactly as Open311 stores them, and shown to the coordinator and the handling agency."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from tinhso.feedback import services
from tinhso.feedback.models import CategoryAttribute, Category, Report, RoutingRule

from .conftest import INSIDE

pytestmark = pytest.mark.django_db
URL = "/phan-anh/gui/"


@pytest.fixture
def roads(so_xay_dung):
    """A category with one question of each datatype; "ghi-chu" is also a question of `lights`."""
    cat = Category.objects.create(code="duong-kt", name="Đường hư hỏng (kiểm thử)", deadline_working_days=10)
    RoutingRule.objects.create(category=cat, commune=None, agency=so_xay_dung)
    add = CategoryAttribute.objects.create
    add(category=cat, code="loai", datatype="singlevaluelist", required=True, description="Ổ gà ở làn nào?", order=1,
        values=[{"key": "trai", "name": "Làn trái"}, {"key": "phai", "name": "Làn phải"}])
    add(category=cat, code="nguy-hiem", datatype="multivaluelist", description="Nguy hiểm cho ai?", order=2,
        values=[{"key": "xe-may", "name": "Xe máy"}, {"key": "o-to", "name": "Ô tô"}, {"key": "di-bo", "name": "Người đi bộ"}])
    add(category=cat, code="do-sau", datatype="number", description="Sâu khoảng bao nhiêu cm?", order=3)
    add(category=cat, code="luc", datatype="datetime", description="Bạn thấy lúc nào?", order=4)
    add(category=cat, code="ghi-chu", datatype="text", description="Ghi chú thêm", order=5)
    return cat


@pytest.fixture
def lights(db):
    cat = Category.objects.create(code="den-kt", name="Đèn đường (kiểm thử)", deadline_working_days=5)
    CategoryAttribute.objects.create(category=cat, code="so-cot", datatype="string", required=True,
                                     description="Số hiệu cột đèn", order=1)
    CategoryAttribute.objects.create(category=cat, code="ghi-chu", datatype="string", description="Ghi chú về đèn", order=2)
    return cat


class Controls(HTMLParser):
    """The form controls of a page: {name: [attrs of each input/select/textarea]}, with a select's chosen
    options and a textarea's text."""

    def __init__(self, html):
        super().__init__()
        self.controls: dict[str, list[dict]] = {}
        self._select = self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "select", "textarea") and a.get("name"):
            a["tag"], a["selected"], a["text"] = tag, [], ""
            self.controls.setdefault(a["name"], []).append(a)
            if tag == "select":
                self._select = a
            elif tag == "textarea":
                self._textarea = a
        elif tag == "option" and self._select is not None and "selected" in a:
            self._select["selected"].append(a.get("value"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data


def login(client, user):
    if user.kind == "official":
        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP,
                                            defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}})
    client.force_login(user)
    return client


def road_answers(**kw):
    data = {"category": "duong-kt", "description": "Ổ gà sâu trước cổng chợ.", "urgency": "normal", **INSIDE,
            "q.duong-kt.loai": "phai", "q.duong-kt.nguy-hiem": ["xe-may", "di-bo"], "q.duong-kt.do-sau": "15",
            "q.duong-kt.luc": "2026-05-01T14:30", "q.duong-kt.ghi-chu": "Gần chợ"}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


EXPECTED = {"loai": "phai", "nguy-hiem": ["xe-may", "di-bo"], "do-sau": "15", "luc": "2026-05-01T14:30:00+07:00",
            "ghi-chu": "Gần chợ"}


def test_the_form_shows_each_category_questions_with_the_input_of_their_datatype(client, citizen_a, roads, lights, traffic):
    login(client, citizen_a)
    html = client.get(URL).content.decode()
    c = Controls(html).controls
    assert c["q.duong-kt.loai"][0]["tag"] == "select"
    assert [o for o in re.findall(r'<option value="([^"]*)"', html.split('name="q.duong-kt.loai"')[1].split("</select>")[0])] == ["", "trai", "phai"]
    assert [i["type"] for i in c["q.duong-kt.nguy-hiem"]] == ["checkbox"] * 3
    assert [i["value"] for i in c["q.duong-kt.nguy-hiem"]] == ["xe-may", "o-to", "di-bo"]
    assert c["q.duong-kt.do-sau"][0]["type"] == "number"
    assert c["q.duong-kt.luc"][0]["type"] == "datetime-local"
    assert c["q.duong-kt.ghi-chu"][0]["tag"] == "textarea"
    assert c["q.den-kt.so-cot"][0]["type"] == "text" and c["q.den-kt.ghi-chu"][0]["type"] == "text"
    # the question is the label, a required one is marked; each category's questions in their own fieldset
    assert re.search(r'<label for="id_q\.duong-kt\.loai">Ổ gà ở làn nào\? <span class="hint">\(bắt buộc\)</span></label>', html)
    assert re.search(r'<label for="id_q\.duong-kt\.do-sau">Sâu khoảng bao nhiêu cm\?</label>', html)
    assert html.count("<fieldset class=\"fb-fieldset fb-questions\"") == 2
    assert 'data-category="duong-kt"' in html and 'data-category="den-kt"' in html
    assert 'data-category="giao-thong-kt"' not in html  # no questions, no fieldset
    assert html.index('name="category"') < html.index('data-category="duong-kt"') < html.index('name="description"')
    # strict CSP: no inline script, no event-handler attribute
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and not re.search(r"\son[a-z]+\s*=", html)


def test_portal_answers_are_stored_exactly_as_an_open311_post_stores_them(client, citizen_a, roads, lights):
    login(client, citizen_a)
    # without JS every category's questions are posted: only the chosen one's count (the other's
    # required question left empty does not block, its "ghi-chu" does not leak into the answers)
    resp = client.post(URL, road_answers(**{"q.den-kt.so-cot": "", "q.den-kt.ghi-chu": "Đèn nhấp nháy"}))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    portal = Report.objects.get(via="web")
    assert portal.attributes == EXPECTED

    _key, raw = services.apikey_create(actor=None, name="Ứng dụng kiểm thử")
    resp = Client().post("/open311/v2/requests.json", {
        "api_key": raw, "service_code": "duong-kt", "description": "Ổ gà sâu trước cổng chợ.", **INSIDE,
        "attribute[loai]": "phai", "attribute[nguy-hiem][]": ["xe-may", "di-bo"], "attribute[do-sau]": "15",
        "attribute[luc]": "2026-05-01T14:30", "attribute[ghi-chu]": "Gần chợ"})
    assert resp.status_code == 201
    assert Report.objects.get(via="open311").attributes == portal.attributes


def test_a_missing_required_answer_is_refused_next_to_its_question_keeping_what_was_typed(client, citizen_a, roads, lights):
    login(client, citizen_a)
    resp = client.post(URL, road_answers(**{"q.duong-kt.loai": "", "q.den-kt.so-cot": "C-12"}))
    html = resp.content.decode()
    assert resp.status_code == 400 and Report.objects.count() == 0
    message = "Hãy trả lời câu hỏi “Ổ gà ở làn nào?”."
    # next to the question: in its field, between its label and its select
    assert re.search(r'<label for="id_q\.duong-kt\.loai">.*?</label>\s*<p class="field-error" id="id_q\.duong-kt\.loai_error">'
                     r"Lỗi: " + re.escape(message) + r'</p>\s*<select name="q\.duong-kt\.loai"', html, re.S)
    # and in the summary, linked to the question, once (not prefixed by the question a second time)
    assert f'<a href="#id_q.duong-kt.loai">{message}</a>' in html
    # nothing typed is lost: the report's fields, the other answers, even the other category's
    c = Controls(html).controls
    assert c["description"][0]["text"].strip() == "Ổ gà sâu trước cổng chợ."
    assert [i["value"] for i in c["q.duong-kt.nguy-hiem"] if "checked" in i] == ["xe-may", "di-bo"]
    assert c["q.duong-kt.do-sau"][0]["value"] == "15" and c["q.duong-kt.luc"][0]["value"] == "2026-05-01T14:30"
    assert c["q.duong-kt.ghi-chu"][0]["text"].strip() == "Gần chợ" and c["q.den-kt.so-cot"][0]["value"] == "C-12"
    assert c["category"][0]["selected"] == ["duong-kt"]
    # only the chosen category's questions are checked: no error on the other category's
    assert "id_q.den-kt" not in "".join(re.findall(r'<p class="field-error" id="([^"]+)"', html))


@pytest.mark.parametrize("extra,field,needle", [
    ({"q.duong-kt.loai": "giua"}, "loai", "không nằm trong các lựa chọn"),
    ({"q.duong-kt.nguy-hiem": ["xe-may", "may-bay"]}, "nguy-hiem", "không nằm trong các lựa chọn"),
    ({"q.duong-kt.do-sau": "sâu lắm"}, "do-sau", "phải là một số"),
    ({"q.duong-kt.do-sau": "NaN"}, "do-sau", "phải là một số"),
    ({"q.duong-kt.luc": "hôm qua"}, "luc", "phải là ngày và giờ"),
    ({"q.duong-kt.luc": "2026-13-01T10:00"}, "luc", "phải là ngày và giờ"),
])
def test_an_invalid_answer_is_refused_with_its_message_and_nothing_is_stored(client, citizen_a, roads, extra, field, needle):
    login(client, citizen_a)
    resp = client.post(URL, road_answers(**extra))
    html = resp.content.decode()
    assert resp.status_code == 400 and Report.objects.count() == 0
    errors = dict(re.findall(r'<p class="field-error" id="id_q\.duong-kt\.([^"]+)_error">([^<]*)</p>', html))
    assert needle in errors[field] and "error-summary" in html


def test_a_category_without_questions_is_reported_as_before(client, citizen_a, traffic, roads, lights):
    login(client, citizen_a)
    resp = client.post(URL, {"category": traffic.code, "description": "Đèn tín hiệu hỏng.", "urgency": "normal", **INSIDE})
    assert resp.status_code == 302
    assert Report.objects.get().attributes == {}


def test_the_offline_queue_sends_the_answers_and_gets_the_input_named_in_errors(client, citizen_a, roads, lights):
    login(client, citizen_a)
    bad = client.post(URL, road_answers(**{"q.duong-kt.loai": None}), HTTP_X_TINHSO_OFFLINE="1")
    assert bad.status_code == 400 and Report.objects.count() == 0
    assert bad.json()["errors"] == [{"field": "q.duong-kt.loai", "message": "Hãy trả lời câu hỏi “Ổ gà ở làn nào?”."}]
    good = client.post(URL, road_answers(), HTTP_X_TINHSO_OFFLINE="1")
    assert good.status_code == 201
    assert Report.objects.get(public_id=good.json()["public_id"]).attributes == EXPECTED


def test_open311_checks_a_datetime_answer_and_stores_it_with_its_offset(roads):
    _key, raw = services.apikey_create(actor=None, name="Ứng dụng kiểm thử")
    base = {"api_key": raw, "service_code": "duong-kt", "description": "Ổ gà.", **INSIDE, "attribute[loai]": "trai"}
    bad = Client().post("/open311/v2/requests.json", {**base, "attribute[luc]": "hôm qua"})
    assert bad.status_code == 400 and "attribute[luc]" in bad.content.decode() and not Report.objects.exists()
    good = Client().post("/open311/v2/requests.json", {**base, "attribute[luc]": "2026-05-01T07:30:00Z"})
    assert good.status_code == 201 and Report.objects.get().attributes["luc"] == "2026-05-01T07:30:00+00:00"


def test_the_answers_are_shown_to_the_coordinator_and_the_handling_agency(client, citizen_a, roads, coordinator, staff_sxd, communes):
    report = services.report_create(actor=citizen_a, category=roads, description="Ổ gà.", commune=communes[0],
                                    attributes={"loai": "phai", "nguy-hiem": ["xe-may", "di-bo"], "do-sau": "15",
                                                "luc": "2026-05-01T14:30"})
    login(client, coordinator)
    html = client.get(reverse("web:feedback_coord_report", args=[report.public_id])).content.decode()
    for text in ("Ổ gà ở làn nào?", "Làn phải", "Xe máy, Người đi bộ", "Sâu khoảng bao nhiêu cm?", "14:30 01/05/2026"):
        assert text in html
    services.report_accept(actor=coordinator, report=report)
    client.logout()
    login(client, staff_sxd["specialist"])
    html = client.get(reverse("web:feedback_agency_report", args=[report.public_id])).content.decode()
    for text in ("Ổ gà ở làn nào?", "Làn phải", "Xe máy, Người đi bộ", "14:30 01/05/2026"):
        assert text in html

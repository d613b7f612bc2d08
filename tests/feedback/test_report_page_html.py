"""A public report's page (issue 5): its content is built in Python (web/feedback/report_html.py) from one
SQL statement (feedback.selectors.report_public) for speed, and must stay exactly what the template
`feedback/_report_detail_body.html` gives for the same report, in every language, every branch of it
(no commune, no address, no coordinates, no agency, no due time, no photo, no answer, a rating), with
anything a citizen typed escaped; the reporter and hidden photos never appear."""
from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation

from tinhso.feedback import selectors, services
from tinhso.web import frame
from tinhso.web.feedback import public
from tinhso.web.feedback.report_html import report_body

from .conftest import INSIDE, photo

pytestmark = pytest.mark.django_db
REPORTER_BITS = ("Nguyễn Văn An", "019090001111")
NASTY = 'Ổ gà <script>alert("x")</script> & \'đá\'\nDòng hai\r\nDòng ba'


@pytest.fixture
def answered(make_report, traffic, coordinator, staff_sxd, citizen_a):
    report = services.report_accept(actor=coordinator, report=make_report(
        traffic, description=NASTY, address='Số 5 "Hoàng Văn Thụ" <b>', photos=[photo(), photo(), photo()], **INSIDE))
    first = report.photos.order_by("id").first()
    services.photo_hide(actor=coordinator, photo=first)
    report = services.report_answer(actor=staff_sxd["specialist"], report=report,
                                    answer="Đã vá xong ổ gà.\nCảm ơn <anh/chị> & gia đình.")
    report = services.report_rate(actor=citizen_a, report=report, rating="acceptable")
    return report, first


def _variants(data: dict):
    """The report as read, then with each optional part taken away (every branch of the template)."""
    yield data
    bare = copy.deepcopy(data)
    bare.update(commune__name=None, address="", lat=None, long=None, agency__name=None, due_at=None, answer="",
                rating_label="", photos=[])
    yield bare
    unrated = copy.deepcopy(data)
    unrated.update(rating_label="", lat=Decimal("-0.000001"), long=Decimal("105.000000"))
    unrated["events"].append({"at": dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.timezone.utc), "at_text": "10:04 02/01/2025",
                              "action": "note", "to_state": "gone", "note": "<i>ghi chú</i>", "state_label": ""})
    yield unrated


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_page_content_is_exactly_the_templates(answered, lang):
    report, _hidden = answered
    template = get_template("feedback/_report_detail_body.html")
    with translation.override(lang):
        data = public.report_page_data(report.public_id)
        for variant in _variants(data):
            assert report_body(variant) == template.render({"r": variant})
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;đá&#x27;<br>Dòng hai<br>Dòng ba" in report_body(data)


def test_the_page_shows_the_visible_photos_the_answer_and_history_never_the_reporter(client, answered):
    report, hidden = answered
    html = client.get(reverse("web:report_detail", args=[report.public_id])).content.decode()
    visible = list(report.photos.filter(hidden=False).order_by("id"))
    assert len(visible) == 2
    for n, p in enumerate(visible, 1):
        assert f'src="{reverse("web:report_photo", args=[report.public_id, p.pk])}"' in html
        assert f'alt="Ảnh hiện trường số {n}"' in html
    assert reverse("web:report_photo", args=[report.public_id, hidden.pk]) not in html
    assert "Ảnh hiện trường số 3" not in html
    assert "Cảm ơn &lt;anh/chị&gt; &amp; gia đình." in html and "Chấp nhận được" in html
    assert "21,592477, 105,848174" in html  # the Vietnamese decimal comma, as the template wrote it
    for bit in REPORTER_BITS:
        assert bit not in html


def test_the_report_is_read_in_one_statement(answered, django_assert_num_queries):
    report, _hidden = answered
    with django_assert_num_queries(1):
        data = selectors.report_public(public_id=report.public_id)
    assert [p["id"] for p in data["photos"]] == list(report.photos.filter(hidden=False).order_by("id")
                                                     .values_list("id", flat=True))
    assert [e["action"] for e in data["events"]] == list(report.events.filter(public=True).order_by("id")
                                                         .values_list("action", flat=True))
    assert not set(data) & set(selectors.REPORTER_FIELDS)


def test_a_report_that_is_not_public_has_no_page(make_report, traffic, client):
    new = make_report(traffic)
    assert selectors.report_public(public_id=new.public_id) is None
    assert client.get(reverse("web:report_detail", args=[new.public_id])).status_code == 404


def test_the_framed_page_is_the_full_rendering(answered, rf):
    """Anonymous visitors get the shared frame with the content pasted in (web/frame.py): the same HTML as the
    full rendering of framed.html."""
    report, _hidden = answered
    url = reverse("web:report_detail", args=[report.public_id])

    def anonymous_request():
        request = rf.get(url)
        request.user, request.session, request.COOKIES = AnonymousUser(), {}, {"sessionid": "x"}  # no page cache
        request._messages = FallbackStorage(request)
        return request

    for lang, word in (("vi", "Phản ánh"), ("en", "Reports")):
        with translation.override(lang):
            frame.frame_cache_clear()
            first = public.report_detail(anonymous_request(), public_id=report.public_id).content.decode()
            second = public.report_detail(anonymous_request(), public_id=report.public_id).content.decode()
            body = get_template("feedback/_report_detail_body.html").render(
                {"r": public.report_page_data(report.public_id)})
            full = render_to_string("framed.html", {"frame_title": f"{word} {report.public_id}",
                                                    "frame_head": public._feedback_head(), "frame_body": body},
                                    request=anonymous_request())
            assert first == second == full
            assert f"<title>{word} {report.public_id} ·" in first

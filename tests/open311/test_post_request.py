"""POST requests: a client with an API key creates a report; every bad input is refused in the
specification's error format and stores nothing."""
from __future__ import annotations

import pytest
from django.test import Client

from tinhso.feedback.models import ApiKey, Report

from .conftest import INSIDE, REPORTER, as_json, as_xml

pytestmark = pytest.mark.django_db


def form(key, **extra):
    data = {"api_key": key, "service_code": "o-ga-ca", "description": "Ổ gà sâu giữa đường",
            "attribute[lan-duong]": "phai", **INSIDE, **REPORTER}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_post_in_json_creates_the_report_and_answers_its_id(category, api_key):
    client = Client(enforce_csrf_checks=True)  # API-key authentication: no CSRF token needed
    data = form(api_key, **{"attribute[nguy-hiem][]": ["xe-may", "di-bo"], "attribute[do-sau]": "15",
                            "address_string": "Trước số 12 Hoàng Văn Thụ"})
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 201
    answer = as_json(response)
    report = Report.objects.get()
    assert answer == [{"service_request_id": report.public_id,
                       "service_notice": "Phản ánh được trả lời trong 10 ngày làm việc kể từ khi được tiếp nhận.",
                       "account_id": "tai-khoan-bi-mat-7"}]
    assert report.category == category and report.via == "open311" and report.state == "new"
    assert str(report.lat) == "21.592477" and str(report.long) == "105.848174"
    assert report.address == "Trước số 12 Hoàng Văn Thụ"
    assert report.attributes == {"lan-duong": "phai", "nguy-hiem": ["xe-may", "di-bo"], "do-sau": "15"}
    assert report.reporter_name == "Nguyễn Văn Bímật" and report.reporter_email == REPORTER["email"]
    assert report.reporter_phone == REPORTER["phone"] and report.device_id == REPORTER["device_id"]
    assert report.api_key == ApiKey.objects.get()


def test_post_in_xml_answers_a_service_requests_document(client, category, api_key, commune):
    response = client.post("/open311/v2/requests.xml", form(api_key, lat="", long="", account_id="",
                                                            address_id=commune.code))
    assert response.status_code == 201
    root = as_xml(response)
    assert root.tag == "service_requests"
    report = Report.objects.get()
    assert root.findtext("request/service_request_id") == report.public_id
    assert root.findtext("request/service_notice").startswith("Phản ánh được trả lời trong 10 ngày")
    assert root.find("request/account_id") is not None and root.findtext("request/account_id") == ""
    assert report.commune == commune and report.lat is None


def test_media_url_is_checked_and_never_fetched(client, category, api_key):
    response = client.post("/open311/v2/requests.json", form(api_key, media_url="file:///etc/passwd"))
    assert response.status_code == 400
    assert "media_url" in as_json(response)[0]["description"]
    assert not Report.objects.exists()
    # an http(s) address is accepted as text: the server stays offline (no network in tests)
    response = client.post("/open311/v2/requests.json", form(api_key, media_url="https://anh.example.vn/o-ga.jpg"))
    assert response.status_code == 201
    assert Report.objects.get().media_url == "https://anh.example.vn/o-ga.jpg"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "sai-khoa"])
def test_a_missing_or_wrong_api_key_is_403_and_nothing_is_stored(client, category, api_key, fmt, key):
    response = client.post(f"/open311/v2/requests.{fmt}", form(api_key, api_key=key))
    assert response.status_code == 403
    if fmt == "json":
        assert as_json(response)[0]["code"] == 403
    else:
        assert as_xml(response).findtext("error/code") == "403"
    assert not Report.objects.exists()


def test_a_revoked_api_key_is_403(client, category, api_key):
    ApiKey.objects.update(active=False)
    assert client.post("/open311/v2/requests.json", form(api_key)).status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_code_is_404_and_a_missing_one_400(client, category, api_key, fmt):
    response = client.post(f"/open311/v2/requests.{fmt}", form(api_key, service_code="khong-co"))
    assert response.status_code == 404
    assert "khong-co" in response.content.decode()
    response = client.post(f"/open311/v2/requests.{fmt}", form(api_key, service_code=None))
    assert response.status_code == 400
    assert "service_code" in response.content.decode()
    assert not Report.objects.exists()


BAD_INPUTS = [
    ({"lat": None, "long": None}, "address_string"),  # no location at all
    ({"long": None}, "long"),  # lat without long
    ({"lat": "21.028511", "long": "105.804817"}, "lat"),  # Hà Nội: outside the province
    ({"lat": "bắc"}, "lat"),
    ({"lat": "95"}, "lat"),
    ({"description": "a" * 4001}, "description"),
    ({"description": ""}, "description"),
    ({"attribute[lan-duong]": None}, "attribute[lan-duong]"),  # a required attribute missing
    ({"attribute[lan-duong]": "giua"}, "attribute[lan-duong]"),  # not one of the values
    ({"attribute[do-sau]": "sâu lắm"}, "attribute[do-sau]"),
    ({"email": "khong-phai-email"}, "email"),
    ({"address_id": "99999", "lat": None, "long": None}, "address_id"),
]


@pytest.mark.parametrize("change,names", BAD_INPUTS)
def test_bad_input_is_400_naming_the_parameter_and_nothing_is_stored(client, category, api_key, change, names):
    response = client.post("/open311/v2/requests.json", form(api_key, **change))
    assert response.status_code == 400
    errors = as_json(response)
    assert all(e["code"] == 400 for e in errors)
    assert any(names in e["description"] for e in errors), errors
    assert not Report.objects.exists()


def test_bad_input_in_xml_lists_every_error(client, category, api_key):
    response = client.post("/open311/v2/requests.xml", form(api_key, description="", **{"attribute[lan-duong]": None}))
    assert response.status_code == 400
    root = as_xml(response)
    assert root.tag == "errors"
    descriptions = [e.findtext("description") for e in root.findall("error")]
    assert {e.findtext("code") for e in root.findall("error")} == {"400"}
    assert any(d.startswith("description:") for d in descriptions)
    assert any(d.startswith("attribute[lan-duong]:") for d in descriptions)
    assert not Report.objects.exists()

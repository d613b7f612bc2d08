"""Rate limits (ASVS V2.2.1, V11.1.4): sign-in, verification codes, dossier submission and Open311 POST are
counted per IP and per account in the shared cache; over a rate the answer is 429 in Vietnamese — a page,
the API's JSON error or an Open311 error document — with Retry-After, and nothing is stored.

Rates in these tests are per day, so that no counting window can end in the middle of a test."""
from __future__ import annotations

import json
import threading
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from tinhso.dossiers.models import Dossier
from tinhso.feedback.models import Report
from tinhso.people.models import PhoneCode

from .conftest import INSIDE, PASSWORD, make_citizen, pdf, settings_in_subprocess, signed_in

MESSAGE = "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn"


@pytest.fixture
def rates(settings):
    """Set the (per IP, per account) rates of some groups for this test."""
    def set_rates(**groups):
        settings.RATE_LIMITS = {name: value for name, value in groups.items()}
        settings.RATELIMIT_ENABLE = True
    return set_rates


def assert_page_429(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response["Content-Type"].startswith("text/html") and MESSAGE in response.content.decode()


def assert_json_429(response):
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    body = response.json()
    assert MESSAGE in body["detail"] and body["errors"] == []


def login(client, name, ip):
    return client.post(reverse("account_login"), {"login": name, "password": "sai-mat-khau"}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_sign_in_is_limited_per_ip_address(rates):
    rates(signin=("3/d", "100/d"))
    client = Client()
    for n in range(3):
        assert login(client, f"01909000{n:04d}", "203.0.113.5").status_code == 200  # form with its error
    assert_page_429(login(client, "019090009999", "203.0.113.5"))
    assert login(client, "019090009999", "198.51.100.7").status_code == 200  # another address is not blocked


@pytest.mark.django_db
def test_sign_in_is_limited_per_account_whatever_the_address(rates):
    rates(signin=("100/d", "2/d"))
    client = Client()
    assert login(client, "019090001234", "203.0.113.1").status_code == 200
    assert login(client, " 019090001234 ", "203.0.113.2").status_code == 200  # same account, spaces aside
    assert_page_429(login(client, "019090001234", "203.0.113.3"))
    assert login(client, "019090004321", "203.0.113.3").status_code == 200


@pytest.mark.django_db
def test_totp_codes_of_a_pending_sign_in_are_limited(rates, staff):
    rates(code_check=("100/d", "2/d"))
    client = Client()
    official = staff["receiver"]
    first = client.post(reverse("web:official_login"), {"login": official.username, "password": PASSWORD})
    assert first.status_code == 302 and first["Location"] == reverse("mfa_authenticate")
    for _ in range(2):
        assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200  # wrong code
    assert_page_429(client.post(reverse("mfa_authenticate"), {"code": "000000"}))


@pytest.mark.django_db
def test_phone_codes_sent_and_checked_are_limited_on_the_page_and_the_api(rates, citizen):
    rates(code_send=("100/d", "2/d"), code_check=("100/d", "1/d"))
    client = signed_in(citizen)
    assert client.post(reverse("web:profile"), {"action": "phone_send"}).status_code == 302
    sent = client.post("/api/v1/people/me/phone/send-code", data="{}", content_type="application/json")
    assert sent.status_code == 200
    assert_page_429(client.post(reverse("web:profile"), {"action": "phone_send"}))
    assert_json_429(client.post("/api/v1/people/me/phone/send-code", data="{}", content_type="application/json"))
    assert PhoneCode.objects.filter(user=citizen).count() == 2  # no third SMS

    wrong = client.post("/api/v1/people/me/phone/confirm", data=json.dumps({"code": "000000"}),
                        content_type="application/json")
    assert wrong.status_code == 400
    assert_json_429(client.post("/api/v1/people/me/phone/confirm", data=json.dumps({"code": "000000"}),
                                content_type="application/json"))
    assert_page_429(client.post(reverse("web:profile"), {"action": "phone_confirm", "code": "000000"}))
    assert client.post(reverse("web:profile"), {"action": "address_lookup"}).status_code != 429  # not counted


@pytest.mark.django_db
def test_submission_is_limited_per_account_on_the_portal_and_the_api_together(rates, citizen, procedure, agency):
    rates(submit=("100/d", "2/d"))
    client = signed_in(citizen)

    def api_submit():
        return client.post("/api/v1/dossiers", {"procedure": procedure.code, "agency": str(agency.pk),
                                                "form": json.dumps({"ho_ten_tre": "Phạm Minh An"}),
                                                "component_to_khai": pdf()})

    assert api_submit().status_code == 201
    assert api_submit().status_code == 201
    assert_json_429(api_submit())
    portal = client.post(reverse("web:dossier_submit", kwargs={"code": procedure.code}),
                         {"form-ho_ten_tre": "Phạm Minh An", "tep_to_khai": pdf()})
    assert_page_429(portal)
    assert Dossier.objects.filter(applicant=citizen).count() == 2
    other = signed_in(make_citizen("019190002222", "Vũ Thị Hoa"))
    assert other.post("/api/v1/dossiers", {"procedure": procedure.code}).status_code != 429  # another account


@pytest.mark.django_db
def test_papers_uploaded_ahead_are_limited_per_account(rates, citizen):
    from tinhso.dossiers.models import PaperUpload

    rates(upload=("100/d", "2/d"))
    client = signed_in(citizen)
    assert client.post("/api/v1/uploads", {"file": pdf()}).status_code == 201
    assert client.post("/api/v1/uploads", {"file": pdf()}).status_code == 201
    assert_json_429(client.post("/api/v1/uploads", {"file": pdf()}))
    assert PaperUpload.objects.filter(owner=citizen).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_post_is_limited_in_open311_format(rates, category, api_key, fmt):
    rates(open311=("2/d", "100/d"))
    client = Client()
    data = {"api_key": api_key, "service_code": category.code, "description": "Ổ gà sâu", **INSIDE}
    for _ in range(2):
        assert client.post(f"/open311/v2/requests.{fmt}", data).status_code == 201
    limited = client.post(f"/open311/v2/requests.{fmt}", data)
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    if fmt == "json":
        assert limited["Content-Type"] == "application/json; charset=utf-8"
        [error] = limited.json()
        assert error["code"] == 429 and MESSAGE in error["description"]
    else:
        assert limited["Content-Type"] == "text/xml; charset=utf-8"
        root = ET.fromstring(limited.content)
        assert root.tag == "errors" and root.find("error/code").text == "429"
        assert MESSAGE in root.find("error/description").text
    assert Report.objects.count() == 2
    assert client.get("/open311/v2/services.json").status_code == 200  # reads are not counted


@pytest.mark.django_db
def test_open311_post_is_limited_per_api_key(rates, category, api_key):
    rates(open311=("100/d", "1/d"))
    data = {"api_key": api_key, "service_code": category.code, "description": "Ổ gà sâu", **INSIDE}
    assert Client().post("/open311/v2/requests.json", data, REMOTE_ADDR="203.0.113.8").status_code == 201
    assert Client().post("/open311/v2/requests.json", data, REMOTE_ADDR="203.0.113.9").status_code == 429


@pytest.mark.django_db
def test_the_address_is_taken_from_the_proxy_header_only_when_configured(rates, settings):
    rates(signin=("1/d", "100/d"))
    client = Client()
    assert login(client, "019090000001", "10.0.0.1").status_code == 200
    spoofed = client.post(reverse("account_login"), {"login": "019090000002", "password": "x"}, REMOTE_ADDR="10.0.0.1",
                          HTTP_X_FORWARDED_FOR="198.51.100.1", HTTP_X_REAL_IP="198.51.100.1")
    assert spoofed.status_code == 429  # a header a client can set does not give it a fresh counter

    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"  # behind a reverse proxy that sets X-Real-IP
    for ip in ("198.51.100.1", "198.51.100.2"):
        answer = client.post(reverse("account_login"), {"login": "019090000003", "password": "x"},
                             REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP=ip)
        assert answer.status_code == 200


@pytest.mark.django_db
def test_limits_can_be_switched_off_for_benchmarks(rates, settings, citizen):
    rates(signin=("1/d", "1/d"))
    settings.RATELIMIT_ENABLE = False
    client = Client()
    for _ in range(3):
        assert login(client, "019090001234", "203.0.113.5").status_code == 200


def test_rates_cache_and_switch_come_from_the_environment(tmp_path):
    names = ["RATELIMIT_ENABLE", "RATE_LIMITS", "CACHES", "CLIENT_IP_HEADER"]
    default = settings_in_subprocess(tmp_path, {}, names)
    assert default["RATELIMIT_ENABLE"] is True and default["RATE_LIMITS"] == {}
    assert default["CACHES"]["default"]["BACKEND"] == "tinhso.security.cache.DatabaseCache"  # shared, not LocMem
    assert default["CLIENT_IP_HEADER"] == ""
    tuned = settings_in_subprocess(tmp_path, {"TINHSO_RATELIMIT": "0", "TINHSO_RATELIMIT_SIGNIN": "50/5m, 10/5m",
                                              "TINHSO_REDIS_URL": "redis://127.0.0.1:6379/0",
                                              "TINHSO_CLIENT_IP_HEADER": "X-Real-IP"}, names)
    assert tuned["RATELIMIT_ENABLE"] is False and tuned["RATE_LIMITS"] == {"signin": ["50/5m", "10/5m"]}
    assert tuned["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert tuned["CLIENT_IP_HEADER"] == "HTTP_X_REAL_IP"


@pytest.mark.django_db(transaction=True)
def test_counters_of_the_database_cache_lose_no_increment_under_concurrency():
    cache.add("tinhso-test-counter", 0, 600)
    errors = []

    def bump():
        try:
            for _ in range(15):
                cache.incr("tinhso-test-counter")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert cache.get("tinhso-test-counter") == 60
    with pytest.raises(ValueError):
        cache.incr("tinhso-no-such-counter")

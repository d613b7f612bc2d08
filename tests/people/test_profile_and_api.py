import json
from unittest import mock

import pytest
from django.urls import reverse

from tinhso.events.models import DomainEvent
from tinhso.places.selectors import AddressMatch


@pytest.mark.django_db
def test_profile_requires_sign_in(client):
    response = client.get(reverse("web:profile"))
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]


@pytest.mark.django_db
def test_profile_shows_the_citizens_data(client, citizen):
    client.force_login(citizen)
    html = client.get(reverse("web:profile")).content.decode()
    assert "Nguyễn Văn An" in html and "05/09/1990" in html and citizen.cccd in html and html.count("<h1") == 1


@pytest.mark.django_db
def test_old_address_becomes_a_2025_commune_after_confirmation(client, citizen, communes):
    client.force_login(citizen)
    match = AddressMatch(commune_code=communes[0].code, commune_name=communes[0].name, province_code="19",
                         province_name="Thái Nguyên", street="Tổ 5", old_text="Tổ 5, phường Hoàng Văn Thụ")
    with mock.patch("tinhso.places.selectors.old_address_to_commune", return_value=[match]) as convert:
        response = client.post(reverse("web:profile"), {"action": "address_lookup",
                                                        "old_address": "Tổ 5, phường Hoàng Văn Thụ, TP Thái Nguyên"})
    convert.assert_called_once_with(text="Tổ 5, phường Hoàng Văn Thụ, TP Thái Nguyên")
    assert communes[0].name in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.commune is None  # shown, not saved until the citizen confirms
    client.post(reverse("web:profile"), {"action": "address_confirm", "commune": communes[0].code,
                                         "address_line": "Tổ 5", "old_address": "Tổ 5, ..."})
    citizen.refresh_from_db()
    assert citizen.commune == communes[0] and citizen.address_line == "Tổ 5"
    assert DomainEvent.objects.filter(name="people.citizen_address_set", subject_id=str(citizen.pk)).exists()


@pytest.mark.django_db
def test_picking_an_unknown_commune_changes_nothing(client, citizen, communes):
    client.force_login(citizen)
    before = DomainEvent.objects.count()
    response = client.post(reverse("web:profile"), {"action": "address_confirm", "commune": "99999", "address_line": "x"})
    assert response.status_code == 400 and "Xã, phường: hãy chọn" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.commune is None and DomainEvent.objects.count() == before


@pytest.mark.django_db
def test_profile_lists_the_installations_communes(client, citizen, communes):
    client.force_login(citizen)
    html = client.get(reverse("web:profile")).content.decode()
    assert f'value="{communes[1].code}"' in html


@pytest.mark.django_db
def test_api_me(client, citizen):
    assert client.get("/api/v1/people/me").status_code == 401
    client.force_login(citizen)
    data = client.get("/api/v1/people/me").json()
    assert data["cccd"] == citizen.cccd and data["kind"] == "citizen" and data["roles"] == []


@pytest.mark.django_db
def test_api_phone_flow(client, citizen, settings):
    settings.SMS_BACKEND = "tests.people.test_phone_code.Outbox"
    from tests.people.test_phone_code import Outbox
    Outbox.messages = []
    client.force_login(citizen)
    assert client.post("/api/v1/people/me/phone/send-code", "{}", content_type="application/json").status_code == 200
    bad = client.post("/api/v1/people/me/phone/confirm", json.dumps({"code": "12"}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "code"
    import re
    code = re.search(r"\b(\d{6})\b", Outbox.messages[-1][1]).group(1)
    ok = client.post("/api/v1/people/me/phone/confirm", json.dumps({"code": code}), content_type="application/json")
    assert ok.status_code == 200
    citizen.refresh_from_db()
    assert citizen.phone_verified


@pytest.mark.django_db
def test_api_phone_requires_sign_in(client):
    assert client.post("/api/v1/people/me/phone/send-code", "{}", content_type="application/json").status_code == 401


@pytest.mark.django_db
def test_api_cccd_validate(client):
    ok = client.post("/api/v1/people/cccd/validate", json.dumps(
        {"cccd": "019090123456", "date_of_birth": "05/09/1990", "gender": "nam"}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["province_name"] == "Thái Nguyên"
    bad = client.post("/api/v1/people/cccd/validate", json.dumps(
        {"cccd": "019190123456", "date_of_birth": "05/09/1990", "gender": "nam"}), content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "cccd" and "chữ số thứ 4" in bad.json()["errors"][0]["message"]
    bad_date = client.post("/api/v1/people/cccd/validate", json.dumps(
        {"cccd": "019090123456", "date_of_birth": "1990/31/12", "gender": "nam"}), content_type="application/json")
    assert bad_date.status_code == 400 and bad_date.json()["errors"][0]["field"] == "date_of_birth"

"""Idempotency keys on the requests that create dossiers: a clerk's retry after a dropped connection, or a
double click at the desk, makes one dossier (API header `Idempotency-Key`, the desk form's hidden token)."""
import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.test.client import encode_multipart
from django.urls import reverse
from django.utils import timezone

from tinhso.dossiers import services
from tinhso.dossiers.models import DailySequence, Dossier, DossierEvent, IdempotencyKey
from tinhso.dossiers.states import State

from .conftest import make_official, pdf
from .test_api import API, login

REPLAYED = "Idempotent-Replayed"


def desk_body(proc, form, **extra):
    """A fresh body each time (an uploaded file is read once)."""
    body = {"procedure": proc.code, "channel": "1", "applicant_name": "Lê Văn Cường", "applicant_phone": "0912000111",
            "form": json.dumps(form), "component_to_khai": pdf("to-khai.pdf"),
            "counted": json.dumps({"giay_chung_sinh": {"originals": 1}})}
    body.update(extra)
    return body


def desk_post(client, body, key):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(API + "/desk/dossiers", data=body, headers=headers)


def written():
    """What a request could have written."""
    return (Dossier.objects.count(), DossierEvent.objects.count(),
            list(DailySequence.objects.values_list("last", flat=True)), IdempotencyKey.objects.count())


# --- the API ----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_retried_desk_registration_returns_the_first_dossier_and_creates_nothing(staff_x, birth_procedure,
                                                                                  good_form):
    clerk = login(staff_x["receiver"])
    first = desk_post(clerk, desk_body(birth_procedure, good_form), '"8e03978e-40d5-43e8-bc93-6894a57f9324"')
    assert first.status_code == 201, first.content
    assert REPLAYED not in first
    code = first.json()["code"]
    assert code.endswith("-0001") and first.json()["state"] == State.RECEIVED
    before = written()

    # The network dropped: the clerk's app sends the same request again with the same key, this time
    # encoded with another multipart boundary (the content is the same).
    boundary = "AnotherBoundary7MA4YWxkTrZu0gW"
    again = clerk.post(API + "/desk/dossiers", data=encode_multipart(boundary, desk_body(birth_procedure, good_form)),
                       content_type=f"multipart/form-data; boundary={boundary}",
                       headers={"Idempotency-Key": '"8e03978e-40d5-43e8-bc93-6894a57f9324"'})
    assert again.status_code == 201
    assert again[REPLAYED] == "true"
    assert again.content == first.content and again.json()["code"] == code
    assert written() == before  # no second dossier, no event, the day's numbering did not move

    # A new dossier (another key) gets the next number: the retry did not take one.
    other = desk_post(clerk, desk_body(birth_procedure, good_form), "another-key")
    assert other.status_code == 201 and other.json()["code"].endswith("-0002")


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_is_422_and_changes_nothing(staff_x, birth_procedure, good_form):
    clerk = login(staff_x["receiver"])
    first = desk_post(clerk, desk_body(birth_procedure, good_form), "k-1")
    assert first.status_code == 201
    before = written()
    d = Dossier.objects.get()
    response = desk_post(clerk, desk_body(birth_procedure, good_form, applicant_name="Phạm Thị Dung"), "k-1")
    assert response.status_code == 422
    body = response.json()
    assert "Idempotency-Key" in body["detail"] and "yêu cầu khác" in body["detail"]
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert REPLAYED not in response
    assert written() == before
    d.refresh_from_db()
    assert d.applicant_name == "Lê Văn Cường"


@pytest.mark.django_db
def test_keys_are_per_user_another_clerk_with_the_same_key_gets_their_own_dossier(staff_x, agency_x,
                                                                                  birth_procedure, good_form):
    first = desk_post(login(staff_x["receiver"]), desk_body(birth_procedure, good_form), "quay-1")
    colleague = make_official(agency_x, "receiver")
    second = desk_post(login(colleague), desk_body(birth_procedure, good_form), "quay-1")
    assert first.status_code == second.status_code == 201
    assert REPLAYED not in second
    assert second.json()["id"] != first.json()["id"] and second.json()["code"].endswith("-0002")
    assert Dossier.objects.count() == 2


@pytest.mark.django_db
def test_without_a_key_two_sends_are_two_dossiers(staff_x, birth_procedure, good_form):
    clerk = login(staff_x["receiver"])
    assert desk_post(clerk, desk_body(birth_procedure, good_form), None).status_code == 201
    assert desk_post(clerk, desk_body(birth_procedure, good_form), None).status_code == 201
    assert Dossier.objects.count() == 2 and IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", '""', "x" * 256, "khóa-có-dấu", '"a"b"'])
def test_an_invalid_key_is_400_naming_the_header_and_creates_nothing(staff_x, birth_procedure, good_form, key):
    response = desk_post(login(staff_x["receiver"]), desk_body(birth_procedure, good_form), key)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Dossier.objects.count() == 0 and IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
def test_a_failed_first_request_keeps_no_key_so_the_corrected_retry_is_accepted(staff_x, birth_procedure, good_form):
    clerk = login(staff_x["receiver"])
    bad = desk_post(clerk, desk_body(birth_procedure, good_form, applicant_name=""), "k-2")
    assert bad.status_code == 400 and written()[3] == 0
    good = desk_post(clerk, desk_body(birth_procedure, good_form), "k-2")
    assert good.status_code == 201 and REPLAYED not in good


@pytest.mark.django_db
def test_online_submission_with_a_key_is_one_dossier(citizen_a, citizen_b, birth_procedure, agency_x, good_form):
    def body():
        return {"procedure": birth_procedure.code, "agency": str(agency_x.pk), "form": json.dumps(good_form),
                "component_to_khai": pdf("to-khai.pdf"), "component_giay_chung_sinh": pdf("chung-sinh.pdf")}

    citizen = login(citizen_a)
    first = citizen.post(API + "/dossiers", data=body(), headers={"Idempotency-Key": "nop-1"})
    again = citizen.post(API + "/dossiers", data=body(), headers={"Idempotency-Key": "nop-1"})
    assert first.status_code == again.status_code == 201
    assert again[REPLAYED] == "true" and again.json()["id"] == first.json()["id"]
    assert Dossier.objects.filter(applicant=citizen_a).count() == 1
    changed = dict(body(), form=json.dumps({**good_form, "ho_ten_tre": "Nguyễn Minh Quân"}))
    assert citizen.post(API + "/dossiers", data=changed, headers={"Idempotency-Key": "nop-1"}).status_code == 422
    # The same key at another user's hands is theirs.
    other = login(citizen_b).post(API + "/dossiers", data=body(), headers={"Idempotency-Key": "nop-1"})
    assert other.status_code == 201 and REPLAYED not in other
    assert Dossier.objects.count() == 2


@pytest.mark.django_db
def test_the_header_is_documented_on_the_operations_that_create_dossiers():
    from tinhso.api.root import api

    paths = api.get_openapi_schema()["paths"]
    for path in ("/api/v1/desk/dossiers", "/api/v1/dossiers"):
        op = paths[path]["post"]
        params = {p["name"]: p for p in op.get("parameters", [])}
        assert params["Idempotency-Key"]["in"] == "header" and not params["Idempotency-Key"].get("required")
        assert "Idempotency-Key" in op["description"] and "24 giờ" in op["description"]
        assert 422 in op["responses"] and REPLAYED in op["responses"][201]["headers"]


# --- expiry -----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_keys_expire_after_24_hours_and_the_periodic_job_deletes_them(staff_x, birth_procedure, good_form):
    from tinhso.dossiers.tasks import purge_idempotency_keys

    clerk = login(staff_x["receiver"])
    assert desk_post(clerk, desk_body(birth_procedure, good_form), "old").status_code == 201
    assert desk_post(clerk, desk_body(birth_procedure, good_form), "recent").status_code == 201
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=24, minutes=1))
    IdempotencyKey.objects.filter(key="recent").update(created_at=timezone.now() - dt.timedelta(hours=23, minutes=59))

    # Past 24 hours the key is forgotten even before the job runs: the same key makes a new dossier.
    again = desk_post(clerk, desk_body(birth_procedure, good_form), "old")
    assert again.status_code == 201 and REPLAYED not in again and Dossier.objects.count() == 3
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))

    purge_idempotency_keys.call_local()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]
    assert services.idempotency_keys_purge() == 0  # run again: nothing more to do
    assert Dossier.objects.count() == 3  # the dossiers stay, only the keys go
    replay = desk_post(clerk, desk_body(birth_procedure, good_form), "recent")
    assert replay[REPLAYED] == "true" and Dossier.objects.count() == 3


# --- the desk web form ------------------------------------------------------------------------------

def _desk_form(proc, citizen, form, token):
    return {"thu_tuc": proc.code, "channel": "1", "return_method": "desk", "applicant_name": "Nguyễn Văn An",
            "applicant_cccd": citizen.cccd, "desk_token": token, **form}


@pytest.mark.django_db
def test_a_double_click_at_the_desk_form_registers_one_dossier(staff_x, citizen_a, birth_procedure, good_form):
    clerk = login(staff_x["receiver"])
    url = reverse("web:desk_register")
    page = clerk.get(url, {"thu_tuc": birth_procedure.code}).content.decode()
    token = page.split('name="desk_token" value="', 1)[1].split('"', 1)[0]
    assert len(token) >= 32
    other_page = clerk.get(url, {"thu_tuc": birth_procedure.code}).content.decode()
    assert f'value="{token}"' not in other_page  # one token per rendered form

    first = clerk.post(url, _desk_form(birth_procedure, citizen_a, good_form, token))
    second = clerk.post(url, _desk_form(birth_procedure, citizen_a, good_form, token), follow=True)
    d = Dossier.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("web:official_dossier", args=[d.pk])
    assert second.redirect_chain[0][0] == reverse("web:official_dossier", args=[d.pk])
    assert "đã được gửi rồi" in second.content.decode()
    assert DossierEvent.objects.filter(dossier=d).count() == 1


@pytest.mark.django_db
def test_the_same_desk_form_sent_with_other_content_is_refused_then_a_new_token_is_offered(
        staff_x, citizen_a, birth_procedure, good_form):
    clerk = login(staff_x["receiver"])
    url = reverse("web:desk_register")
    assert clerk.post(url, _desk_form(birth_procedure, citizen_a, good_form, "t" * 43)).status_code == 302
    changed = _desk_form(birth_procedure, citizen_a, {**good_form, "ho_ten_tre": "Nguyễn Minh Quân"}, "t" * 43)
    refused = clerk.post(url, changed)
    assert refused.status_code == 400 and Dossier.objects.count() == 1
    html = refused.content.decode()
    assert "nội dung khác" in html and 'value="' + "t" * 43 + '"' not in html
    new_token = html.split('name="desk_token" value="', 1)[1].split('"', 1)[0]
    assert clerk.post(url, dict(changed, desk_token=new_token)).status_code == 302
    assert Dossier.objects.count() == 2


# --- concurrency --------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_with_the_same_key_create_one_dossier(staff_x, birth_procedure, good_form,
                                                                    monkeypatch):
    """Both requests pass the first look-up before either commits (the first is held inside its transaction
    while storing its papers); the second waits on the key's unique index and answers the replay."""
    clerk = staff_x["receiver"]
    store = services._store_components
    gate = threading.Barrier(2, timeout=30)

    def slow_store(*args, **kwargs):
        result = store(*args, **kwargs)
        threading.Event().wait(0.5)  # the other request arrives meanwhile
        return result

    claim = services._idempotency_claim
    claims = []

    def counted_claim(*args, **kwargs):
        claims.append(1)
        return claim(*args, **kwargs)

    monkeypatch.setattr(services, "_store_components", slow_store)
    monkeypatch.setattr(services, "_idempotency_claim", counted_claim)
    clients = [login(clerk), login(clerk)]
    responses, errors = [], []

    def send(client):
        try:
            body = desk_body(birth_procedure, good_form)
            gate.wait()
            responses.append(desk_post(client, body, '"cung-mot-khoa"'))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(claims) == 2  # both requests really raced into the create transaction
    assert [r.status_code for r in responses] == [201, 201], [r.content for r in responses]
    assert sorted(r.get(REPLAYED, "") for r in responses) == ["", "true"]
    assert responses[0].json()["code"] == responses[1].json()["code"]
    assert Dossier.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    assert DailySequence.objects.get().last == 1

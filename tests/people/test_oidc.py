"""Sign-in over OpenID Connect against the stand-in provider (a separate process), linked by CCCD."""
import datetime as dt
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from tinhso.events.models import DomainEvent
from tinhso.people.models import User

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.registry_standin.launch import standin  # noqa: E402

CLIENT_ID, SECRET, PROVIDER = "tinhso", "standin-secret", "dinh-danh"
AN = {"sub": "vneid-0001", "cccd": "019090001234", "name": "Nguyễn Văn An", "birthdate": "1990-05-12",
      "gender": "male", "email": "an.vneid@example.vn", "email_verified": True}
BINH = {"sub": "vneid-0002", "cccd": "019190004321", "name": "Trần Thị Bình", "birthdate": "1990-08-03",
        "gender": "female", "email": "binh.vneid@example.vn", "email_verified": True}


@pytest.fixture(scope="module")
def op_url():
    with standin("tools.oidc_standin", "--client-id", CLIENT_ID, "--client-secret", SECRET) as proc:
        yield proc.url


@pytest.fixture
def op(op_url, settings):
    settings.OIDC_SERVER_URL = op_url
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [{
        "provider_id": PROVIDER, "name": "VNeID (thử nghiệm)", "client_id": CLIENT_ID, "secret": SECRET,
        "settings": {"server_url": op_url, "token_auth_method": "client_secret_post"}}]}}
    requests.post(f"{op_url}/_control", json={"reset": True}, timeout=5).raise_for_status()
    return op_url


def op_set(op_url, **body):
    requests.post(f"{op_url}/_control", json=body, timeout=5).raise_for_status()


def sign_in(client):
    """The whole redirect flow: tinhso → provider (auto-consent) → tinhso callback."""
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER}))
    assert start.status_code == 302, start.content[:500]
    at_op = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_op.status_code == 302
    back = urlparse(at_op.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def make_citizen(cccd="019090001234", name="Nguyễn Văn An", dob=dt.date(1990, 5, 12), gender="nam"):
    return User.objects.create_user(username=cccd, cccd=cccd, full_name=name, date_of_birth=dob, gender=gender,
                                    password="Mat-khau-rat-manh-2025", email=f"{cccd}@example.vn")


@pytest.mark.django_db
def test_login_page_offers_identity_provider_only_when_configured(client, op, settings):
    page = client.get(reverse("account_login"))
    assert "Đăng nhập bằng tài khoản định danh (VNeID (thử nghiệm))" in page.content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    assert "tài khoản định danh" not in client.get(reverse("account_login")).content.decode()


@pytest.mark.django_db
def test_existing_citizen_is_signed_in_and_linked_by_cccd(client, op):
    an = make_citizen()
    op_set(op, user=AN)
    response = sign_in(client)
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    assert signed_in_user_id(client) == str(an.pk)
    link = SocialAccount.objects.get(provider=PROVIDER, uid="vneid-0001")
    assert link.user_id == an.pk
    assert User.objects.count() == 1
    event = DomainEvent.objects.get(name="people.oidc_linked")
    assert event.data == {"provider": PROVIDER, "created": False} and event.subject_id == str(an.pk)
    an.refresh_from_db()
    assert an.has_usable_password()  # the citizen keeps their password sign-in

    # Next time the link is found directly; still one account, no second link.
    client.logout()
    assert sign_in(client).status_code == 302
    assert signed_in_user_id(client) == str(an.pk)
    assert SocialAccount.objects.count() == 1 and DomainEvent.objects.filter(name="people.oidc_linked").count() == 1


@pytest.mark.django_db
def test_unknown_cccd_creates_the_citizen_from_the_identity(client, op):
    op_set(op, user=BINH)
    response = sign_in(client)
    assert response.status_code == 302
    binh = User.objects.get(cccd="019190004321")
    assert signed_in_user_id(client) == str(binh.pk)
    assert (binh.username, binh.full_name, binh.date_of_birth, binh.gender, binh.kind) == (
        "019190004321", "Trần Thị Bình", dt.date(1990, 8, 3), "nu", "citizen")
    assert not binh.has_usable_password()
    assert binh.emailaddress_set.get().email == "binh.vneid@example.vn"
    assert DomainEvent.objects.get(name="people.oidc_linked").data["created"] is True


def assert_refused_and_nothing_created(client, response, text):
    assert response.status_code in (400, 401, 403)
    assert text in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not User.objects.exists() and not SocialAccount.objects.exists()
    assert not DomainEvent.objects.filter(name="people.oidc_linked").exists()


@pytest.mark.django_db
def test_identity_without_cccd_is_refused(client, op):
    op_set(op, user={k: v for k, v in BINH.items() if k != "cccd"})
    assert_refused_and_nothing_created(client, sign_in(client), "không cung cấp số CCCD")


@pytest.mark.django_db
def test_malformed_cccd_is_refused(client, op):
    op_set(op, user={**BINH, "cccd": "01919000432"})
    assert_refused_and_nothing_created(client, sign_in(client), "Số CCCD phải gồm đúng 12 chữ số")


@pytest.mark.django_db
def test_cccd_that_contradicts_the_birth_year_is_refused(client, op):
    op_set(op, user={**BINH, "birthdate": "1991-08-03"})
    assert_refused_and_nothing_created(client, sign_in(client), "2 số cuối của năm sinh")


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["bad_signature", "wrong_audience", "expired", "malformed"])
def test_invalid_id_token_is_refused(client, op, mode):
    op_set(op, user=BINH, mode=mode)
    assert_refused_and_nothing_created(client, sign_in(client), "Mã thông báo định danh nhận được không hợp lệ")


@pytest.mark.django_db
def test_forged_token_for_an_existing_citizen_does_not_sign_in_or_link(client, op):
    an = make_citizen()
    op_set(op, user=AN, mode="bad_signature")
    response = sign_in(client)
    assert "không hợp lệ" in response.content.decode()
    assert signed_in_user_id(client) is None and not SocialAccount.objects.exists()
    assert User.objects.get() == an


@pytest.mark.django_db
def test_official_account_cannot_be_reached_through_the_identity_provider(client, op, receiver_a):
    User.objects.filter(pk=receiver_a.pk).update(cccd="019090001234")
    op_set(op, user=AN)
    response = sign_in(client)
    assert response.status_code == 403 and "tài khoản cán bộ" in response.content.decode()
    assert signed_in_user_id(client) is None and not SocialAccount.objects.exists()

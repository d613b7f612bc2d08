import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from tinhso.events.models import DomainEvent
from tinhso.people.models import Role, User

from .conftest import PASSWORD, make_official

SIGNUP = {
    "username": "019090123456", "full_name": "Nguyễn Văn An", "date_of_birth": "05/09/1990", "gender": "nam",
    "phone": "0912 345 678", "email": "an@example.vn", "password1": PASSWORD, "password2": PASSWORD,
}


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.argon2
def test_signup_creates_a_citizen_and_sends_an_email_code(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(username="019090123456")
    assert (user.kind, user.cccd, user.phone, user.gender) == ("citizen", "019090123456", "0912345678", "nam")
    assert user.date_of_birth.strftime("%d/%m/%Y") == "05/09/1990"
    assert user.password.startswith("argon2")
    assert DomainEvent.objects.filter(name="people.citizen_registered", subject_id=str(user.pk)).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["an@example.vn"]


@pytest.mark.django_db
def test_signup_with_inconsistent_cccd_creates_nothing(client):
    events_before = DomainEvent.objects.count()
    response = client.post(reverse("account_signup"), {**SIGNUP, "gender": "nu"})
    assert response.status_code == 200
    assert "chữ số thứ 4" in response.content.decode()
    assert 'href="#id_username"' in response.content.decode()  # the error summary links to the field
    assert not User.objects.exists() and DomainEvent.objects.count() == events_before and not mail.outbox


@pytest.mark.django_db
def test_signup_page_is_vietnamese(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert "Đăng ký tài khoản công dân" in html and "Số CCCD" in html and html.count("<h1") == 1


@pytest.mark.django_db
def test_citizen_without_totp_signs_in_with_password_only(client, citizen):
    response = client.post(reverse("account_login"), {"login": citizen.cccd, "password": PASSWORD})
    assert response.status_code == 302 and logged_in(client)


@pytest.mark.django_db
def test_wrong_password_is_refused_in_vietnamese(client, citizen):
    response = client.post(reverse("account_login"), {"login": citizen.cccd, "password": "sai-mat-khau-0"})
    assert not logged_in(client)
    assert "mật khẩu không đúng" in response.content.decode()


@pytest.mark.django_db
def test_lockout_after_five_failures_refuses_even_the_right_password(client, citizen):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": citizen.cccd, "password": "sai-mat-khau-0"})
    assert AccessAttempt.objects.filter(username=citizen.cccd).exists()
    response = client.post(reverse("account_login"), {"login": citizen.cccd, "password": PASSWORD})
    assert response.status_code == 429
    assert "Tài khoản tạm khóa" in response.content.decode()
    assert not logged_in(client)


@pytest.mark.django_db
def test_four_failures_do_not_lock(client, citizen):
    for _ in range(4):
        client.post(reverse("account_login"), {"login": citizen.cccd, "password": "sai-mat-khau-0"})
    client.post(reverse("account_login"), {"login": citizen.cccd, "password": PASSWORD})
    assert logged_in(client)


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


@pytest.mark.django_db
def test_official_sign_in_asks_for_the_totp_code(client, agencies):
    user = make_official("chuyen.vien", agencies["commune_a"], [Role.SPECIALIST])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post(reverse("web:official_login"), {"login": "chuyen.vien", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert not logged_in(client)
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if current_code(secret) != "000000" else "111111"})
    assert not logged_in(client) and "Mã xác thực không đúng" in wrong.content.decode()
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert logged_in(client)


@pytest.mark.django_db
def test_official_without_totp_is_sent_to_set_it_up(client, agencies):
    make_official("moi.vao", agencies["commune_a"], [Role.RECEIVER])
    client.post(reverse("web:official_login"), {"login": "moi.vao", "password": PASSWORD})
    response = client.get(reverse("web:profile"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before a security change, then resumes.
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    assert "Xác nhận lại mật khẩu" in page.content.decode()
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html and "Khóa bí mật" in html
    assert "data:" in page["Content-Security-Policy"].split("img-src")[1].split(";")[0]


@pytest.mark.django_db
def test_official_activates_totp_and_gets_recovery_codes(client, agencies):
    user = make_official("kich.hoat", agencies["commune_a"], [Role.RECEIVER])
    client.post(reverse("web:official_login"), {"login": "kich.hoat", "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
    secret = client.session[SECRET_SESSION_KEY]
    client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(reverse("web:profile")).status_code == 200


@pytest.mark.django_db
def test_official_login_page_uses_official_wording(client):
    html = client.get(reverse("web:official_login")).content.decode()
    assert "Đăng nhập cán bộ, công chức" in html and "Tên đăng nhập cán bộ" in html


@pytest.mark.django_db
def test_citizen_login_page_asks_for_cccd(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "Đăng nhập công dân" in html and '<label for="id_login">Số CCCD</label>' in html


@pytest.mark.django_db
def test_password_reset_sends_an_email(client, citizen):
    response = client.post(reverse("account_reset_password"), {"email": citizen.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [citizen.email]
    assert "/tai-khoan/password/reset/key/" in mail.outbox[0].body

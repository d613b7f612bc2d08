"""An account keeps a way back in, and messages never show a citizen's CCCD number."""
import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.urls import reverse

from tinhso.people.models import User

PASSWORD = "Mat-khau-2026!"


def _citizen():
    user = User.objects.create_user(username="019090123456", cccd="019090123456", password=PASSWORD,
                                    email="an@example.vn", full_name="Nguyễn Văn An", date_of_birth=dt.date(1990, 9, 5),
                                    gender="nam", phone="0912345678", kind=User.Kind.CITIZEN)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def _sign_in(client, user):
    client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_the_last_email_address_cannot_be_removed(client):
    citizen = _citizen()
    _sign_in(client, citizen)
    client.post(reverse("account_email"), {"action_remove": "", "email": "an@example.vn"})
    assert list(EmailAddress.objects.filter(user=citizen).values_list("email", flat=True)) == ["an@example.vn"]


@pytest.mark.django_db
def test_a_second_address_can_be_removed(client):
    citizen = _citizen()
    EmailAddress.objects.create(user=citizen, email="an.phu@example.vn", primary=False, verified=True)
    _sign_in(client, citizen)
    client.post(reverse("account_email"), {"action_remove": "", "email": "an.phu@example.vn"})
    assert list(EmailAddress.objects.filter(user=citizen).values_list("email", flat=True)) == ["an@example.vn"]


@pytest.mark.django_db
def test_the_sign_in_message_names_the_person_not_the_cccd(client):
    citizen = _citizen()
    response = client.post(reverse("account_login"), {"login": citizen.username, "password": PASSWORD})
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Nguyễn Văn An" in t for t in texts), texts
    assert not any("019090123456" in t for t in texts), texts

"""Each signed-in request reads its session and its user with statements built once (people.sessions,
people.backends): the same rules as Django's own reads: an expired session, an inactive account or a changed
password signs the request out; sessions recorded by allauth's backend before still work."""
import datetime as dt

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from .conftest import PASSWORD

MINE = "/ho-so-cua-toi/"


def signed_in(client) -> bool:
    return client.get(MINE).status_code == 200


@pytest.mark.django_db
def test_a_sign_in_records_the_prebuilt_backend_and_is_kept_across_requests(client, citizen):
    assert not signed_in(client)
    r = client.post(reverse("account_login"), {"login": citizen.cccd, "password": PASSWORD})
    assert r.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "tinhso.people.backends.AuthenticationBackend"
    assert signed_in(client)


@pytest.mark.django_db
def test_expired_sessions_inactive_accounts_and_changed_passwords_sign_out(client, citizen):
    client.post(reverse("account_login"), {"login": citizen.cccd, "password": PASSWORD})
    assert signed_in(client)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert not signed_in(client)

    client.post(reverse("account_login"), {"login": citizen.cccd, "password": PASSWORD})
    assert signed_in(client)
    type(citizen).objects.filter(pk=citizen.pk).update(is_active=False)
    assert not signed_in(client)

    type(citizen).objects.filter(pk=citizen.pk).update(is_active=True)
    client.post(reverse("account_login"), {"login": citizen.cccd, "password": PASSWORD})
    assert signed_in(client)
    citizen.set_password("Mat-khau-moi-rat-dai-2")
    citizen.save()
    assert not signed_in(client)


@pytest.mark.django_db
def test_a_session_recorded_by_allauths_backend_still_works(client, citizen):
    client.force_login(citizen, backend="allauth.account.auth_backends.AuthenticationBackend")
    assert signed_in(client)

"""CSRF (ASVS V4/V13): every form POST needs Django's CSRF token; the API's session-authenticated writes
need it too (X-CSRFToken); only API-key endpoints (Open311) and the API's stateless anonymous checks go
without, and a new exemption fails here until it is reviewed."""
from __future__ import annotations

import re

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from tinhso.dossiers.models import Dossier
from tinhso.feedback.models import Report

from .conftest import PASSWORD, pdf, signed_in

pytestmark = pytest.mark.django_db

# API operations that take a POST without a session (so without CSRF): stateless checks, nothing stored.
ANONYMOUS_API_WRITES = {"/api/v1/people/cccd/validate", "/api/v1/catalog/procedures/{code}/validate-form"}


def _routes(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p.callback


def test_only_the_api_and_open311_are_exempt_from_django_csrf_check():
    exempt = sorted({route for route, view in _routes() if getattr(view, "csrf_exempt", False)})
    unexpected = [r for r in exempt if not (r.startswith("api/") or r.startswith("open311/"))]
    assert exempt and not unexpected, unexpected


def _csrf_refused(response) -> bool:
    return response.status_code == 403 and b"data-csrf-failure" in response.content


def _with_token(client: Client, data: dict) -> dict:
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return {**data, "csrfmiddlewaretoken": token}


FORMS = [  # (who, url name, kwargs, data)
    ("anonymous", "account_login", {}, {"login": "019090005555", "password": PASSWORD}),
    ("anonymous", "account_signup", {}, {"username": "019190001111", "email": "moi@dan.test",
                                         "password1": PASSWORD, "password2": PASSWORD}),
    ("anonymous", "web:official_login", {}, {"login": "atcanbo", "password": PASSWORD}),
    ("anonymous", "account_reset_password", {}, {"email": "019090005555@dan.test"}),
    ("anonymous", "set_language", {}, {"language": "en", "next": "/"}),
    ("citizen", "web:profile", {}, {"action": "phone_send"}),
    ("citizen", "web:dossier_submit", {"code": "9.000081"}, {"form-ho_ten_tre": "Phạm Minh Khôi"}),
    ("citizen", "web:report_create", {}, {"category": "o-ga", "description": "Ổ gà", **{"lat": "21.59", "long": "105.84"}}),
    ("citizen", "web:portal_withdraw", {"pk": "@dossier"}, {"reason": "Không cần nữa"}),
    ("citizen", "account_logout", {}, {}),
    ("receiver", "web:official_dossier_receive", {"pk": "@dossier"}, {"note": "Đủ"}),
]


@pytest.mark.parametrize(("who", "name", "kwargs", "data"), FORMS, ids=[f[1] for f in FORMS])
def test_a_form_posted_without_token_is_refused_and_changes_nothing(who, name, kwargs, data, citizen, staff,
                                                                     dossier, category):
    users = {"citizen": citizen, "receiver": staff["receiver"]}
    client = signed_in(users[who], enforce_csrf_checks=True) if who in users else Client(enforce_csrf_checks=True)
    url = reverse(name, kwargs={k: (dossier.pk if v == "@dossier" else v) for k, v in kwargs.items()})
    before = (Dossier.objects.count(), Report.objects.count(), dossier.state)

    refused = client.post(url, data)
    assert _csrf_refused(refused), (url, refused.status_code)
    assert "Phiên làm việc đã hết hạn".encode() in refused.content  # Vietnamese page, not Django's English one
    dossier.refresh_from_db()
    assert (Dossier.objects.count(), Report.objects.count(), dossier.state) == before

    accepted = client.post(url, _with_token(client, data))
    assert not _csrf_refused(accepted), url


def _api_writes():
    from tinhso.api.root import api

    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            if method in ("post", "put", "patch", "delete"):
                yield method, path, bool(operation.get("security"))


def test_every_anonymous_api_write_is_a_reviewed_stateless_check():
    anonymous = {path for _m, path, secured in _api_writes() if not secured}
    assert anonymous == ANONYMOUS_API_WRITES


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, s in _api_writes() if s], ids=lambda v: v)
def test_session_authenticated_api_writes_need_the_csrf_token(method, path, citizen, dossier):
    url = re.sub(r"\{[a-z_]+\}", lambda m: str(dossier.pk) if m.group(0) == "{pk}" else "1", path)
    client = signed_in(citizen, enforce_csrf_checks=True)
    before = (Dossier.objects.count(), dossier.state)

    refused = getattr(client, method)(url, data="{}", content_type="application/json")
    assert refused.status_code == 403, (url, refused.content)
    assert "CSRF" in refused.json()["detail"] and "X-CSRFToken" in refused.json()["detail"]
    dossier.refresh_from_db()
    assert (Dossier.objects.count(), dossier.state) == before

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    accepted = getattr(client, method)(url, data="{}", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert not (accepted.status_code == 403 and "CSRF" in accepted.json().get("detail", "")), url


def test_open311_post_authenticates_by_api_key_not_by_session(citizen, category):
    client = signed_in(citizen, enforce_csrf_checks=True)
    response = client.post("/open311/v2/requests.json", {"service_code": "o-ga", "description": "Ổ gà",
                                                         "lat": "21.592477", "long": "105.848174"})
    assert response.status_code == 403 and "api_key" in response.json()[0]["description"]
    assert not Report.objects.exists()

"""Fixtures of the API fuzz test: a citizen signed in (session cookie + CSRF token), a published procedure
that citizen can submit to, and one dossier of theirs, so that generated requests also reach real rows."""
from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from tinhso.catalog.models import Component, Field, FormField, Procedure, Step
from tinhso.people.models import User
from tinhso.places.models import Agency, Commune

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def agency(db):
    commune = Commune.objects.filter(province_id="19").order_by("code").first()
    return Agency.objects.create(code="000.71.19.H55", name=f"UBND {commune.name}", kind="ubnd_xa",
                                 province_id="19", commune=commune)


@pytest.fixture
def procedure(agency):
    field, _ = Field.objects.get_or_create(code="ho_tich_fuzz", defaults={"name": "Hộ tịch (fuzz)"})
    proc = Procedure.objects.create(
        code="9.000071", name="Đăng ký khai sinh (fuzz)", field=field, level="commune", agency_kind="ubnd_xa",
        online_level="toan_trinh", legal_basis="Luật Hộ tịch 2014", subjects="Công dân Việt Nam",
        result_name="Giấy khai sinh", time_kind="working_days", time_amount=5, source_document="Luật Hộ tịch 2014",
        published=True)
    Component.objects.create(procedure=proc, position=1, key="to_khai", name="Tờ khai", count_original=1,
                             mandatory=True, file_types="pdf")
    FormField.objects.create(procedure=proc, position=1, key="ho_ten_tre", label="Họ tên của trẻ", type="text",
                             required=True, max_length=100)
    for pos, (kind, role, share) in enumerate([("receive", "receiver", 10), ("process", "specialist", 70),
                                              ("approve", "leader", 20)], start=1):
        Step.objects.create(procedure=proc, position=pos, kind=kind, role=role, share_percent=share)
    return proc


@pytest.fixture
def citizen(db):
    user = User.objects.create_user(username="019090007777", cccd="019090007777", password="Mat-khau-rat-dai-1",
                                    kind="citizen", full_name="Lê Thị Thử", email="thu@dan.test", phone="0912000777",
                                    date_of_birth=dt.date(1990, 5, 1), gender="nu")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.fixture
def citizen_dossier(citizen, procedure, agency):
    from tinhso.dossiers import services

    return services.dossier_submit_online(
        actor=citizen, procedure=procedure, agency=agency, form_data={"ho_ten_tre": "Lê Minh An"},
        files={"to_khai": [SimpleUploadedFile("to-khai.pdf", PDF_BYTES, content_type="application/pdf")]})


@pytest.fixture
def citizen_session(citizen, settings):
    """(headers, cookies) of a signed-in citizen, as a browser app sends them: the session cookie, the CSRF
    cookie and the same token in X-CSRFToken."""
    client = Client()
    client.force_login(citizen)
    token = _get_new_csrf_string()
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
               settings.CSRF_COOKIE_NAME: token}
    return {"X-CSRFToken": token}, cookies

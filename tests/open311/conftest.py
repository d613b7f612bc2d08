"""Fixtures of the Open311 API: a commune and its UBND, the province coordinator and the UBND's
specialist, a category with three questions routed to the UBND, an API key, and helpers that create
reports through the feedback services and move them through their states."""
from __future__ import annotations

import io
import itertools
import json
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tinhso.feedback import services
from tinhso.feedback.models import Category, CategoryAttribute, Report, RoutingRule
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency, Commune

_seq = itertools.count(1)
INSIDE = {"lat": "21.592477", "long": "105.848174"}  # Thái Nguyên city centre
REPORTER = {"first_name": "Nguyễn Văn", "last_name": "Bímật", "email": "bimat.nguoibao@dan.test",
            "phone": "0987654321", "device_id": "thiet-bi-bi-mat-42", "account_id": "tai-khoan-bi-mat-7"}
SECRETS = ("Bímật", "bimat.nguoibao@dan.test", "0987654321", "thiet-bi-bi-mat-42", "tai-khoan-bi-mat-7")


def make_official(agency, *roles):
    n = next(_seq)
    user = User.objects.create_user(username=f"o311canbo{n}", password="Mat-khau-rat-dai-1", kind="official",
                                    full_name=f"Cán Bộ {n}", email=f"o311canbo{n}@tinhso.test")
    official = Official.objects.create(user=user, agency=agency, title="Công chức")
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    return user


def jpeg(color=(200, 30, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="JPEG")
    return SimpleUploadedFile("anh.jpg", out.getvalue(), content_type="image/jpeg")


def as_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def as_xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def commune(db):
    return Commune.objects.filter(province_id="19").order_by("code").first()


@pytest.fixture
def agency(commune):
    return Agency.objects.create(code="000.51.19.H55", name=f"UBND {commune.name}", kind="ubnd_xa",
                                 province_id="19", commune=commune)


@pytest.fixture
def coordinator(agency):
    return make_official(agency, "province_admin")


@pytest.fixture
def specialist(agency):
    return make_official(agency, "specialist")


@pytest.fixture
def category(agency):
    cat = Category.objects.create(code="o-ga-ca", name="Ổ gà, hư hỏng mặt đường", description="Đường hư hỏng",
                                  group="Giao thông", keywords="đường, ổ gà", deadline_working_days=10)
    CategoryAttribute.objects.create(category=cat, code="lan-duong", datatype="singlevaluelist", required=True,
                                     description="Ổ gà ở làn nào?", datatype_description="Chọn một làn", order=1,
                                     values=[{"key": "trai", "name": "Làn trái"}, {"key": "phai", "name": "Làn phải"}])
    CategoryAttribute.objects.create(category=cat, code="nguy-hiem", datatype="multivaluelist", required=False,
                                     description="Nguy hiểm cho ai?", order=2,
                                     values=[{"key": "xe-may", "name": "Xe máy"}, {"key": "o-to", "name": "Ô tô"},
                                             {"key": "di-bo", "name": "Người đi bộ"}])
    CategoryAttribute.objects.create(category=cat, code="do-sau", datatype="number", required=False,
                                     variable=True, description="Sâu khoảng bao nhiêu cm?", order=3)
    RoutingRule.objects.create(category=cat, commune=None, agency=agency)
    return cat


@pytest.fixture
def other_category(db):
    return Category.objects.create(code="rac-thai", name="Rác thải", description="Rác thải sinh hoạt",
                                   group="Môi trường", position=5)


@pytest.fixture
def api_key(db):
    key, raw = services.apikey_create(actor=None, name="Ứng dụng kiểm thử")
    return raw


@pytest.fixture
def make_report(category, api_key, coordinator, specialist):
    """A report created through report_create (as an Open311 client would), in the state asked for."""
    from tinhso.feedback.models import ApiKey

    def make(state="new", *, cat=None, description="Ổ gà lớn trước số 12", photos=(), **extra):
        key = ApiKey.objects.get()
        cat = cat or category
        attrs = {"lan-duong": "trai"} if cat.code == "o-ga-ca" else {}
        fields = dict(lat=INSIDE["lat"], long=INSIDE["long"], address="12 Hoàng Văn Thụ")
        fields.update(extra)
        report = services.report_create(
            actor=None, category=cat, description=description, attributes=attrs, photos=photos,
            reporter_name="Nguyễn Văn Bímật", reporter_email=REPORTER["email"], reporter_phone=REPORTER["phone"],
            device_id=REPORTER["device_id"], account_id=REPORTER["account_id"], via="open311", api_key=key, **fields)
        if state == "new":
            return report
        if state == "rejected":
            return services.report_reject(actor=coordinator, report=report, reason="not_enough",
                                          note="Thiếu thông tin vị trí cụ thể")
        report = services.report_accept(actor=coordinator, report=report)
        if state in ("accepted", "assigned"):
            return report
        report = services.report_start(actor=specialist, report=report)
        if state == "in_progress":
            return report
        report = services.report_answer(actor=specialist, report=report, answer="Đã vá ổ gà ngày 20/11.")
        if state == "answered":
            return report
        assert state == "closed"
        return services.report_close(actor=coordinator, report=report)
    return make

"""Fixtures of citizen field reports: two communes with their UBND, the Sở Xây dựng, their officials,
the province coordinator, two citizens, and two categories with routing rules."""
from __future__ import annotations

import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tinhso.feedback.models import Category, RoutingRule
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency, Commune

_seq = itertools.count(1)
INSIDE = {"lat": "21.592477", "long": "105.848174"}  # Thái Nguyên city centre
OUTSIDE = {"lat": "21.028511", "long": "105.804817"}  # Hà Nội


def make_official(agency, *roles):
    n = next(_seq)
    user = User.objects.create_user(username=f"fbcanbo{n}", password="Mat-khau-rat-dai-1", kind="official",
                                    full_name=f"Cán Bộ Phản Ánh {n}", email=f"fbcanbo{n}@tinhso.test")
    official = Official.objects.create(user=user, agency=agency, title="Công chức")
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    return user


def make_citizen(cccd, name):
    return User.objects.create_user(username=cccd, cccd=cccd, password="Mat-khau-rat-dai-1", kind="citizen",
                                    full_name=name, email=f"{cccd}@dan.test", phone="0912345678")


def jpeg_bytes(size=(64, 48), exif=True, color=(200, 30, 30)) -> bytes:
    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "CanonTestCamera"  # Make
        ex[0x0110] = "EOS Bí Mật"  # Model
        ex[0x8825] = {1: "N", 2: (21.0, 35.0, 32.9), 3: "E", 4: (105.0, 50.0, 53.4)}  # GPS
        img.save(out, format="JPEG", exif=ex.tobytes(), comment=b"nguoi chup: Nguyen Van An")
    else:
        img.save(out, format="JPEG")
    return out.getvalue()


def photo(name="anh.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), content_type=content_type)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def communes(db):
    return list(Commune.objects.filter(province_id="19").order_by("code")[:2])


@pytest.fixture
def agency_x(communes):
    return Agency.objects.create(code="000.41.19.H55", name=f"UBND {communes[0].name}", kind="ubnd_xa",
                                 province_id="19", commune=communes[0])


@pytest.fixture
def agency_y(communes):
    return Agency.objects.create(code="000.42.19.H55", name=f"UBND {communes[1].name}", kind="ubnd_xa",
                                 province_id="19", commune=communes[1])


@pytest.fixture
def so_xay_dung(db):
    return Agency.objects.create(code="000.00.07.H59", name="Sở Xây dựng (kiểm thử)", kind="so", province_id="19")


@pytest.fixture
def coordinator(db):
    province_pc = Agency.objects.create(code="000.00.00.H59", name="UBND tỉnh (kiểm thử)", kind="ubnd_tinh", province_id="19")
    return make_official(province_pc, "province_admin")


@pytest.fixture
def staff_x(agency_x):
    return {"specialist": make_official(agency_x, "specialist"), "leader": make_official(agency_x, "leader"),
            "receiver": make_official(agency_x, "receiver")}


@pytest.fixture
def staff_y(agency_y):
    return {"specialist": make_official(agency_y, "specialist"), "leader": make_official(agency_y, "leader")}


@pytest.fixture
def staff_sxd(so_xay_dung):
    return {"specialist": make_official(so_xay_dung, "specialist"), "leader": make_official(so_xay_dung, "leader")}


@pytest.fixture
def citizen_a(db):
    return make_citizen("019090001111", "Nguyễn Văn An")


@pytest.fixture
def citizen_b(db):
    return make_citizen("019190002222", "Trần Thị Bình")


@pytest.fixture
def traffic(so_xay_dung):
    cat = Category.objects.create(code="giao-thong-kt", name="Giao thông (kiểm thử)", deadline_working_days=15)
    RoutingRule.objects.create(category=cat, commune=None, agency=so_xay_dung)
    return cat


@pytest.fixture
def order(agency_x, agency_y, so_xay_dung, communes):
    """Trật tự đô thị: each commune's UBND; elsewhere the Sở Xây dựng."""
    cat = Category.objects.create(code="trat-tu-kt", name="Trật tự đô thị (kiểm thử)", deadline_working_days=5)
    RoutingRule.objects.create(category=cat, commune=None, agency=so_xay_dung)
    RoutingRule.objects.create(category=cat, commune=communes[0], agency=agency_x)
    RoutingRule.objects.create(category=cat, commune=communes[1], agency=agency_y)
    return cat


@pytest.fixture
def make_report(citizen_a, communes):
    from tinhso.feedback import services

    def make(category, actor=None, commune=None, **kw):
        kw.setdefault("description", "Ổ gà lớn giữa đường, xe máy dễ ngã khi trời mưa.")
        return services.report_create(actor=actor or citizen_a, category=category,
                                      commune=commune if commune is not None else communes[0], **kw)
    return make

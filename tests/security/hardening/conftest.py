"""Fixtures of the hardening tests: a commune's UBND with its one-stop officials (TOTP set up), the province
administrator, a citizen with a submitted dossier, a report category with an Open311 API key, and helpers
that make real images and sign people in."""
from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tinhso.catalog.models import Component, Field, FormField, Procedure, Step
from tinhso.feedback.models import Category, RoutingRule
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency, Commune

PASSWORD = "Mat-khau-rat-dai-1"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
INSIDE = {"lat": "21.592477", "long": "105.848174"}  # Thái Nguyên city centre
PROJECT = Path(__file__).resolve().parents[2]
_seq = itertools.count(1)


def jpeg_bytes(*, exif: bool = True, trailer: bytes = b"", size=(48, 32)) -> bytes:
    """A real JPEG; with GPS/camera EXIF and a comment, and whatever `trailer` appended after its end."""
    img = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "CameraBiMat"
        tags[0x8825] = {1: "N", 2: (21.0, 35.0, 32.9), 3: "E", 4: (105.0, 50.0, 53.4)}
        img.save(out, format="JPEG", exif=tags.tobytes(), comment=b"nguoi chup: Nguyen Van An")
    else:
        img.save(out, format="JPEG")
    return out.getvalue() + trailer


def png_bytes(*, text: str = "") -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 200, 10)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def pdf(name="giay-to.pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def make_official(agency, *roles):
    n = next(_seq)
    user = User.objects.create_user(username=f"atcanbo{n}", password=PASSWORD, kind="official",
                                    full_name=f"Cán Bộ An Toàn {n}", email=f"atcanbo{n}@tinhso.test")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    official = Official.objects.create(user=user, agency=agency, title="Công chức")
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


def make_citizen(cccd="019090005555", name="Phạm Văn Bảo"):
    user = User.objects.create_user(username=cccd, cccd=cccd, password=PASSWORD, kind="citizen", full_name=name,
                                    email=f"{cccd}@dan.test", phone="0912000555", date_of_birth=dt.date(1990, 5, 1),
                                    gender="nam")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def signed_in(user, **client_kwargs) -> Client:
    client = Client(**client_kwargs)
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def commune(db):
    return Commune.objects.filter(province_id="19").order_by("code").first()


@pytest.fixture
def agency(commune):
    return Agency.objects.create(code="000.81.19.H55", name=f"UBND {commune.name}", kind="ubnd_xa",
                                 province_id="19", commune=commune)


@pytest.fixture
def staff(agency):
    return {role: make_official(agency, role) for role in ("receiver", "specialist", "leader")}


@pytest.fixture
def province_admin(agency):
    return make_official(agency, "province_admin")


@pytest.fixture
def citizen(db):
    return make_citizen()


@pytest.fixture
def procedure(agency):
    field, _ = Field.objects.get_or_create(code="ho_tich_an_toan", defaults={"name": "Hộ tịch (an toàn)"})
    proc = Procedure.objects.create(
        code="9.000081", name="Đăng ký khai sinh (an toàn)", field=field, level="commune", agency_kind="ubnd_xa",
        online_level="toan_trinh", legal_basis="Luật Hộ tịch 2014", subjects="Công dân Việt Nam",
        result_name="Giấy khai sinh", time_kind="working_days", time_amount=5, source_document="Luật Hộ tịch 2014",
        published=True)
    Component.objects.create(procedure=proc, position=1, key="to_khai", name="Tờ khai", count_original=1,
                             mandatory=True, file_types="pdf")
    Component.objects.create(procedure=proc, position=2, key="anh", name="Ảnh giấy chứng sinh", count_original=1,
                             mandatory=False, file_types="pdf,jpg,png")
    FormField.objects.create(procedure=proc, position=1, key="ho_ten_tre", label="Họ tên của trẻ", type="text",
                             required=True, max_length=100)
    for pos, (kind, role, share) in enumerate([("receive", "receiver", 10), ("process", "specialist", 70),
                                              ("approve", "leader", 20)], start=1):
        Step.objects.create(procedure=proc, position=pos, kind=kind, role=role, share_percent=share)
    return proc


@pytest.fixture
def dossier(citizen, procedure, agency):
    from tinhso.dossiers import services

    return services.dossier_submit_online(actor=citizen, procedure=procedure, agency=agency,
                                          form_data={"ho_ten_tre": "Phạm Minh An"}, files={"to_khai": [pdf()]})


@pytest.fixture
def category(agency):
    cat = Category.objects.create(code="o-ga", name="Ổ gà", description="Đường hư hỏng", group="Giao thông",
                                  keywords="đường", deadline_working_days=10)
    RoutingRule.objects.create(category=cat, commune=None, agency=agency)
    return cat


@pytest.fixture
def api_key(db):
    from tinhso.feedback import services

    _key, raw = services.apikey_create(actor=None, name="Ứng dụng kiểm thử an toàn")
    return raw


def settings_in_subprocess(tmp_path, env: dict, names: list[str]) -> dict:
    """The named settings as the settings module computes them from `env` (a fresh process)."""
    code = ("import json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tinhso.settings'); "
            "from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))")
    base = {k: v for k, v in os.environ.items() if not k.startswith("TINHSO_") and k != "DATABASE_URL"}
    result = subprocess.run([sys.executable, "-c", code], env={**base, "TINHSO_VAR_DIR": str(tmp_path), **env},
                            capture_output=True, text=True, timeout=120, cwd=PROJECT)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])

"""Fixtures of the personal data store: two communes' UBND (X and Y) with their officials, three citizens,
'Đăng ký khai sinh' (1.001193, its form naming the mother by CCCD), 'Đăng ký thay đổi, cải chính… hộ tịch'
(1.004884, which needs the birth certificate) and 'Đăng ký kết hôn' (1.000894, which needs a marital status
paper still valid)."""
from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.catalog.models import Component, Field, FormField, Procedure, Step
from tinhso.dossiers import services as dossier_services
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency, Commune, Province

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_seq = itertools.count(1)


def pdf(name="giay-to.pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def make_official(agency, *roles):
    n = next(_seq)
    user = User.objects.create_user(username=f"dscanbo{n}", password="Mat-khau-rat-dai-1", kind="official",
                                    full_name=f"Cán Bộ Kho {n}", email=f"dscanbo{n}@tinhso.test")
    official = Official.objects.create(user=user, agency=agency, title="Công chức")
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    return user


def make_citizen(cccd: str, name: str):
    return User.objects.create_user(username=cccd, cccd=cccd, password="Mat-khau-rat-dai-1", kind="citizen",
                                    full_name=name, email=f"{cccd}@dan.test", phone="0912345678",
                                    date_of_birth=dt.date(1990, 5, 1), gender="nam")


def _steps(proc):
    for pos, (kind, role, share) in enumerate(
            [("receive", "receiver", 5), ("process", "specialist", 70), ("approve", "leader", 20),
             ("return", "receiver", 5)], start=1):
        Step.objects.create(procedure=proc, position=pos, kind=kind, role=role, share_percent=share)


def _procedure(code, name, result_name, components, fields=()):
    field, _ = Field.objects.get_or_create(code="ho_tich_ds", defaults={"name": "Hộ tịch (kiểm thử kho dữ liệu)"})
    proc = Procedure.objects.create(
        code=code, name=name, field=field, level="commune", agency_kind="ubnd_xa", online_level="toan_trinh",
        legal_basis="Luật Hộ tịch 2014", subjects="Công dân Việt Nam", result_name=result_name,
        time_kind="working_days", time_amount=5, source_document="Luật Hộ tịch 2014", published=True)
    for pos, (key, cname, mandatory) in enumerate(components, start=1):
        Component.objects.create(procedure=proc, position=pos, key=key, name=cname, count_original=1,
                                 mandatory=mandatory, file_types="pdf,jpg,png")
    for pos, (key, label, ftype, required) in enumerate(fields, start=1):
        FormField.objects.create(procedure=proc, position=pos, key=key, label=label, type=ftype, required=required,
                                 max_length=100 if ftype == "text" else None)
    _steps(proc)
    return proc


@pytest.fixture
def communes(db):
    province = Province.objects.get(code="19")
    return list(Commune.objects.filter(province=province).order_by("code")[:2])


@pytest.fixture
def agency_x(communes):
    return Agency.objects.create(code="000.41.19.H55", name=f"UBND {communes[0].name}", kind="ubnd_xa",
                                 province_id="19", commune=communes[0])


@pytest.fixture
def agency_y(communes):
    return Agency.objects.create(code="000.42.19.H55", name=f"UBND {communes[1].name}", kind="ubnd_xa",
                                 province_id="19", commune=communes[1])


@pytest.fixture
def staff_x(agency_x):
    return {r: make_official(agency_x, r) for r in ("receiver", "specialist", "leader")}


@pytest.fixture
def staff_y(agency_y):
    return {r: make_official(agency_y, r) for r in ("receiver", "specialist", "leader")}


@pytest.fixture
def father(db):
    return make_citizen("019090001234", "Nguyễn Văn An")


@pytest.fixture
def mother(db):
    return make_citizen("019190004321", "Trần Thị Bình")


@pytest.fixture
def stranger(db):
    return make_citizen("019085007777", "Lê Văn Cường")


@pytest.fixture
def birth_procedure(db):
    return _procedure("1.001193", "Đăng ký khai sinh", "Giấy khai sinh",
                      [("to_khai", "Tờ khai đăng ký khai sinh", True), ("giay_chung_sinh", "Giấy chứng sinh", True)],
                      [("ho_ten_tre", "Họ, chữ đệm, tên của trẻ", "text", True),
                       ("so_cccd_me", "Số CCCD của người mẹ", "cccd", False)])


@pytest.fixture
def correction_procedure(db):
    return _procedure("1.004884", "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", "Trích lục cải chính hộ tịch",
                      [("to_khai", "Tờ khai đăng ký thay đổi, cải chính", True),
                       ("giay_to_lien_quan", "Giấy tờ làm căn cứ cho việc thay đổi, cải chính", True)],
                      [("noi_dung", "Nội dung đề nghị", "text", True)])


@pytest.fixture
def marriage_procedure(db):
    return _procedure("1.000894", "Đăng ký kết hôn", "Giấy chứng nhận kết hôn",
                      [("to_khai", "Tờ khai đăng ký kết hôn", True),
                       ("xac_nhan_hon_nhan", "Giấy xác nhận tình trạng hôn nhân", True)],
                      [("so_cccd_ben_kia", "Số CCCD của bên kia", "cccd", False)])


@pytest.fixture
def issued_birth_certificate(father, mother, birth_procedure, agency_x, staff_x):
    """A khai sinh dossier of the father naming the mother by CCCD, taken through reception to approval."""
    d = dossier_services.dossier_submit_online(
        actor=father, procedure=birth_procedure, agency=agency_x,
        form_data={"ho_ten_tre": "Nguyễn Minh Khôi", "so_cccd_me": mother.cccd},
        files={"to_khai": [pdf("to-khai.pdf")], "giay_chung_sinh": [pdf("chung-sinh.pdf")]})
    d = dossier_services.dossier_receive(actor=staff_x["receiver"], dossier=d)
    d = dossier_services.dossier_submit_for_approval(actor=staff_x["specialist"], dossier=d)
    d = dossier_services.dossier_approve(actor=staff_x["leader"], dossier=d)
    return d


@pytest.fixture
def correction_form():
    return {"noi_dung": "Cải chính chữ đệm của con trong giấy khai sinh"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _registry_not_configured(settings):
    """No population registry here: the identity check answers "unavailable" at once (part B's contract)."""
    settings.REGISTRY_URL = ""


def login(client, user):
    """Sign in; officials have a second factor (TOTP) as the workspace requires."""
    if user.kind == "official":
        from allauth.mfa.models import Authenticator

        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP,
                                            defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}})
    client.force_login(user)
    return client

import datetime as dt

import pytest
from allauth.account.models import EmailAddress

from tinhso.people.models import Official, OfficialRole, Role, User
from tinhso.places.models import Agency, Commune, Province

PASSWORD = "Mat-khau-rat-manh-2025"


@pytest.fixture
def province(db):
    return Province.objects.get_or_create(code="19", defaults={"name": "Thái Nguyên", "type": "tinh"})[0]


@pytest.fixture
def communes(province):
    a = Commune.objects.get_or_create(code="05443", defaults={"name": "Phường Phan Đình Phùng", "type": "phuong",
                                                              "province": province})[0]
    b = Commune.objects.get_or_create(code="05467", defaults={"name": "Phường Linh Sơn", "type": "phuong",
                                                              "province": province})[0]
    return a, b


def _agency(code, name, kind, province, commune=None):
    return Agency.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "province": province,
                                                             "commune": commune})[0]


@pytest.fixture
def agencies(province, communes):
    return {
        "province": _agency("000.00.91.H56", "UBND tỉnh (thử)", Agency.Kind.PROVINCE_PC, province),
        "commune_a": _agency("000.91.01.H56", "UBND phường A (thử)", Agency.Kind.COMMUNE_PC, province, communes[0]),
        "commune_b": _agency("000.91.02.H56", "UBND phường B (thử)", Agency.Kind.COMMUNE_PC, province, communes[1]),
    }


def make_official(username, agency, roles, password=PASSWORD):
    user = User.objects.create_user(username=username, password=password, email=f"{username}@tinhso.test",
                                    full_name=username.title(), kind=User.Kind.OFFICIAL)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    official = Official.objects.create(user=user, agency=agency)
    for r in roles:
        OfficialRole.objects.create(official=official, role=r)
    return user


@pytest.fixture
def province_admin(agencies):
    return make_official("qt.tinh", agencies["province"], [Role.PROVINCE_ADMIN])


@pytest.fixture
def admin_a(agencies):
    return make_official("qt.phuong.a", agencies["commune_a"], [Role.AGENCY_ADMIN])


@pytest.fixture
def admin_b(agencies):
    return make_official("qt.phuong.b", agencies["commune_b"], [Role.AGENCY_ADMIN])


@pytest.fixture
def receiver_a(agencies):
    return make_official("mot.cua.a", agencies["commune_a"], [Role.RECEIVER])


def make_citizen(cccd="019090123456", dob=dt.date(1990, 9, 5), gender="nam", email="an@example.vn"):
    user = User.objects.create_user(username=cccd, cccd=cccd, password=PASSWORD, email=email, full_name="Nguyễn Văn An",
                                    date_of_birth=dob, gender=gender, phone="0912345678", kind=User.Kind.CITIZEN)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


@pytest.fixture
def citizen(db):
    return make_citizen()


@pytest.fixture
def other_citizen(db):
    return make_citizen(cccd="001301234567", dob=dt.date(2001, 3, 2), gender="nu", email="binh@example.vn")



import datetime as dt

import pytest
from allauth.mfa.models import Authenticator

from tinhso.people.models import Official, OfficialRole, Role, User
from tinhso.places.models import Agency, Province
from tinhso.workcal.due import ZONE
from tinhso.workcal.selectors import calendar_cache_clear


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each test starts from the calendar in its own database state."""
    calendar_cache_clear()
    yield
    calendar_cache_clear()


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=ZONE)


@pytest.fixture
def province(db):
    return Province.objects.get_or_create(code="19", defaults={"name": "Thái Nguyên", "type": "tinh"})[0]


def _official(username, province, roles=(), agency_code="000.00.00.H19"):
    agency = Agency.objects.get_or_create(
        code=agency_code, defaults={"name": "Cơ quan " + agency_code, "kind": Agency.Kind.DEPARTMENT, "province": province}
    )[0]
    user = User.objects.create_user(username=username, password="mat-khau-dai-1234", kind=User.Kind.OFFICIAL,
                                    full_name=username)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    official = Official.objects.create(user=user, agency=agency)
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    return user


@pytest.fixture
def admin_user(province):
    return _official("quantri", province, roles=[Role.PROVINCE_ADMIN])


@pytest.fixture
def official_without_role(province):
    return _official("chuyenvien", province, roles=[Role.SPECIALIST, Role.AGENCY_ADMIN], agency_code="000.00.01.H19")


@pytest.fixture
def citizen(db):
    return User.objects.create_user(username="congdan", password="mat-khau-dai-1234", kind=User.Kind.CITIZEN,
                                    full_name="Nguyễn Văn An")

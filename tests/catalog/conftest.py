import pytest
from allauth.mfa.models import Authenticator

from tinhso.catalog import services
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency, Province


@pytest.fixture
def province():
    return Province.objects.order_by("code").first()


@pytest.fixture
def so_tu_phap(province):
    return Agency.objects.create(code="000.00.10.H01", name="Sở Tư pháp", kind="so", province=province)


@pytest.fixture
def so_xay_dung(province):
    return Agency.objects.create(code="000.00.11.H01", name="Sở Xây dựng", kind="so", province=province)


def _official(username, agency, roles):
    user = User.objects.create_user(username=username, password="x-Secret-123", kind="official", full_name=username)
    official = Official.objects.create(user=user, agency=agency)
    # officials must have a second factor before reaching any page (people middleware)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    for r in roles:
        OfficialRole.objects.create(official=official, role=r)
    return user


@pytest.fixture
def province_admin(so_tu_phap):
    return _official("qt_tinh", so_tu_phap, ["province_admin"])


@pytest.fixture
def tp_admin(so_tu_phap):
    return _official("qt_stp", so_tu_phap, ["agency_admin"])


@pytest.fixture
def xd_admin(so_xay_dung):
    return _official("qt_sxd", so_xay_dung, ["agency_admin"])


@pytest.fixture
def plain_official(so_tu_phap):
    return _official("cv_stp", so_tu_phap, ["specialist"])


@pytest.fixture
def citizen():
    return User.objects.create_user(username="079090001234", password="x-Secret-123", kind="citizen", cccd="079090001234")


@pytest.fixture
def catalog(db):
    services.demo_catalog_load()


@pytest.fixture
def catalog_with_agencies(so_tu_phap, so_xay_dung):
    services.demo_catalog_load()

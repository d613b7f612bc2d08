import csv
import io

import pytest
from allauth.mfa.models import Authenticator
from openpyxl import Workbook

from tinhso.events.models import DomainEvent
from tinhso.people.models import Official, OfficialRole, Role, User
from tinhso.places import services
from tinhso.places.models import Agency
from tinhso.places.uploads import COLUMNS

@pytest.fixture
def demo_agencies(db):
    services.demo_agencies_load()
    return {a.code: a for a in Agency.objects.all()}


def make_user(username, *, kind="citizen"):
    # Tests sign in with force_login: no password (hashing with Argon2 would only slow them down).
    return User.objects.create_user(username=username, password=None, kind=kind, full_name=username)


def make_official(username, agency, roles):
    user = make_user(username, kind=User.Kind.OFFICIAL)
    official = Official.objects.create(user=user, agency=agency)
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    # Officials must have TOTP set up before they reach any page (people middleware).
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


@pytest.fixture
def province_admin(demo_agencies):
    return make_official("qt.tinh", demo_agencies["000.00.01.H55"], [Role.PROVINCE_ADMIN])


@pytest.fixture
def citizen(db):
    return make_user("cong.dan")


@pytest.fixture
def official_without_role(demo_agencies):
    return make_official("cb.mot.cua", demo_agencies["000.00.20.H55"], [Role.RECEIVER, Role.AGENCY_ADMIN])


@pytest.fixture
def admin_of_other_province(db):
    hanoi = Agency.objects.create(code="000.00.00.H26", name="UBND thành phố Hà Nội", kind="ubnd_tinh", province_id="01")
    return make_official("qt.ha.noi", hanoi, [Role.PROVINCE_ADMIN])


@pytest.fixture
def refused_users(request, citizen, official_without_role, admin_of_other_province):
    return {"citizen": citizen, "official_without_role": official_without_role,
            "admin_of_other_province": admin_of_other_province}


def snapshot():
    """Everything an agency change could touch: to assert that a refusal changed nothing."""
    agencies = sorted(Agency.objects.values_list("code", "name", "short_name", "kind", "parent_id", "commune_id", "active"))
    return agencies, DomainEvent.objects.count()


def csv_bytes(rows, header=COLUMNS):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=COLUMNS):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

"""Fixtures of the audit chains: two communes' UBND (X and Y) with their officials, two citizens and a
birth-registration procedure (copied from tests/dossiers/conftest.py: importlib mode cannot import it),
plus helpers to run `tinhso audit verify` and to tamper with the database as an attacker would."""
from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from tinhso.audit import triggers
from tinhso.catalog.models import Component, Field, FormField, Procedure, Step
from tinhso.dossiers import services as dossier_services
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency, Commune, Province

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_seq = itertools.count(1)


def vn(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN)


def pdf(name="giay-to.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def make_official(agency, *roles):
    n = next(_seq)
    user = User.objects.create_user(username=f"kiemtoan{n}", password="Mat-khau-rat-dai-1", kind="official",
                                    full_name=f"Cán Bộ {n}", email=f"kiemtoan{n}@tinhso.test")
    official = Official.objects.create(user=user, agency=agency, title="Công chức")
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    return user


def make_citizen(cccd: str, name: str):
    return User.objects.create_user(username=cccd, cccd=cccd, password="Mat-khau-rat-dai-1", kind="citizen",
                                    full_name=name, email=f"{cccd}@dan.test", phone="0912345678",
                                    date_of_birth=dt.date(1990, 5, 1), gender="nam")


@pytest.fixture
def communes(db):
    province = Province.objects.get(code="19")
    return list(Commune.objects.filter(province=province).order_by("code")[:2])


@pytest.fixture
def agency_x(communes):
    return Agency.objects.create(code="000.31.19.H55", name=f"UBND {communes[0].name}", kind="ubnd_xa",
                                 province_id="19", commune=communes[0])


@pytest.fixture
def agency_y(communes):
    return Agency.objects.create(code="000.32.19.H55", name=f"UBND {communes[1].name}", kind="ubnd_xa",
                                 province_id="19", commune=communes[1])


@pytest.fixture
def staff_x(agency_x):
    return {"receiver": make_official(agency_x, "receiver"), "specialist": make_official(agency_x, "specialist"),
            "leader": make_official(agency_x, "leader")}


@pytest.fixture
def staff_y(agency_y):
    return {"receiver": make_official(agency_y, "receiver"), "specialist": make_official(agency_y, "specialist"),
            "leader": make_official(agency_y, "leader")}


@pytest.fixture
def citizen_a(db):
    return make_citizen("019090001234", "Nguyễn Văn An")


@pytest.fixture
def citizen_b(db):
    return make_citizen("019190004321", "Trần Thị Bình")


@pytest.fixture
def birth_procedure(db):
    field, _ = Field.objects.get_or_create(code="ho_tich_test", defaults={"name": "Hộ tịch (kiểm thử)"})
    proc = Procedure.objects.create(
        code="9.000001", name="Đăng ký khai sinh (kiểm thử)", field=field, level="commune", agency_kind="ubnd_xa",
        online_level="toan_trinh", legal_basis="Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP",
        subjects="Công dân Việt Nam", result_name="Giấy khai sinh", time_kind="working_days", time_amount=5,
        source_document="Luật Hộ tịch 2014", published=True,
    )
    Component.objects.create(procedure=proc, position=1, key="to_khai", name="Tờ khai đăng ký khai sinh",
                             count_original=1, mandatory=True, file_types="pdf")
    Component.objects.create(procedure=proc, position=2, key="giay_chung_sinh", name="Giấy chứng sinh",
                             count_original=1, mandatory=True, file_types="pdf,jpg,png")
    FormField.objects.create(procedure=proc, position=1, key="ho_ten_tre", label="Họ, chữ đệm, tên của trẻ",
                             type="text", required=True, max_length=100)
    FormField.objects.create(procedure=proc, position=2, key="ngay_sinh_tre", label="Ngày sinh của trẻ",
                             type="date", required=True)
    for pos, (kind, role, share) in enumerate(
            [("receive", "receiver", 5), ("process", "specialist", 70), ("approve", "leader", 20),
             ("return", "receiver", 5)], start=1):
        Step.objects.create(procedure=proc, position=pos, kind=kind, role=role, share_percent=share)
    return proc


@pytest.fixture
def processed_dossier(citizen_a, birth_procedure, agency_x, staff_x):
    """A dossier of citizen A submitted, received and sent for approval: three events (seq 1, 2, 3)."""
    d = dossier_services.dossier_submit_online(
        actor=citizen_a, procedure=birth_procedure, agency=agency_x,
        form_data={"ho_ten_tre": "Nguyễn Minh Khôi", "ngay_sinh_tre": "01/02/2026"},
        files={"to_khai": [pdf("to-khai.pdf")], "giay_chung_sinh": [pdf("chung-sinh.pdf")]}, at=vn(2026, 3, 2, 8, 0))
    d = dossier_services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 3, 2, 8, 30))
    return dossier_services.dossier_submit_for_approval(actor=staff_x["specialist"], dossier=d, note="Đủ điều kiện",
                                                        at=vn(2026, 3, 3, 9, 0))


class Verified:
    def __init__(self, code: int, lines: list[str]):
        self.code, self.lines = code, lines
        self.summary = json.loads(lines[-1])
        self.messages = lines[:-1]


def run_verify(*args: str) -> Verified:
    out = io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return Verified(code, out.getvalue().strip().splitlines())


def sql(statement: str, params=()):
    """Run raw SQL as an attacker with database access would, after removing the guarding triggers."""
    with connection.cursor() as cur:
        cur.execute(statement, params)


def drop_guards(*tables: str) -> None:
    for table in tables:
        triggers.drop(connection, table)


def db_time(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)

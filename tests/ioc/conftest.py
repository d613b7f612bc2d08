"""Fixtures of the operations centre: two communes' UBND (X, Y) and a department, officials with and
without the IOC roles, a citizen, a procedure, and `ioc_data`: dossiers and reports written straight into
the tables (as a simulation does) in known states, then the rollups rebuilt.

All dossiers are received today (local time), so that they count in today's and this month's figures
whatever day the tests run. `ioc_data` returns the expected figures, written out by hand."""
from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from tinhso.catalog.models import Field, Procedure
from tinhso.dossiers.models import Dossier, DossierStep
from tinhso.feedback.models import Category, Report
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency, Commune

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_seq = itertools.count(1)


def make_official(agency, *roles, title="Công chức"):
    n = next(_seq)
    user = User.objects.create_user(username=f"ioccanbo{n}", password="Mat-khau-rat-dai-1", kind="official",
                                    full_name=f"Cán Bộ Điều Hành {n}", email=f"ioccanbo{n}@tinhso.test")
    official = Official.objects.create(user=user, agency=agency, title=title)
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    # Officials must have a second factor before they reach any page (people.middleware).
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


@pytest.fixture
def communes(db):
    return list(Commune.objects.filter(province_id="19").order_by("code")[:2])


@pytest.fixture
def province_pc(db):
    return Agency.objects.create(code="000.00.00.H55", name="UBND tỉnh Thái Nguyên (kiểm thử)", kind="ubnd_tinh",
                                 province_id="19")


@pytest.fixture
def agency_x(communes):
    return Agency.objects.create(code="000.61.19.H55", name=f"UBND {communes[0].name}", kind="ubnd_xa",
                                 province_id="19", commune=communes[0])


@pytest.fixture
def agency_y(communes):
    return Agency.objects.create(code="000.62.19.H55", name=f"UBND {communes[1].name}", kind="ubnd_xa",
                                 province_id="19", commune=communes[1])


@pytest.fixture
def department(db):
    return Agency.objects.create(code="000.00.09.H55", name="Sở Xây dựng (kiểm thử)", kind="so", province_id="19")


@pytest.fixture
def people(province_pc, agency_x, agency_y):
    citizen = User.objects.create_user(username="019090009999", cccd="019090009999", password="Mat-khau-rat-dai-1",
                                       kind="citizen", full_name="Lò Văn Dân", email="dan@dan.test")
    return {
        "ioc": make_official(province_pc, "ioc_viewer", title="Lãnh đạo UBND tỉnh"),
        "admin": make_official(province_pc, "province_admin"),
        "leader_x": make_official(agency_x, "leader", title="Chủ tịch UBND"),
        "leader_y": make_official(agency_y, "leader", title="Chủ tịch UBND"),
        "specialist_x": make_official(agency_x, "specialist", title="Công chức Tư pháp - Hộ tịch"),
        "specialist_x2": make_official(agency_x, "specialist", title="Công chức Văn hóa - Xã hội"),
        "specialist_y": make_official(agency_y, "specialist"),
        "citizen": citizen,
    }


@pytest.fixture
def procedure(db):
    field, _ = Field.objects.get_or_create(code="ho_tich_ioc", defaults={"name": "Hộ tịch (kiểm thử IOC)"})
    return Procedure.objects.create(
        code="9.000777", name="Đăng ký khai sinh (kiểm thử IOC)", field=field, level="commune", agency_kind="ubnd_xa",
        online_level="toan_trinh", legal_basis="Luật Hộ tịch 2014", subjects="Công dân Việt Nam",
        result_name="Giấy khai sinh", time_kind="working_days", time_amount=5, source_document="Luật Hộ tịch 2014",
        published=True)


def today_start(now=None) -> dt.datetime:
    local = timezone.localtime(now or timezone.now(), VN)
    return local.replace(hour=0, minute=1, second=0, microsecond=0)


class DossierMaker:
    def __init__(self, procedure):
        self.procedure = procedure
        self.n = itertools.count(1)

    def __call__(self, agency, *, state: int, channel: int = 2, late: bool = False, finished_late: bool = False,
                 supplements: int = 0, in_charge=None, holder=None) -> Dossier:
        now = timezone.now()
        received = today_start(now)
        n = next(self.n)
        finished = state in (9, 10)
        due = now - dt.timedelta(hours=1) if (late or finished_late) else now + dt.timedelta(days=3)
        finished_at = None
        if finished:
            finished_at = (due + dt.timedelta(minutes=30)) if finished_late else (received + dt.timedelta(minutes=5))
        d = Dossier.objects.create(
            code=f"{agency.code}-{received:%y%m%d}-{n:04d}", procedure=self.procedure,
            procedure_code=self.procedure.code, procedure_name=self.procedure.name, agency=agency, channel=channel,
            state=state, applicant_name=f"Người Nộp {n}", limit_kind="working_days", limit_amount=5,
            submitted_at=received, received_at=received, counting_from=received, due_at=due, original_due_at=due,
            finished_at=finished_at, returned_at=finished_at if state == 10 else None,
            closed_at=finished_at, supplement_count=supplements, assignee=holder)
        if in_charge is not None:
            DossierStep.objects.create(dossier=d, order=2, kind="process", name="Xử lý", role="specialist",
                                       share_percent=70, agency=agency, assignee=in_charge, status="active")
        return d


@pytest.fixture
def ioc_data(people, agency_x, agency_y, department, procedure, communes):
    """Known dossiers and reports, received today; the rollups rebuilt from them.

    Commune X (agency_x): 7 dossiers — 2 late now (one past its due time, in charge of specialist_x; one
    with 2 supplement requests, in charge of specialist_x2), 1 paused (supplement), 2 processing within
    time (one in charge of specialist_x, one unassigned), 1 finished on time (desk), 1 finished late.
    Commune Y (agency_y): 3 dossiers — 1 late now (specialist_y), 1 processing within time, 1 returned on time.
    Department: 2 dossiers — 1 late now (unassigned), 1 received within time (desk).
    Reports: 2 open in X (one past its due time), 1 answered in Y."""
    from tinhso.scoring.services import rollups_rebuild

    make = DossierMaker(procedure)
    sx, sx2, sy = people["specialist_x"], people["specialist_x2"], people["specialist_y"]
    d = {}
    d["x_late"] = make(agency_x, state=4, late=True, in_charge=sx)
    d["x_late_supp"] = make(agency_x, state=4, supplements=2, in_charge=sx2)
    d["x_paused"] = make(agency_x, state=5, supplements=1, in_charge=sx)
    d["x_ok1"] = make(agency_x, state=4, in_charge=sx)
    d["x_ok2"] = make(agency_x, state=2)
    d["x_done"] = make(agency_x, state=10, channel=1, in_charge=sx2)
    d["x_done_late"] = make(agency_x, state=9, finished_late=True, in_charge=sx)
    d["y_late"] = make(agency_y, state=4, late=True, in_charge=sy)
    d["y_ok"] = make(agency_y, state=4, in_charge=sy)
    d["y_done"] = make(agency_y, state=10, in_charge=sy)
    d["s_late"] = make(department, state=4, late=True)
    d["s_ok"] = make(department, state=2, channel=1)
    category = Category.objects.create(code="ioc-giao-thong", name="Giao thông (kiểm thử)")
    now = timezone.now()
    reports = [
        Report.objects.create(public_id="PA-IOC-0001", category=category, description="Ổ gà trên đường",
                              state="assigned", commune=communes[0], agency=agency_x, due_at=now - dt.timedelta(hours=2)),
        Report.objects.create(public_id="PA-IOC-0002", category=category, description="Đèn đường hỏng",
                              state="new", commune=communes[0], agency=agency_x, due_at=now + dt.timedelta(days=5)),
        Report.objects.create(public_id="PA-IOC-0003", category=category, description="Rác thải",
                              state="answered", commune=communes[1], agency=agency_y, due_at=now + dt.timedelta(days=5),
                              answered_at=now, answer="Đã thu gom."),
    ]
    rollups_rebuild()
    expected = {
        "received_today": 12, "received": 12, "online": 10, "late_now": 4, "paused_now": 1, "open_now": 9,
        "finished": 3, "done_on_time": 2, "done_late": 1, "reports_open": 2, "reports_late": 1,
        "late_now_x": 2, "late_now_y": 1, "late_now_department": 1,
    }
    return {"dossiers": d, "reports": reports, "expected": expected}

"""Fixtures of scoring: two communes' UBND (X, Y) and a department, their officials, the province
administrator, an IOC viewer, citizens, three procedures (a free one with a paper result, a fee-bearing
one, a department's one), a report category routed to X; and two ways of making data:
`journeys` (through the dossier and report services, the incremental path) and `bulk_year` (a year of
a few hundred dossiers and reports written straight into the tables, as a simulation does)."""
from __future__ import annotations

import datetime as dt
import itertools
import random
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.catalog.models import Component, Fee, Field, FormField, Procedure, Step
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency, Commune

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_seq = itertools.count(1)


def vn(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN)


def pdf(name="giay-to.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def make_official(agency, *roles, title="Công chức"):
    n = next(_seq)
    user = User.objects.create_user(username=f"sccanbo{n}", password="Mat-khau-rat-dai-1", kind="official",
                                    full_name=f"Cán Bộ Chấm Điểm {n}", email=f"sccanbo{n}@tinhso.test")
    official = Official.objects.create(user=user, agency=agency, title=title)
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    return user


def make_citizen(cccd: str, name: str):
    return User.objects.create_user(username=cccd, cccd=cccd, password="Mat-khau-rat-dai-1", kind="citizen",
                                    full_name=name, email=f"{cccd}@dan.test", phone="0912345678",
                                    date_of_birth=dt.date(1990, 5, 1), gender="nam")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def communes(db):
    return list(Commune.objects.filter(province_id="19").order_by("code")[:2])


@pytest.fixture
def agency_x(communes):
    return Agency.objects.create(code="000.51.19.H55", name=f"UBND {communes[0].name}", kind="ubnd_xa",
                                 province_id="19", commune=communes[0])


@pytest.fixture
def agency_y(communes):
    return Agency.objects.create(code="000.52.19.H55", name=f"UBND {communes[1].name}", kind="ubnd_xa",
                                 province_id="19", commune=communes[1])


@pytest.fixture
def department(db):
    return Agency.objects.create(code="000.00.08.H55", name="Sở Tư pháp (kiểm thử)", kind="so", province_id="19")


@pytest.fixture
def staff_x(agency_x):
    return {"receiver": make_official(agency_x, "receiver"), "specialist": make_official(agency_x, "specialist"),
            "leader": make_official(agency_x, "leader"), "admin": make_official(agency_x, "agency_admin")}


@pytest.fixture
def staff_y(agency_y):
    return {"receiver": make_official(agency_y, "receiver"), "specialist": make_official(agency_y, "specialist"),
            "leader": make_official(agency_y, "leader")}


@pytest.fixture
def province_admin(department):
    return make_official(department, "province_admin")


@pytest.fixture
def ioc_viewer(department):
    return make_official(department, "ioc_viewer")


@pytest.fixture
def citizen_a(db):
    return make_citizen("019090001234", "Nguyễn Văn An")


@pytest.fixture
def citizen_b(db):
    return make_citizen("019190004321", "Trần Thị Bình")


def _procedure(code, name, *, level="commune", kind="ubnd_xa", paper=True, fee=0, online="toan_trinh", days=5):
    field, _ = Field.objects.get_or_create(code="scoring_test", defaults={"name": "Lĩnh vực (kiểm thử chấm điểm)"})
    proc = Procedure.objects.create(
        code=code, name=name, field=field, level=level, agency_kind=kind, online_level=online,
        legal_basis="Văn bản kiểm thử", subjects="Công dân Việt Nam", result_name="Kết quả", result_paper=paper,
        time_kind="working_days", time_amount=days, source_document="Văn bản kiểm thử", published=True)
    Component.objects.create(procedure=proc, position=1, key="to_khai", name="Tờ khai", count_original=1,
                             mandatory=True, file_types="pdf")
    Component.objects.create(procedure=proc, position=2, key="giay_to", name="Giấy tờ kèm theo", count_original=1,
                             mandatory=False, file_types="pdf")
    FormField.objects.create(procedure=proc, position=1, key="noi_dung", label="Nội dung", type="text",
                             required=True, max_length=100)
    for pos, (kind_, role, share) in enumerate([("receive", "receiver", 5), ("process", "specialist", 70),
                                               ("approve", "leader", 20), ("return", "receiver", 5)], start=1):
        Step.objects.create(procedure=proc, position=pos, kind=kind_, role=role, share_percent=share)
    if fee:
        Fee.objects.create(procedure=proc, position=1, description="Lệ phí", amount=fee)
    return proc


@pytest.fixture
def procedures(db):
    return {
        "birth": _procedure("9.100001", "Đăng ký khai sinh (kiểm thử chấm điểm)"),
        "fee": _procedure("9.100002", "Chứng thực bản sao (kiểm thử chấm điểm)", paper=False, fee=20000,
                          online="mot_phan"),
        "dept": _procedure("9.100003", "Cấp phiếu lý lịch tư pháp (kiểm thử chấm điểm)", level="province", kind="so",
                           fee=200000, online="khong"),
        "draft": _procedure("9.100004", "Thủ tục chưa đủ bộ phận (kiểm thử chấm điểm)", online="khong"),
    }


@pytest.fixture
def incomplete_procedure(procedures):
    """A published commune procedure without components: not complete (766 1.3), not online (3.1)."""
    proc = procedures["draft"]
    proc.components.all().delete()
    return proc


@pytest.fixture
def category(agency_x, db):
    from tinhso.feedback.models import Category, RoutingRule

    cat = Category.objects.create(code="giao-thong-test", name="Giao thông (kiểm thử)", deadline_working_days=15)
    RoutingRule.objects.create(category=cat, commune=None, agency=agency_x)
    return cat


# --- the services path -------------------------------------------------------------------------------

class Journeys:
    """Dossiers and reports moved through the domain services (so the rollups are kept incrementally)."""

    def __init__(self, procedures, staff_x, staff_y, agency_x, agency_y, citizens):
        self.p, self.sx, self.sy, self.ax, self.ay, self.citizens = (procedures, staff_x, staff_y, agency_x, agency_y,
                                                                     citizens)

    def submit(self, *, at, citizen=None, agency=None, proc="birth"):
        from tinhso.dossiers import services

        return services.dossier_submit_online(
            actor=citizen or self.citizens[0], procedure=self.p[proc], agency=agency or self.ax,
            form_data={"noi_dung": "Đề nghị giải quyết"}, files={"to_khai": [pdf("to-khai.pdf")]}, at=at)

    def received(self, *, at, staff=None, **kw):
        from tinhso.dossiers import services

        staff = staff or self.sx
        d = self.submit(at=at, **kw)
        return services.dossier_receive(actor=staff["receiver"], dossier=d, at=at + dt.timedelta(minutes=30))

    def desk(self, *, at, staff=None, agency=None, proc="birth", counted=True):
        from tinhso.dossiers import services

        staff = staff or self.sx
        return services.dossier_register_at_desk(
            actor=staff["receiver"], procedure=self.p[proc], agency=agency or self.ax,
            applicant={"applicant_name": "Lê Thị Hoa"}, form_data={"noi_dung": "Đề nghị"},
            files={} if counted else {"to_khai": [pdf()]},
            counted={"to_khai": {"originals": 1}} if counted else None, at=at)

    def finish(self, d, *, at, staff=None, return_too=True):
        from tinhso.dossiers import services

        staff = staff or self.sx
        d = services.dossier_submit_for_approval(actor=staff["specialist"], dossier=d, at=at)
        d = services.dossier_approve(actor=staff["leader"], dossier=d, result_file=pdf("ket-qua.pdf"),
                                     at=at + dt.timedelta(hours=1))
        if return_too:
            d = services.dossier_return_result(actor=staff["receiver"], dossier=d, at=at + dt.timedelta(hours=2))
        return d


@pytest.fixture
def journeys(procedures, staff_x, staff_y, agency_x, agency_y, citizen_a, citizen_b):
    return Journeys(procedures, staff_x, staff_y, agency_x, agency_y, [citizen_a, citizen_b])


# --- the bulk path: a year written straight into the tables --------------------------------------------

def bulk_year(*, year, procedures, agencies, officials, citizens, category, communes, n=300, reports=120, seed=7):
    """A year of `n` dossiers and `reports` reports with every shape the indicators distinguish: channels,
    states (returned, finished, running, paused, withdrawn, stopped, refused, not yet received), on time /
    late / late by supplements, pauses, fees paid or not, electronic results or not, papers uploaded,
    counted at the desk or reused (data store, earlier dossier), ratings, complaints; reports answered on
    time or late, declined, open past due, rated, reopened. Written with bulk inserts, like a simulation."""
    from tinhso.datastore.models import StoredDocument
    from tinhso.dossiers.models import (Complaint, Dossier, DossierComponent, PaymentRequest, Rating,
                                        SupplementRequest)
    from tinhso.feedback.models import Report
    from tinhso.workcal import selectors as workcal
    from tinhso.workcal.selectors import TimeLimit

    rng = random.Random(seed)
    cal = workcal.current_calendar()
    start = dt.datetime(year, 1, 1, tzinfo=VN)
    store_doc = StoredDocument.objects.create(owner=citizens[0], doc_type="cccd", title="Căn cước", origin="self",
                                              file="store/x.pdf", sha256="0" * 64, created_at=start)
    commune_agencies = [a for a in agencies if a.kind == "ubnd_xa"]
    dept = [a for a in agencies if a.kind != "ubnd_xa"]
    dossiers, plans = [], []
    for i in range(n):
        at = start + dt.timedelta(days=rng.randrange(365), hours=rng.choice([7, 8, 9, 10, 14, 15, 16, 22]),
                                  minutes=rng.randrange(60))
        key = rng.choice(["birth", "birth", "fee", "dept"])
        agency = rng.choice(dept) if key == "dept" else rng.choice(commune_agencies)
        proc = procedures[key]
        channel = rng.choice([1, 2, 2, 3])
        fate = rng.choices(["returned", "finished", "running", "paused", "withdrawn", "stopped", "refused", "new"],
                           [50, 8, 14, 6, 5, 4, 6, 7])[0]
        supplements = rng.choices([0, 1, 2], [70, 20, 10])[0] if fate not in ("refused", "new") else 0
        due = cal.due(at, TimeLimit("working_days", 5)).due_at
        d = Dossier(procedure=proc, procedure_code=proc.code, procedure_name=proc.name, agency=agency, channel=channel,
                    applicant=citizens[i % 2], applicant_name="Người nộp", limit_kind="working_days", limit_amount=5,
                    submitted_at=at, fee_amount=proc.fee_total_min,
                    supplement_count=supplements)
        received = fate not in ("refused", "new")
        if fate == "withdrawn" and rng.random() < 0.3:
            received = False  # withdrawn before reception
        if received:
            d.received_at = at
            d.counting_from = at
            d.due_at = due
            d.code = f"{agency.code}-{at:%y%m%d}-{i:04d}"
        d.state = {"returned": 10, "finished": 9, "running": rng.choice([2, 4]), "paused": rng.choice([5, 6]),
                   "withdrawn": 7, "stopped": 8, "refused": 3, "new": 1}[fate]
        if fate in ("returned", "finished"):
            d.finished_at = at + dt.timedelta(days=rng.choice([1, 2, 3, 5, 7, 9, 12]), hours=rng.randrange(8))
            if fate == "returned":
                d.returned_at = d.finished_at + dt.timedelta(hours=1)
            if rng.random() < 0.85:
                d.result_file = f"results/{i}.pdf"
        if fate == "running" and rng.random() < 0.5:
            d.due_at = dt.datetime(year + 1, 3, 1, 9, tzinfo=VN)  # still within time at "now"
        if received and d.fee_amount and rng.random() < 0.6:
            d.paid_at = at + dt.timedelta(hours=3)
        dossiers.append(d)
        plans.append((fate, received, at))
    Dossier.objects.bulk_create(dossiers)
    comps, ratings, complaints, supps, pays = [], [], [], [], []
    for d, (fate, received, at) in zip(dossiers, plans):
        for k in range(rng.choice([1, 2, 3])):
            how = rng.choices(["file", "paper", "store", "dossier"], [60, 20, 10, 10])[0]
            comps.append(DossierComponent(
                dossier=d, key=f"k{k}", name=f"Giấy tờ {k}",
                file="" if how == "paper" else f"dossiers/{d.pk}-{k}.pdf",
                reuse_source={"store": "datastore", "dossier": "dossier"}.get(how, ""),
                reused_from=store_doc if how == "store" else None, originals=1 if how == "paper" else 0))
        if fate in ("returned", "finished") and rng.random() < 0.6:
            ratings.append(Rating(dossier=d, level=rng.choice(["satisfied", "satisfied", "acceptable", "unsatisfied"]),
                                  created_at=d.finished_at + dt.timedelta(days=1)))
        if received and rng.random() < 0.06:
            complaints.append(Complaint(dossier=d, author=citizens[0], text="Chậm", created_at=at + dt.timedelta(days=2)))
        for s in range(d.supplement_count):
            begin = at + dt.timedelta(days=1 + s, hours=1)
            answered = None if (fate == "paused" and s == d.supplement_count - 1) else begin + dt.timedelta(hours=20)
            supps.append(SupplementRequest(dossier=d, requested_by=officials[0], requested_at=begin, reason="Bổ sung",
                                           answered_at=answered))
        if d.paid_at:
            pays.append(PaymentRequest(dossier=d, requested_by=officials[0], requested_at=d.paid_at - dt.timedelta(hours=2),
                                       amount=d.fee_amount, purpose="Lệ phí", paid_at=d.paid_at))
    DossierComponent.objects.bulk_create(comps)
    Rating.objects.bulk_create(ratings)
    Complaint.objects.bulk_create(complaints)
    SupplementRequest.objects.bulk_create(supps)
    PaymentRequest.objects.bulk_create(pays)

    report_rows = []
    for i in range(reports):
        created = start + dt.timedelta(days=rng.randrange(365), hours=rng.choice([8, 10, 15, 20]))
        commune = rng.choice(communes + [None])
        agency = rng.choice(commune_agencies + [None])
        fate = rng.choices(["answered", "closed", "rejected", "open", "new"], [35, 25, 10, 20, 10])[0]
        r = Report(public_id=f"PA-T{i:06d}", category=category, description="Ổ gà", commune=commune,
                   address="Đường kiểm thử", via="web", reporter=citizens[i % 2])
        due = cal.due(created, TimeLimit("working_days", 15)).due_at
        if fate != "new" and fate != "rejected":
            r.agency = agency
            r.accepted_at = created
            r.due_at = due if rng.random() < 0.7 else dt.datetime(year + 1, 6, 1, tzinfo=VN)
        if fate in ("answered", "closed"):
            r.answered_at = created + dt.timedelta(days=rng.choice([1, 5, 10, 19, 25]))
            r.state = fate
            r.rating = rng.choice(["", "satisfied", "acceptable", "unsatisfied"])
            r.reopened_count = 1 if rng.random() < 0.1 else 0
            if fate == "closed":
                r.closed_at = r.answered_at + dt.timedelta(days=1)
        elif fate == "rejected":
            r.state = "rejected"
            r.closed_at = created + dt.timedelta(days=rng.choice([0, 1, 4, 9]))
        elif fate == "open":
            r.state = rng.choice(["accepted", "assigned", "in_progress"])
            r.reopened_count = 1 if rng.random() < 0.15 else 0
            if r.reopened_count:
                r.rating = "unsatisfied"
        else:
            r.state = "new"
        report_rows.append((r, created))
    Report.objects.bulk_create([r for r, _ in report_rows])
    for r, created in report_rows:
        Report.objects.filter(pk=r.pk).update(created_at=created)
    return dossiers

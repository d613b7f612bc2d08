"""The world of the permission matrix (test_permission_matrix.py), built ONCE per test module inside a
transaction that is rolled back at the end (each test, and each request of a test, runs in a savepoint
of it). Only tests that ask for the `world` fixture build it (the hardening tests in hardening/ do not).

Two communes' UBND (agency X and agency Y) with a receiver, a specialist and a leader each; the UBND of
the province with the province administrator and an IOC viewer; citizens A and B; a published
procedure with a four-step workflow; dossiers of citizen A at agency X in every state an action starts
from; a warning; a stored paper of A; citizen reports (new, assigned to X, answered with a photo); an
Open311 API key. Officials have TOTP set up (the people middleware sends them to set it up otherwise).

`world.clients[actor]` is a test client signed in as that actor (anonymous: not signed in)."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from PIL import Image

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORD = "Mat-khau-rat-dai-1"

X_CODE, Y_CODE = "000.51.19.H55", "000.52.19.H55"  # the identifier codes of agencies X and Y
ACTORS = ("anonymous", "citizen_a", "citizen_b",
          "x_receiver", "x_specialist", "x_leader", "y_receiver", "y_specialist", "y_leader",
          "ioc_viewer", "province_admin")


def pdf(name="giay-to.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def jpeg(name="anh.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@dataclass
class World:
    users: dict = field(default_factory=dict)        # actor name -> User (anonymous: None)
    clients: dict = field(default_factory=dict)      # actor name -> Client
    objects: dict = field(default_factory=dict)      # name -> model instance used in URLs and bodies
    values: dict = field(default_factory=dict)       # name -> plain value (codes, keys, ids)

    def __getitem__(self, name):
        if name in self.values:
            return self.values[name]
        if name in self.users:
            return self.users[name]
        return self.objects[name]


def _email(user):
    """The confirmed address every account made by the people services has (allauth reads it)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


def _official(agency, username, *roles):
    from allauth.mfa.models import Authenticator

    from tinhso.people.models import Official, OfficialRole, User

    user = User.objects.create_user(username=username, password=PASSWORD, kind="official",
                                    full_name=f"Cán bộ {username}", email=f"{username}@tinhso.test")
    official = Official.objects.create(user=user, agency=agency, title="Công chức")
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    _email(user)
    return user


def _citizen(cccd, name):
    from tinhso.people.models import User

    user = User.objects.create_user(username=cccd, cccd=cccd, password=PASSWORD, kind="citizen", full_name=name,
                                    email=f"{cccd}@dan.test", phone="0912345678", date_of_birth=dt.date(1990, 5, 1),
                                    gender="nam")
    _email(user)
    return user


def _procedure():
    from tinhso.catalog.models import Component, Field, FormField, Procedure, Step

    field_, _ = Field.objects.get_or_create(code="ho_tich_mt", defaults={"name": "Hộ tịch (ma trận quyền)"})
    proc = Procedure.objects.create(
        code="9.900001", name="Đăng ký khai sinh (ma trận quyền)", field=field_, level="commune",
        agency_kind="ubnd_xa", online_level="toan_trinh", legal_basis="Luật Hộ tịch 2014",
        subjects="Công dân Việt Nam", result_name="Giấy khai sinh", time_kind="working_days", time_amount=5,
        source_document="Luật Hộ tịch 2014", published=True)
    Component.objects.create(procedure=proc, position=1, key="to_khai", name="Tờ khai đăng ký khai sinh",
                             count_original=1, mandatory=True, file_types="pdf")
    Component.objects.create(procedure=proc, position=2, key="giay_chung_sinh", name="Giấy chứng sinh",
                             count_original=1, mandatory=True, file_types="pdf,jpg,png")
    FormField.objects.create(procedure=proc, position=1, key="ho_ten_tre", label="Họ, chữ đệm, tên của trẻ",
                             type="text", required=True, max_length=100)
    for pos, (kind, role, share) in enumerate(
            [("receive", "receiver", 5), ("process", "specialist", 70), ("approve", "leader", 20),
             ("return", "receiver", 5)], start=1):
        Step.objects.create(procedure=proc, position=pos, kind=kind, role=role, share_percent=share)
    return proc


def build_world() -> World:
    from tinhso.datastore import services as datastore
    from tinhso.dossiers import services as dossiers
    from tinhso.dossiers.models import Warning
    from tinhso.feedback import services as feedback
    from tinhso.feedback.models import Category, RoutingRule
    from tinhso.places.models import Agency, Commune
    from tinhso.workcal.models import CalendarEntry

    w = World()
    c0, c1 = list(Commune.objects.filter(province_id="19").order_by("code")[:2])
    x = Agency.objects.create(code=X_CODE, name=f"UBND {c0.name}", kind="ubnd_xa", province_id="19", commune=c0)
    y = Agency.objects.create(code=Y_CODE, name=f"UBND {c1.name}", kind="ubnd_xa", province_id="19", commune=c1)
    p = Agency.objects.create(code="000.00.00.H59", name="UBND tỉnh (ma trận quyền)", kind="ubnd_tinh", province_id="19")
    u = w.users
    u["anonymous"] = None
    u["citizen_a"] = _citizen("019090001234", "Nguyễn Văn An")
    u["citizen_b"] = _citizen("019190004321", "Trần Thị Bình")
    for prefix, agency in (("x", x), ("y", y)):
        for role in ("receiver", "specialist", "leader"):
            u[f"{prefix}_{role}"] = _official(agency, f"mt_{prefix}_{role}", role)
    u["ioc_viewer"] = _official(p, "mt_ioc", "ioc_viewer")
    u["province_admin"] = _official(p, "mt_qt_tinh", "province_admin")
    a = u["citizen_a"]

    proc = _procedure()
    files = lambda: {"to_khai": [pdf("to-khai.pdf")], "giay_chung_sinh": [pdf("chung-sinh.pdf")]}  # noqa: E731

    def submitted():
        return dossiers.dossier_submit_online(actor=a, procedure=proc, agency=x, form_data={"ho_ten_tre": "Nguyễn Minh Khôi"},
                                              files=files())

    def processing():
        d = dossiers.dossier_receive(actor=u["x_receiver"], dossier=submitted())
        return dossiers.dossier_assign(actor=u["x_receiver"], dossier=d, assignee=u["x_specialist"])

    def approved():
        return dossiers.dossier_approve(actor=u["x_leader"], dossier=dossiers.dossier_submit_for_approval(
            actor=u["x_specialist"], dossier=processing()))

    d_new = submitted()                                                      # 1: receive, refuse
    d_proc = processing()                                                    # 4: assign, forward, stop, ...
    d_approval = dossiers.dossier_submit_for_approval(actor=u["x_specialist"], dossier=processing(),
                                                      leader=u["x_leader"])  # 4, at the approval step
    d_finished = approved()                                                  # 9: return, result
    d_returned = dossiers.dossier_return_result(actor=u["x_receiver"], dossier=approved())  # 10: rate, complain
    d_supplement = dossiers.dossier_request_supplement(actor=u["x_specialist"], dossier=processing(),
                                                       reason="Thiếu giấy chứng sinh bản chính",
                                                       items=[{"key": "giay_chung_sinh", "name": "Giấy chứng sinh"}])
    d_payment = dossiers.dossier_request_payment(actor=u["x_specialist"], dossier=processing(), amount=8000,
                                                 purpose="Lệ phí hộ tịch")
    warning = Warning.objects.create(dossier=d_proc, step=2, kind="due_soon", recipient=u["x_specialist"],
                                     created_at=d_proc.received_at, due_at=d_proc.due_at)
    doc_a = datastore.document_add(actor=a, doc_type="khac", title="Giấy xác nhận (tự khai)", upload=pdf("xac-nhan.pdf"))

    category = Category.objects.create(code="trat-tu-mt", name="Trật tự đô thị (ma trận quyền)", deadline_working_days=5)
    RoutingRule.objects.create(category=category, commune=c0, agency=x)
    report_new = feedback.report_create(actor=a, category=category, commune=c0,
                                        description="Lấn chiếm vỉa hè trước chợ, người đi bộ phải xuống lòng đường.")
    report_assigned = feedback.report_accept(actor=u["province_admin"], report=feedback.report_create(
        actor=a, category=category, commune=c0, description="Đèn đường hỏng cả dãy phố, tối không có đèn."))
    answered = feedback.report_accept(actor=u["province_admin"], report=feedback.report_create(
        actor=a, category=category, commune=c0, description="Rác thải đổ trộm ven sông.", photos=[jpeg()]))
    report_answered = feedback.report_answer(actor=u["x_specialist"], report=answered,
                                             answer="Đã dọn rác và lắp biển cấm đổ rác.")
    apikey, raw_key = feedback.apikey_create(actor=u["province_admin"], name="Ứng dụng thử (ma trận quyền)")

    w.objects.update(
        agency_x=x, agency_y=y, agency_p=p, procedure=proc, d_new=d_new, d_proc=d_proc, d_approval=d_approval,
        d_finished=d_finished, d_returned=d_returned, d_supplement=d_supplement, d_payment=d_payment,
        warning=warning, doc_a=doc_a, category=category, report_new=report_new, report_assigned=report_assigned,
        report_answered=report_answered, apikey=apikey,
        calendar_entry=CalendarEntry.objects.order_by("date").first(),
        component=d_proc.components.order_by("id").first(),
        supplement_request=d_supplement.supplement_requests.get(),
        photo=report_answered.photos.get(),
        official_x_specialist=u["x_specialist"].official,
    )
    w.values.update(api_key=raw_key)
    for actor, user in u.items():
        client = Client(raise_request_exception=True)
        if user is not None:
            client.force_login(user)
        w.clients[actor] = client
    return w


def _memoize_openapi_schema():
    """The OpenAPI schema is the same for every caller and takes about a second to build: build it once
    for the module (the matrix asks for /api/openapi.json eleven times). Returns the undo."""
    from tinhso.api.root import api

    memo = {}
    build = api.get_openapi_schema

    def cached(*args, **kwargs):
        key = repr((args, sorted(kwargs.items())))
        if key not in memo:
            memo[key] = build(*args, **kwargs)
        return memo[key]

    api.get_openapi_schema = cached
    return lambda: api.__dict__.pop("get_openapi_schema", None)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module; rolled back (database and settings) when the module is done."""
    media = tmp_path_factory.mktemp("matrix-media")
    overrides = override_settings(
        MEDIA_ROOT=str(media), EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], REGISTRY_URL="",
        RATELIMIT_ENABLE=False)  # rate limits are not permissions (and every request here comes from one address)
    overrides.enable()
    undo_memo = _memoize_openapi_schema()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            overrides.disable()
            undo_memo()
            raise
    try:
        yield w
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        overrides.disable()
        undo_memo()

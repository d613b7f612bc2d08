"""A few demo dossiers in different states, made through the dossier services, so that the citizen's
"my dossiers" and the officials' inboxes show real work the first time someone signs in."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tinhso.catalog.models import Procedure
from tinhso.dossiers import services as dossiers
from tinhso.dossiers.models import Dossier
from tinhso.places.models import Agency
from tinhso.workcal import selectors as workcal

from .accounts import JUSTICE, WARD

# A minimal, valid one-page PDF (what a scanned paper would be).
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
DEMO_JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def _value(field, user):
    t = field.type
    if t == "select":
        return field.choices[0]["value"]
    if t == "checkbox":
        return True
    if t == "date":
        return "15/03/2026"
    if t == "number":
        return int(field.min_value) if field.min_value is not None else 1
    if t == "cccd":
        return user.cccd
    if t == "phone":
        return user.phone or "0912345678"
    if t == "email":
        return user.email
    if t == "textarea":
        return "Đề nghị cơ quan xem xét, giải quyết."
    return user.full_name[: field.max_length or 100]


def _form(procedure, user) -> dict:
    return {f.key: _value(f, user) for f in procedure.form_fields.all()}


def _files(procedure) -> dict:
    files = {}
    for comp in procedure.components.all():
        kind = "pdf" if "pdf" in comp.file_type_list else "jpg"
        data = DEMO_PDF if kind == "pdf" else DEMO_JPG
        files[comp.key] = [SimpleUploadedFile(f"{comp.key}.{kind}", data)]
    return files


def _working_moment(days_ago: int, hour: int = 9) -> dt.datetime:
    """A working moment `days_ago` working days before today, at `hour` o'clock."""
    day = timezone.localdate()
    count = 0
    while count < days_ago:
        day -= dt.timedelta(days=1)
        if workcal.is_working_day(day):
            count += 1
    while not workcal.is_working_day(day):
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


PLAN = [
    # procedure, citizen, agency, submitted (working days ago), what happens next
    ("1.001193", "019090001234", WARD, 0, "submitted"),
    ("2.000720", "019090001234", WARD, 1, "processing"),
    ("1.004873", "019190004321", WARD, 2, "supplement"),
    ("1.004746", "019190004321", WARD, 9, "late"),
    ("2.000635", "019090001234", WARD, 6, "returned"),
    ("2.000488", "019190004321", JUSTICE, 1, "received"),
]


def load_dossiers(users: dict) -> list[str]:
    """Create the demo dossiers unless the demo citizens already have some. Returns what was made."""
    if Dossier.objects.filter(applicant__username__in=[p[1] for p in PLAN]).exists():
        return []
    made = []
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[WARD, JUSTICE])}
    staff = {
        WARD: (users["motcua.pdp"], users["chuyenvien.pdp"], users["lanhdao.pdp"]),
        JUSTICE: (users["motcua.stp"], users["chuyenvien.stp"], users["lanhdao.stp"]),
    }
    for code, cccd, agency_code, days_ago, fate in PLAN:
        procedure = Procedure.objects.filter(code=code, published=True).first()
        if procedure is None:
            continue
        citizen, agency = users[cccd], agencies[agency_code]
        receiver, specialist, leader = staff[agency_code]
        at = _working_moment(days_ago, 8)
        try:
            d = dossiers.dossier_submit_online(actor=citizen, procedure=procedure, agency=agency,
                                               form_data=_form(procedure, citizen), files=_files(procedure), at=at)
            if fate != "submitted":
                d = dossiers.dossier_receive(actor=receiver, dossier=d, at=at + dt.timedelta(minutes=40))
            if fate in ("processing", "supplement", "late", "returned"):
                d = dossiers.dossier_assign(actor=leader, dossier=d, assignee=specialist, at=at + dt.timedelta(hours=1))
            if fate == "supplement":
                comp = procedure.components.first()
                d = dossiers.dossier_request_supplement(
                    actor=specialist, dossier=d, reason="Bản chụp giấy tờ bị mờ, đề nghị chụp lại rõ nét.",
                    items=[{"key": comp.key, "name": comp.name}] if comp else [], at=at + dt.timedelta(hours=2))
            if fate == "returned":
                d = dossiers.dossier_submit_for_approval(actor=specialist, dossier=d, note="Hồ sơ đủ điều kiện",
                                                         at=at + dt.timedelta(hours=3))
                d = dossiers.dossier_approve(actor=leader, dossier=d, at=at + dt.timedelta(hours=4))
                d = dossiers.dossier_return_result(actor=receiver, dossier=d, method="online",
                                                   at=at + dt.timedelta(hours=5))
                dossiers.dossier_rate(actor=citizen, dossier=d, level="satisfied",
                                      criteria={"dung_hen": True, "thai_do": True}, comment="Nhanh, không phải đi lại.")
            made.append(f"{d.code or 'chưa có mã'} · {procedure.name[:60]} · {d.get_state_display()}")
        except ValidationError as exc:
            made.append(f"(bỏ qua {code}: {'; '.join(exc.messages)[:120]})")
    return made

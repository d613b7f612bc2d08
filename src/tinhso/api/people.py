"""People API: the signed-in user's account, phone confirmation, CCCD checks."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import django_auth

from tinhso.api.errors import ErrorOut
from tinhso.people import access, services
from tinhso.people.cccd import cccd_validate

router = Router(tags=["people"])


class MeOut(Schema):
    username: str
    kind: str
    full_name: str
    cccd: str | None
    date_of_birth: dt.date | None
    gender: str
    email: str
    phone: str
    phone_verified: bool
    commune_code: str | None
    address_line: str
    agency_id: int | None
    roles: list[str]


class PhoneSendIn(Schema):
    phone: str | None = None


class PhoneConfirmIn(Schema):
    code: str


class OkOut(Schema):
    ok: bool
    detail: str = ""


class CccdIn(Schema):
    cccd: str
    date_of_birth: str
    gender: str


class CccdOut(Schema):
    ok: bool
    province_code: str
    province_name: str


@router.get("/me", response=MeOut, auth=django_auth)
def me(request):
    user = request.user
    official = access.official_of(user)
    return MeOut(
        username=user.username, kind=user.kind, full_name=user.full_name, cccd=user.cccd,
        date_of_birth=user.date_of_birth, gender=user.gender, email=user.email, phone=user.phone,
        phone_verified=user.phone_verified, commune_code=user.commune_id, address_line=user.address_line,
        agency_id=official.agency_id if official else None, roles=sorted(access.roles_of(user)),
    )


@router.post("/me/phone/send-code", response={200: OkOut, 400: ErrorOut, 429: ErrorOut}, auth=django_auth)
def phone_send_code(request, payload: PhoneSendIn):
    services.phone_code_send(actor=request.user, phone=payload.phone)
    return OkOut(ok=True, detail=_("Đã gửi mã xác nhận. Mã có hiệu lực 5 phút."))


@router.post("/me/phone/confirm", response={200: OkOut, 400: ErrorOut, 429: ErrorOut}, auth=django_auth)
def phone_confirm(request, payload: PhoneConfirmIn):
    services.phone_code_confirm(actor=request.user, code=payload.code)
    return OkOut(ok=True, detail=_("Đã xác nhận số điện thoại."))


@router.post("/cccd/validate", response={200: CccdOut, 400: ErrorOut})
def cccd_check(request, payload: CccdIn):
    """Check a CCCD number against a date of birth (dd/mm/yyyy or yyyy-mm-dd) and gender ("nam" | "nu")."""
    date_of_birth = None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            date_of_birth = dt.datetime.strptime(payload.date_of_birth.strip(), fmt).date()
            break
        except ValueError:
            continue
    if date_of_birth is None:
        raise ValidationError({"date_of_birth": _("Ngày sinh: hãy nhập theo dạng dd/mm/yyyy, ví dụ 05/09/1990.")})
    info = cccd_validate(number=payload.cccd, date_of_birth=date_of_birth, gender=payload.gender.strip().lower())
    return CccdOut(ok=True, province_code=info.province_code, province_name=info.province_name)

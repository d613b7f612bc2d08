"""The demo accounts: who they are and their TOTP authenticators."""
from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa import app_settings as mfa_settings

from tinhso.people import services as people
from tinhso.people.models import User
from tinhso.places.models import Agency

DEMO_PASSWORD = "TinhSo@2026demo"
PROVINCE_PC = "000.00.00.H55"
WARD = "000.01.90.H55"  # UBND phường Phan Đình Phùng
JUSTICE = "000.00.03.H55"  # Sở Tư pháp

OFFICIALS = [
    # username, full name, agency code, roles, title
    ("motcua.pdp", "Hoàng Thị Lan", WARD, ["receiver"], "Công chức Bộ phận một cửa"),
    ("chuyenvien.pdp", "Lương Văn Hùng", WARD, ["specialist"], "Công chức Tư pháp - Hộ tịch"),
    ("lanhdao.pdp", "Đặng Quốc Tuấn", WARD, ["leader"], "Phó Chủ tịch UBND phường"),
    ("quantri.pdp", "Ma Thị Hằng", WARD, ["agency_admin"], "Công chức Văn phòng - Thống kê"),
    ("motcua.stp", "Nông Văn Bình", JUSTICE, ["receiver"], "Chuyên viên Trung tâm Phục vụ hành chính công"),
    ("chuyenvien.stp", "Triệu Thị Mai", JUSTICE, ["specialist"], "Chuyên viên Phòng Hành chính tư pháp"),
    ("lanhdao.stp", "Dương Minh Đức", JUSTICE, ["leader"], "Phó Giám đốc Sở Tư pháp"),
    ("ioc.tinh", "Phạm Thanh Sơn", PROVINCE_PC, ["ioc_viewer"], "Lãnh đạo UBND tỉnh"),
]
CITIZENS = [
    # cccd, full name, date of birth, gender, phone, e-mail
    ("019090001234", "Nguyễn Văn An", dt.date(1990, 5, 12), "nam", "0912345678", "nguyenvanan@example.vn"),
    ("019190004321", "Trần Thị Bình", dt.date(1990, 8, 3), "nu", "0987654321", "tranthibinh@example.vn"),
]


def ensure_totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())


def current_code(user: User) -> str:
    auth = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = mfa_adapter().decrypt(auth.data["secret"])
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def load_accounts() -> dict[str, User]:
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[PROVINCE_PC, WARD, JUSTICE])}
    admin = User.objects.filter(username="quantri.tinh").first()
    if admin is None:
        admin = people.province_admin_bootstrap(
            username="quantri.tinh", full_name="Vũ Hồng Nhung", email="quantri.tinh@thainguyen.gov.vn",
            agency=agencies[PROVINCE_PC], password=DEMO_PASSWORD, title="Chuyên viên Sở Khoa học và Công nghệ").user
    ensure_totp(admin)
    users = {"quantri.tinh": admin}
    for username, name, agency_code, roles, title in OFFICIALS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = people.official_create(actor=admin, username=username, full_name=name,
                                          email=f"{username}@thainguyen.gov.vn", agency=agencies[agency_code],
                                          roles=roles, password=DEMO_PASSWORD, title=title).user
        ensure_totp(user)
        users[username] = user
    for cccd, name, dob, gender, phone, email in CITIZENS:
        user = User.objects.filter(username=cccd).first()
        if user is None:
            user = people.citizen_register(cccd=cccd, full_name=name, date_of_birth=dob, gender=gender, phone=phone,
                                           email=email, password=DEMO_PASSWORD)
            # Demo citizens' e-mail addresses are taken as confirmed, so that they can sign in at once.
            EmailAddress.objects.filter(user=user, email=email).update(verified=True)
        users[cccd] = user
    return users

"""`tinhso demo`: the demo province, idempotently, through the domains' services."""
from __future__ import annotations

from tinhso.catalog import services as catalog
from tinhso.feedback import services as feedback
from tinhso.places import services as places

from .accounts import CITIZENS, DEMO_PASSWORD, OFFICIALS, load_accounts
from .dossiers import load_dossiers
from .reports import load_reports


def load_demo() -> dict:
    agencies = places.demo_agencies_load(actor=None)
    procedures = catalog.demo_catalog_load(actor=None)
    reports = feedback.demo_feedback_load(actor=None)
    users = load_accounts()
    made = load_dossiers(users)
    made += load_reports(users)
    return {"agencies": agencies, "procedures": procedures, "reports": reports, "users": users, "dossiers": made}


def logins_text() -> str:
    lines = [
        "",
        "Tài khoản trình diễn (mật khẩu chung: %s)" % DEMO_PASSWORD,
        "  Công dân: đăng nhập tại http://127.0.0.1:8000/tai-khoan/login/ bằng số CCCD",
    ]
    for cccd, name, *_ in CITIZENS:
        lines.append(f"    {cccd}  {name}")
    lines.append("  Cán bộ: đăng nhập tại http://127.0.0.1:8000/can-bo/dang-nhap/ rồi nhập mã TOTP")
    lines.append("    (mã hiện tại: .venv/bin/tinhso demo_code TÊN_ĐĂNG_NHẬP)")
    lines.append("    quantri.tinh      Quản trị cấp tỉnh")
    for username, name, _agency, roles, title in OFFICIALS:
        lines.append(f"    {username:<17} {name} · {title}")
    return "\n".join(lines)

"""`tinhso demo`: the demo province, idempotently, through the domains' services."""
from __future__ import annotations

from django.utils import timezone

from tinhso.catalog import services as catalog
from tinhso.feedback import services as feedback
from tinhso.places import services as places

from .accounts import CITIZENS, DEMO_PASSWORD, OFFICIALS, load_accounts
from .dossiers import load_dossiers
from .reports import load_reports

DEMO_SIMULATION_DOSSIERS = 10_000  # the demo's simulated year (a few seconds on an idle machine); 0: none


def load_demo(*, simulate_dossiers: int = DEMO_SIMULATION_DOSSIERS) -> dict:
    agencies = places.demo_agencies_load(actor=None)
    procedures = catalog.demo_catalog_load(actor=None)
    reports = feedback.demo_feedback_load(actor=None)
    users = load_accounts()
    made = load_dossiers(users)
    made += load_reports(users)
    simulation = simulate_demo_year(dossiers=simulate_dossiers) if simulate_dossiers else None
    return {"agencies": agencies, "procedures": procedures, "reports": reports, "users": users, "dossiers": made,
            "simulation": simulation}


def simulate_demo_year(*, dossiers: int = DEMO_SIMULATION_DOSSIERS):
    """The demo's year, once (not again once any simulation was recorded): this year up to the current hour,
    or the whole of last year in January and February (too little of this year to show). Returns the
    SimulationResult, or None when a simulation was already there."""
    from tinhso.events.models import DomainEvent

    from .simulate import DEFAULT_SEED, EVENT_NAME, simulate

    if DomainEvent.objects.filter(name=EVENT_NAME).exists():
        return None
    today = timezone.localdate()
    year = today.year if today.timetuple().tm_yday > 59 else today.year - 1
    until = timezone.now().replace(minute=0, second=0, microsecond=0)
    return simulate(year=year, dossiers=dossiers, seed=DEFAULT_SEED, until=until)


def logins_text() -> str:
    from django.conf import settings

    base = settings.PUBLIC_URL  # run.sh sets it to the address it serves
    lines = [
        "",
        "Tài khoản trình diễn (mật khẩu chung: %s)" % DEMO_PASSWORD,
        f"  Công dân: đăng nhập tại {base}/tai-khoan/login/ bằng số CCCD",
    ]
    for cccd, name, *_ in CITIZENS:
        lines.append(f"    {cccd}  {name}")
    lines.append(f"  Cán bộ: đăng nhập tại {base}/can-bo/dang-nhap/ rồi nhập mã TOTP")
    lines.append("    (mã hiện tại: .venv/bin/tinhso demo_code TÊN_ĐĂNG_NHẬP)")
    lines.append("    quantri.tinh      Quản trị cấp tỉnh")
    for username, name, _agency, roles, title in OFFICIALS:
        lines.append(f"    {username:<17} {name} · {title}")
    return "\n".join(lines)

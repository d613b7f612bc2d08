"""Journey of the operations centre, through the browser: a leader of the province (IOC viewer) signs in
with password and TOTP, opens the overview, clicks the late count of the commune with the most late
dossiers and lands on exactly those dossiers; the numbers refresh without a reload; the wall screen
(1920×1080) and the phone layout are photographed (bench/results/screenshots/ioc-*.png).

Set-up with the ORM before the browser acts: the demo province's agencies (92 communes' UBND and the
departments), one procedure, and a few hundred dossiers of this month written straight into the tables
(as a simulation does), the rollups rebuilt from them."""
import datetime as dt
import random
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.db import transaction
from django.utils import timezone

from tinhso.catalog.models import Field, Procedure
from tinhso.dossiers import hooks
from tinhso.dossiers.models import Dossier
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "Mat-khau-rat-dai-2026"
SHOTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "screenshots"
HOT_COMMUNE = "05443"  # Phường Phan Đình Phùng: given the most late dossiers


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


@pytest.fixture
def province(db):
    from tinhso.places.services import demo_agencies_load

    demo_agencies_load(actor=None)
    field, _ = Field.objects.get_or_create(code="ho_tich_e2e_ioc", defaults={"name": "Hộ tịch"})
    procedure = Procedure.objects.create(
        code="1.001193", name="Đăng ký khai sinh", field=field, level="commune", agency_kind="ubnd_xa",
        online_level="toan_trinh", legal_basis="Luật Hộ tịch 2014", subjects="Công dân Việt Nam",
        result_name="Giấy khai sinh", time_kind="working_days", time_amount=5, source_document="Luật Hộ tịch 2014",
        published=True)
    return procedure


@pytest.fixture
def leader(province):
    pc = Agency.objects.get(kind="ubnd_tinh")
    user = User.objects.create_user(username="ioc.tinh", password=PASSWORD, kind="official",
                                    full_name="Phạm Thanh Sơn", email="ioc.tinh@thainguyen.gov.vn")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    official = Official.objects.create(user=user, agency=pc, title="Lãnh đạo UBND tỉnh")
    OfficialRole.objects.create(official=official, role="ioc_viewer")
    OfficialRole.objects.create(official=official, role="leader")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.totp_secret = secret
    return user


def _is_late(state, due, supplements, now):
    return (state in (2, 4) and due <= now) or (state in (2, 4, 5, 6) and supplements > 1)


@pytest.fixture
def month_of_dossiers(province):
    """About 600 dossiers over this month in every commune; returns the late codes per commune."""
    from tinhso.scoring.services import rollups_rebuild

    rng = random.Random(19)
    now = timezone.now()
    local_now = timezone.localtime(now, VN)
    month_start = local_now.replace(day=1, hour=7, minute=30, second=0, microsecond=0)
    span = max((local_now - month_start).total_seconds(), 3600)
    agencies = list(Agency.objects.filter(kind="ubnd_xa").exclude(commune=None).order_by("code"))
    agencies += list(Agency.objects.filter(kind="so").order_by("code")[:5])
    rows, late = [], {}
    seq = {}
    hot = next(a for a in agencies if a.commune_id == HOT_COMMUNE)
    for i in range(612):
        agency = rng.choice(agencies) if i < 600 else hot
        received = month_start + dt.timedelta(seconds=rng.uniform(0, span - 60))
        due = received + dt.timedelta(days=rng.choice([1, 3, 5, 7, 10]))
        state = rng.choices([2, 4, 5, 9, 10, 7], weights=[8, 30, 5, 15, 40, 2])[0]
        supplements = 1 if state == 5 else rng.choices([0, 1, 2], weights=[85, 12, 3])[0]
        if i >= 600:  # the hot commune's backlog
            state, due, supplements = 4, now - dt.timedelta(hours=rng.randint(1, 48)), 0
        finished = received + dt.timedelta(days=rng.uniform(0.2, 8)) if state in (9, 10) else None
        if finished and finished > now:
            finished = now - dt.timedelta(minutes=5)
        seq[agency.pk] = seq.get(agency.pk, 0) + 1
        code = f"{agency.code}-{received:%y%m%d}-{seq[agency.pk]:04d}"
        rows.append(Dossier(
            code=code, procedure=province, procedure_code=province.code, procedure_name=province.name, agency=agency,
            channel=rng.choices([1, 2], weights=[40, 60])[0], state=state, applicant_name=f"Người Nộp {i}",
            limit_kind="working_days", limit_amount=5, submitted_at=received, received_at=received,
            counting_from=received, due_at=due, original_due_at=due, finished_at=finished,
            returned_at=finished if state == 10 else None, supplement_count=supplements))
        if _is_late(state, due, supplements, now):
            late.setdefault(agency.commune_id, set()).add(code)
    Dossier.objects.bulk_create(rows)
    rollups_rebuild()
    return late


def sign_in(page, base, user):
    page.goto(f"{base}/can-bo/dang-nhap/")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", current_code(user.totp_secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận").click()


def test_leader_goes_from_a_communes_late_count_to_exactly_those_dossiers(
        page, browser, live_server, leader, month_of_dossiers, assert_accessible, settings):
    settings.IOC_REFRESH_SECONDS = 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server.url, leader)

    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Trung tâm điều hành").click()
    assert "Trung tâm điều hành" in page.locator("h1").inner_text()
    assert_accessible(page)
    expected_late = sum(len(v) for v in month_of_dossiers.values())
    card = page.locator('[data-figure="late_now"] .ioc-value')
    assert card.inner_text().replace(".", "") == str(expected_late)

    # The worst commune comes first in the "most late" table; its late count leads to its late dossiers.
    hot = sorted(((c, v) for c, v in month_of_dossiers.items() if c), key=lambda kv: -len(kv[1]))[0]
    assert hot[0] == HOT_COMMUNE
    row = page.locator("section[aria-labelledby=ioc-worst-h] tbody tr").first
    assert "Phan Đình Phùng" in row.inner_text()
    link = row.locator("td a").first
    assert link.inner_text() == str(len(hot[1]))
    with page.expect_navigation():
        link.click()
    assert "Hồ sơ đang quá hạn" in page.locator("h1").inner_text()
    shown = set(page.locator("[data-dossier]").evaluate_all("rows => rows.map(r => r.dataset.dossier)"))
    assert shown == hot[1]
    assert_accessible(page)

    # Live refresh: one more dossier becomes late; the overview shows it without being reloaded.
    page.goto(f"{live_server.url}/ioc/")
    marker = page.evaluate("() => (window.__iocMarker = Math.random())")
    d = Dossier.objects.filter(agency__commune_id="05443", state=4, due_at__gt=timezone.now()).first() \
        or Dossier.objects.filter(state=4, due_at__gt=timezone.now(), supplement_count__lte=1).first()
    # A raw UPDATE bypasses the dossier services, so the rollups (scoring's facts carry the due time and
    # "late now" is read from them) would never see it: call what every dossier service calls after a
    # change, in the same transaction, as a real change of the due time (an apology with a new appointment)
    # would.
    with transaction.atomic():
        Dossier.objects.filter(pk=d.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
        d.refresh_from_db()
        hooks.dossier_changed(d)
    page.wait_for_function(f"() => document.querySelector('[data-figure=late_now] .ioc-value').textContent.replace(/\\./g, '') === '{expected_late + 1}'",
                           timeout=15000)
    assert page.evaluate("() => window.__iocMarker") == marker  # the same document: no reload

    # Every other IOC page is accessible too.
    for path in ("/ioc/xa-phuong/?sap=late_now&chieu=giam", "/ioc/ban-do/", "/ioc/dien-bien/?theo=week",
                 "/ioc/chi-so-766/", "/ioc/bao-cao-thang/", f"/ioc/?pham_vi=commune:{HOT_COMMUNE}"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1
        assert_accessible(page)

    cookies = page.context.cookies()
    # Wall screen: 1920×1080, dark, large numerals.
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    wall.add_cookies(cookies)
    wp = wall.new_page()
    wp.goto(f"{live_server.url}/ioc/man-hinh-lon/")
    assert wp.locator('[data-figure="late_now"] .ioc-value').inner_text().replace(".", "") == str(expected_late + 1)
    assert_accessible(wp)
    wp.screenshot(path=str(SHOTS / "ioc-wall-1920x1080.png"))
    wall.close()
    # Phone layout.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    phone.add_cookies(cookies)
    pp = phone.new_page()
    pp.goto(f"{live_server.url}/ioc/")
    assert pp.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(pp)
    pp.screenshot(path=str(SHOTS / "ioc-phone-390.png"), full_page=True)
    pp.goto(f"{live_server.url}/ioc/ban-do/")
    pp.screenshot(path=str(SHOTS / "ioc-phone-map-390.png"), full_page=False)
    phone.close()
    assert re.match(r"\d", str(expected_late))

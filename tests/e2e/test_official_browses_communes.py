"""Journey: an official signs in with password and TOTP, then browses the province's communes.

Every page on the way is checked with axe: no serious or critical accessibility violation."""
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def official(db):
    agency = Agency.objects.create(code="000.01.90.H55", name="Ủy ban nhân dân phường Phan Đình Phùng",
                                   kind="ubnd_xa", province_id="19", commune_id="05443")
    user = User.objects.create_user(username="motcua.pdp", password="Mat-khau-rat-dai-2026", kind="official",
                                    full_name="Hoàng Thị Lan", email="motcua.pdp@thainguyen.gov.vn")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    official = Official.objects.create(user=user, agency=agency, title="Công chức một cửa")
    OfficialRole.objects.create(official=official, role="receiver")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.totp_secret = secret
    return user


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def test_official_signs_in_with_totp_and_browses_communes(page, live_server, official, assert_accessible):
    page.goto(f"{live_server.url}/")
    assert_accessible(page)

    page.goto(f"{live_server.url}/can-bo/dang-nhap/")
    assert page.locator("h1").inner_text() == "Đăng nhập cán bộ, công chức"
    assert_accessible(page)
    page.fill("input[name=login]", "motcua.pdp")
    page.fill("input[name=password]", "Mat-khau-rat-dai-2026")
    page.get_by_role("button", name="Đăng nhập").click()

    # Second factor: the password alone is not enough for an official.
    page.wait_for_selector("input[name=code]")
    assert "Xác thực hai lớp" in page.locator("h1").inner_text()
    assert_accessible(page)
    page.fill("input[name=code]", "000000" if current_code(official.totp_secret) != "000000" else "111111")
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_selector("input[name=code]")  # a wrong code keeps them out
    page.fill("input[name=code]", current_code(official.totp_secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận").click()
    assert "Hoàng Thị Lan" in page.locator("header").inner_text()

    with page.expect_navigation():
        page.get_by_role("link", name="Xã, phường").first.click()
    assert "92" in page.locator("h1").inner_text() or "92" in page.locator("main").inner_text()
    assert page.get_by_text("Phan Đình Phùng").first.is_visible()
    assert_accessible(page)

    # Search without diacritics.
    page.fill("input[name=q]", "tan cuong")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Tân Cương").first.is_visible()
    assert not page.get_by_text("Phan Đình Phùng").count()


def test_calendar_month_and_language_switch(page, live_server, assert_accessible):
    page.goto(f"{live_server.url}/lich-lam-viec/?nam=2026&thang=2")
    main = page.locator("main").inner_text()
    assert "Tết" in main
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    # Back on the same month, now in English (the switch returns to the page it was clicked on).
    assert page.locator("html").get_attribute("lang") == "en"
    assert "thang=2" in page.url
    with page.expect_navigation():
        page.get_by_role("link", name="Tiếng Việt").click()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "thang=2" in page.url

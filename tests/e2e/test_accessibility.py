"""Accessibility sweep: every page of the platform's public site, citizen portal, officials' workspace and
administration is checked with axe (no serious or critical violation), each form also re-rendered with its
validation errors (sent empty), and the citizen's pages also on a phone (390×844).

One test per actor, each walking all the pages that actor can see in one browser session. The data
(catalog, agencies, officials with TOTP, a dossier submitted and received) is set up with the services."""
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.catalog.models import Procedure
from tinhso.catalog.services import demo_catalog_load
from tinhso.dossiers import services as dossier_services
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency
from tinhso.places.services import demo_agencies_load
from tinhso.workcal.models import CalendarEntry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-rat-dai-2026"
AGENCY_CODE = "000.01.90.H55"  # Ủy ban nhân dân phường Phan Đình Phùng (demo agencies)
PROCEDURE = "1.001193"  # Đăng ký khai sinh (demo catalog)
CITIZEN_CCCD = "019090001234"
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Clear what the user types into the form, switch off the browser's own checks and send it, so the
# server answers with its error summary.
SEND_EMPTY = """form => {
  form.noValidate = true;
  for (const el of form.elements) {
    if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
    if (el.type === "checkbox" || el.type === "radio") { el.checked = false; continue; }
    if (el.tagName === "SELECT") { el.selectedIndex = -1; continue; }
    if (el.type !== "file") el.value = "";
  }
  form.requestSubmit();
}"""


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def make_official(agency, username: str, full_name: str, *roles: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, kind="official", full_name=full_name,
                                    email=f"{username}@thainguyen.gov.vn")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    official = Official.objects.create(user=user, agency=agency, title="Công chức")
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.totp_secret = secret
    return user


@pytest.fixture
def province(db):
    """Demo catalog and agencies, a citizen with one dossier received by the commune, and the officials."""
    demo_catalog_load()
    demo_agencies_load()
    agency = Agency.objects.get(code=AGENCY_CODE)
    citizen = User.objects.create_user(username=CITIZEN_CCCD, cccd=CITIZEN_CCCD, password=PASSWORD, kind="citizen",
                                       full_name="Nguyễn Văn Bình", email="binh.nguyen@example.vn",
                                       phone="0912345678")
    EmailAddress.objects.create(user=citizen, email=citizen.email, primary=True, verified=True)
    receiver = make_official(agency, "motcua.pdp", "Hoàng Thị Lan", "receiver")
    admin = make_official(Agency.objects.get(code="000.00.01.H55"), "quantri.tinh", "Phạm Văn Đức",
                          "province_admin")
    procedure = Procedure.objects.get(code=PROCEDURE)
    files = {c.key: [SimpleUploadedFile(f"{c.key}.pdf", PDF, content_type="application/pdf")]
             for c in procedure.components.all()}
    dossier = dossier_services.dossier_submit_online(
        actor=citizen, procedure=procedure, agency=agency, files=files,
        form_data={"ho_ten": citizen.full_name, "so_cccd": CITIZEN_CCCD, "dien_thoai": "0912345678",
                   "noi_cu_tru": "Tổ 5, phường Phan Đình Phùng", "ho_ten_tre": "Nguyễn Minh An",
                   "ngay_sinh_tre": "02/01/2026", "gioi_tinh_tre": "nu", "noi_sinh": "Bệnh viện tỉnh",
                   "quan_he": "cha"})
    dossier = dossier_services.dossier_receive(actor=receiver, dossier=dossier)
    # A second one, still waiting for reception, so the "new" box is not empty.
    files = {c.key: [SimpleUploadedFile(f"{c.key}.pdf", PDF, content_type="application/pdf")]
             for c in procedure.components.all()}
    dossier_services.dossier_submit_online(
        actor=citizen, procedure=procedure, agency=agency, files=files,
        form_data={"ho_ten": citizen.full_name, "so_cccd": CITIZEN_CCCD, "dien_thoai": "0912345678",
                   "noi_cu_tru": "Tổ 5, phường Phan Đình Phùng", "ho_ten_tre": "Nguyễn Minh Anh",
                   "ngay_sinh_tre": "03/01/2026", "gioi_tinh_tre": "nam", "noi_sinh": "Bệnh viện tỉnh",
                   "quan_he": "cha"})
    return {"agency": agency, "citizen": citizen, "receiver": receiver, "admin": admin, "dossier": dossier}


class Visit:
    """Walks pages in one browser session and checks each with axe."""

    def __init__(self, page, base: str, assert_accessible):
        self.page, self.base, self.check = page, base, assert_accessible
        self.seen: list[str] = []
        self.problems: list[str] = []

    def axe(self, label: str):
        try:
            self.check(self.page)
        except AssertionError as exc:  # gather every page's violations, report them together
            self.problems.append(f"{label} [{self.page.viewport_size['width']}px]: {str(exc).splitlines()[0]}")

    def done(self):
        assert not self.problems, "\n".join(self.problems)

    def go(self, path: str, *, status: int = 200):
        response = self.page.goto(f"{self.base}{path}")
        assert response.status == status, f"{path}: HTTP {response.status}"
        self.axe(path)
        self.seen.append(path)

    def send_empty(self, path: str, form: str = "main form[method=post]"):
        """The form sent empty comes back with an error summary at the top, itself accessible."""
        self.page.goto(f"{self.base}{path}")
        with self.page.expect_navigation():
            self.page.locator(form).first.evaluate(SEND_EMPTY)
        assert self.page.locator(".error-summary, .errorlist, .field-error").count(), f"{path}: no errors shown"
        self.axe(f"{path} (errors)")
        self.seen.append(f"{path} (errors)")


def sign_in_official(page, base: str, user: User, assert_accessible):
    page.goto(f"{base}/can-bo/dang-nhap/")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("input[name=code]")
    assert_accessible(page)  # the TOTP authenticate page
    wrong = "000000" if current_code(user.totp_secret) != "000000" else "111111"
    page.fill("input[name=code]", wrong)
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận").click()
    assert_accessible(page)  # the TOTP page with its error
    for _attempt in range(2):  # a code typed as its period ends is refused: type the new one
        page.fill("input[name=code]", current_code(user.totp_secret))
        with page.expect_navigation():
            page.get_by_role("button", name="Xác nhận").click()
        if not page.locator("input[name=code]").count():
            break
    assert user.full_name in page.locator("header").inner_text()


def test_anonymous_pages_are_accessible(page, live_server, province, assert_accessible):
    v = Visit(page, live_server.url, assert_accessible)
    code = province["dossier"].code
    for path in ["/", "/xa-phuong/", "/xa-phuong/?q=tan+cuong", "/co-quan/", "/lich-lam-viec/",
                 "/lich-lam-viec/?nam=2026&thang=2", "/thu-tuc/", "/thu-tuc/?q=khai+sinh", f"/thu-tuc/{PROCEDURE}/",
                 "/tra-cuu/", f"/tra-cuu/{code}/", "/tai-khoan/login/", "/tai-khoan/signup/", "/can-bo/dang-nhap/",
                 "/tai-khoan/password/reset/"]:
        v.go(path)
    v.go("/tra-cuu/000.00.00.H55-260101-9999/", status=404)
    v.go("/tra-cuu/?ma=")
    for path in ["/tai-khoan/login/", "/tai-khoan/signup/", "/can-bo/dang-nhap/", "/tai-khoan/password/reset/"]:
        v.send_empty(path)
    for path in ["/", "/thu-tuc/", f"/thu-tuc/{PROCEDURE}/", "/tra-cuu/", f"/tra-cuu/{code}/", "/tai-khoan/login/",
                 "/tai-khoan/signup/"]:
        page.set_viewport_size(PHONE)
        v.go(path)
    v.done()
    assert len(v.seen) >= 25


def test_citizen_pages_are_accessible(page, live_server, province, assert_accessible):
    v = Visit(page, live_server.url, assert_accessible)
    pk = province["dossier"].pk
    page.goto(f"{live_server.url}/tai-khoan/login/")
    page.fill("input[name=login]", CITIZEN_CCCD)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form[method=post]").first.evaluate("f => f.requestSubmit()")
    assert "Nguyễn Văn Bình" in page.locator("header").inner_text()
    pages = ["/", "/tai-khoan-cua-toi/", f"/thu-tuc/{PROCEDURE}/", f"/ho-so/nop/{PROCEDURE}/", "/ho-so-cua-toi/",
             f"/ho-so-cua-toi/{pk}/"]
    for size in ({"width": 1280, "height": 720}, PHONE):
        page.set_viewport_size(size)
        for path in pages:
            v.go(path)
        v.send_empty(f"/ho-so/nop/{PROCEDURE}/", form="main form[enctype='multipart/form-data']")
        v.send_empty("/tai-khoan-cua-toi/", form="main form:has(input[name=action][value=phone_confirm])")
    v.done()
    assert len(v.seen) == 2 * (len(pages) + 2)


def test_receiver_pages_are_accessible(page, live_server, province, assert_accessible):
    from tinhso.web.workspace.inbox_views import BOXES

    v = Visit(page, live_server.url, assert_accessible)
    pk = province["dossier"].pk
    sign_in_official(page, live_server.url, province["receiver"], assert_accessible)
    v.go("/tai-khoan-cua-toi/")
    for box, _label in BOXES:
        v.go(f"/can-bo/ho-so/?hop={box}")
    v.go("/can-bo/ho-so/?q=khai+sinh&hop=all")
    v.go(f"/can-bo/ho-so/{pk}/")
    v.go("/can-bo/tiep-nhan/")
    v.go(f"/can-bo/tiep-nhan/?thu_tuc={PROCEDURE}")
    v.send_empty(f"/can-bo/tiep-nhan/?thu_tuc={PROCEDURE}", form="main form[enctype='multipart/form-data']")
    v.go("/can-bo/so-theo-doi/")
    v.go("/can-bo/canh-bao/")
    page.set_viewport_size(PHONE)
    v.go("/can-bo/ho-so/")
    v.go(f"/can-bo/ho-so/{pk}/")
    v.done()
    assert len(v.seen) == len(BOXES) + 10


def test_province_admin_pages_are_accessible(page, live_server, province, assert_accessible):
    v = Visit(page, live_server.url, assert_accessible)
    sign_in_official(page, live_server.url, province["admin"], assert_accessible)
    receiver_official = province["receiver"].official.pk
    v.go("/tai-khoan-cua-toi/")
    # Agencies.
    v.go("/co-quan/")
    v.go("/co-quan/them/")
    v.go("/co-quan/nhap-tep/")
    v.go(f"/co-quan/{AGENCY_CODE}/sua/")
    v.go(f"/co-quan/{AGENCY_CODE}/ngung-hoat-dong/")
    v.send_empty("/co-quan/them/")
    v.send_empty("/co-quan/nhap-tep/")
    v.send_empty(f"/co-quan/{AGENCY_CODE}/sua/")
    # Working calendar.
    v.go("/lich-lam-viec/quan-tri/")
    v.go("/lich-lam-viec/quan-tri/them/")
    v.go("/lich-lam-viec/quan-tri/gio-lam-viec/")
    v.send_empty("/lich-lam-viec/quan-tri/them/")
    v.send_empty("/lich-lam-viec/quan-tri/gio-lam-viec/")
    entry = CalendarEntry.objects.order_by("pk").first()
    if entry is not None:
        v.go(f"/lich-lam-viec/quan-tri/{entry.pk}/sua/")
        v.go(f"/lich-lam-viec/quan-tri/{entry.pk}/xoa/")
    # Catalog.
    v.go("/quan-ly/thu-tuc/")
    v.go("/quan-ly/thu-tuc/them/")
    v.go("/quan-ly/thu-tuc/nhap/")
    v.go(f"/quan-ly/thu-tuc/{PROCEDURE}/")
    for section in ["phi", "thanh-phan", "to-khai", "quy-trinh"]:
        v.go(f"/quan-ly/thu-tuc/{PROCEDURE}/{section}/")
    v.send_empty("/quan-ly/thu-tuc/them/")
    v.send_empty("/quan-ly/thu-tuc/nhap/")
    v.send_empty(f"/quan-ly/thu-tuc/{PROCEDURE}/", form="main form[action='']")
    # Officials.
    v.go("/can-bo/quan-tri/")
    v.go("/can-bo/quan-tri/them/")
    v.go(f"/can-bo/quan-tri/{receiver_official}/vai-tro/")
    v.send_empty("/can-bo/quan-tri/them/")
    v.done()
    assert len(v.seen) >= 25
    assert re.search(r"quan-tri/\d+/vai-tro", " ".join(v.seen))

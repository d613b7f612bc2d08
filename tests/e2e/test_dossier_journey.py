"""Journey of the one-stop core, through the browser only, each actor in their own browser context:

a citizen signs up and submits "Đăng ký khai sinh" online with its papers; the commune's receiver receives
it (code and due time shown, slip printed); the specialist requests a supplement; the citizen supplies it;
the specialist submits it for approval and the leader approves; the generated result reaches the citizen,
who downloads it and rates the service.

Only the set-up (catalog, agency, officials) is done with the ORM, before the browser acts."""
import io
import re
import time
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from tinhso.catalog.services import demo_catalog_load
from tinhso.dossiers.models import Dossier, Rating
from tinhso.dossiers.states import State
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AGENCY_CODE = "000.01.90.H55"
PASSWORD = "Mat-khau-rat-dai-2026"
CITIZEN_CCCD = "019090001234"  # Thái Nguyên (019), male born in the 1900s (0), 1990 (90)
CITIZEN_NAME = "Nguyễn Văn Bình"
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def tiny_pdf(text: str) -> bytes:
    """A small, well-formed one-page PDF (the upload check reads the content, not the name)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def pdf_file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": tiny_pdf(name)}


def pdf_text(path) -> str:
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF"), "the download is not a PDF"
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def make_official(agency, username: str, full_name: str, role: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, kind="official", full_name=full_name,
                                    email=f"{username}@thainguyen.gov.vn")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    official = Official.objects.create(user=user, agency=agency, title="")
    OfficialRole.objects.create(official=official, role=role)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.totp_secret = secret
    return user


@pytest.fixture
def commune_office(db):
    demo_catalog_load()
    agency = Agency.objects.create(code=AGENCY_CODE, name="Ủy ban nhân dân phường Phan Đình Phùng",
                                   kind="ubnd_xa", province_id="19", commune_id="05443")
    return {
        "agency": agency,
        "receiver": make_official(agency, "motcua.pdp", "Hoàng Thị Lan", "receiver"),
        "specialist": make_official(agency, "hotich.pdp", "Trần Văn Minh", "specialist"),
        "leader": make_official(agency, "lanhdao.pdp", "Lê Quang Hải", "leader"),
    }


@pytest.fixture
def new_page(browser, browser_context_args, live_server):
    """A fresh browser context (own cookies) per actor."""
    contexts = []

    def make(**extra):
        context = browser.new_context(**{**browser_context_args, "base_url": live_server.url, **extra})
        contexts.append(context)
        return context.new_page()

    yield make
    for c in contexts:
        c.close()


def citizen_sign_up(page) -> "mail.EmailMessage":
    """Fill and send the sign-up form; return the verification e-mail."""
    page.get_by_label("Số CCCD (căn cước, 12 chữ số)").fill(CITIZEN_CCCD)
    page.get_by_label("Họ và tên").fill(CITIZEN_NAME)
    page.get_by_label("Ngày sinh").fill("15/04/1990")
    page.get_by_label("Nam", exact=True).check()
    page.get_by_label("Số điện thoại di động").fill("0912345678")
    page.get_by_label("Thư điện tử").fill("binh.nguyen@example.vn")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    mail.outbox.clear()
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng ký", exact=True).click()
    assert page.locator("h1").inner_text() == "Xác nhận thư điện tử"
    assert len(mail.outbox) == 1, "one verification e-mail is sent"
    message = mail.outbox[-1]
    assert message.to == ["binh.nguyen@example.vn"]
    return message


def official_sign_in(page, user):
    page.goto("/can-bo/dang-nhap/")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("input[name=code]")
    for _attempt in range(2):  # a code typed as its 30-second period ends is refused: type the new one
        page.fill("input[name=code]", current_code(user.totp_secret))
        with page.expect_navigation():
            page.get_by_role("button", name="Xác nhận").click()
        if not page.locator("input[name=code]").count():
            break
    assert user.full_name in page.locator("header").inner_text()


def open_from_inbox(page, link_text: str, box: str | None = None):
    with page.expect_navigation():
        page.get_by_role("link", name="Xử lý hồ sơ").first.click()
    if box:
        with page.expect_navigation():
            page.locator("main").get_by_role("link", name=re.compile(box)).first.click()
    with page.expect_navigation():
        page.locator("main table").get_by_role("link", name=re.compile(re.escape(link_text))).first.click()


def click_action(page, label: str):
    with page.expect_navigation():
        page.locator("form.ws-action").get_by_role("button", name=label, exact=True).click()


def test_birth_registration_from_sign_up_to_rating(new_page, commune_office, assert_accessible):
    receiver, specialist, leader = (commune_office[k] for k in ("receiver", "specialist", "leader"))
    SHOTS.mkdir(exist_ok=True)

    # ---- 1. The citizen signs up, confirms the e-mail and submits the dossier online.
    citizen = new_page()
    citizen.goto("/tai-khoan/signup/")
    assert citizen.locator("h1").inner_text() == "Đăng ký tài khoản công dân"
    assert_accessible(citizen)
    message = citizen_sign_up(citizen)
    assert_accessible(citizen)
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", message.body, re.M)
    assert code, message.body
    citizen.fill("input[name=code]", code.group(1))
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Xác nhận").click()
    assert CITIZEN_NAME in citizen.locator("header").inner_text()

    with citizen.expect_navigation():
        citizen.get_by_role("link", name="Thủ tục", exact=True).click()
    citizen.fill("input[name=q]", "dang ky khai sinh")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Tìm", exact=True).click()
    assert_accessible(citizen)
    with citizen.expect_navigation():
        citizen.locator("main table").get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    with citizen.expect_navigation():
        citizen.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    assert "Đăng ký khai sinh" in citizen.locator("h1").inner_text()
    assert_accessible(citizen)
    if citizen.locator("select[name=co_quan]").count():
        citizen.select_option("select[name=co_quan]", label="Ủy ban nhân dân phường Phan Đình Phùng")
    else:
        assert "Phan Đình Phùng" in citizen.locator("main").inner_text()
    # Filled from the account: name, CCCD, phone, e-mail.
    assert citizen.get_by_label("Họ, chữ đệm và tên người yêu cầu").input_value() == CITIZEN_NAME
    assert citizen.get_by_label("Số định danh cá nhân (CCCD)").input_value() == CITIZEN_CCCD
    citizen.get_by_label("Nơi cư trú").fill("Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên")
    citizen.get_by_label("Họ, chữ đệm và tên của trẻ").fill("Nguyễn Minh An")
    citizen.get_by_label("Ngày sinh của trẻ").fill(timezone.localdate().strftime("%d/%m/%Y"))
    citizen.get_by_label("Giới tính của trẻ").select_option("nu")
    citizen.get_by_label("Nơi sinh").fill("Bệnh viện Trung ương Thái Nguyên")
    citizen.get_by_label("Quan hệ với người được khai sinh").select_option("cha")
    citizen.set_input_files("#id_tep_to_khai", files=[pdf_file("to-khai.pdf")])
    citizen.set_input_files("#id_tep_giay_chung_sinh", files=[pdf_file("giay-chung-sinh.pdf")])
    citizen.set_input_files("#id_tep_giay_to_tuy_than", files=[pdf_file("cccd.pdf")])
    # Each paper goes up as soon as it is chosen (papers.js) and shows as a ticked box.
    for kept, name in (("#id_tep_to_khai_kept", "to-khai.pdf"), ("#id_tep_giay_chung_sinh_kept", "giay-chung-sinh.pdf"),
                       ("#id_tep_giay_to_tuy_than_kept", "cccd.pdf")):
        expect(citizen.locator(kept)).to_contain_text(f"Đã tải lên: {name}")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Gửi hồ sơ").click()
    assert "Hồ sơ đã được gửi, đang chờ tiếp nhận." in citizen.locator(".messages").inner_text()
    assert "Mới đăng ký" in citizen.locator(".portal-state").inner_text()
    assert "chưa có mã" in citizen.locator("main").inner_text()
    assert_accessible(citizen)
    dossier = Dossier.objects.get()
    assert dossier.state == State.SUBMITTED and dossier.applicant.username == CITIZEN_CCCD
    assert dossier.agency.code == AGENCY_CODE
    assert dossier.form_data["ho_ten_tre"] == "Nguyễn Minh An"
    assert {c.key for c in dossier.components.all()} == {"to_khai", "giay_chung_sinh", "giay_to_tuy_than"}
    citizen_url = citizen.url

    # ---- 2. The receiver receives it: code, due time, the receipt slip.
    desk = new_page(viewport={"width": 1366, "height": 768})
    official_sign_in(desk, receiver)
    with desk.expect_navigation():
        desk.get_by_role("link", name="Xử lý hồ sơ").first.click()
    assert_accessible(desk)
    desk.screenshot(path=str(SHOTS / "journey-official-inbox-1366.png"), full_page=True)
    with desk.expect_navigation():
        desk.locator("main table").get_by_role("link", name=f"#{dossier.pk}").click()
    assert_accessible(desk)
    click_action(desk, "Tiếp nhận hồ sơ")
    dossier.refresh_from_db()
    expected_code = f"{AGENCY_CODE}-{timezone.localtime(dossier.received_at):%y%m%d}-0001"
    assert dossier.state == State.RECEIVED and dossier.code == expected_code
    due_words = timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")
    assert f"Mã hồ sơ: {expected_code}" in desk.locator(".messages").inner_text()
    assert f"Hẹn trả kết quả: {due_words}" in desk.locator(".messages").inner_text()
    assert expected_code in desk.locator("h1").inner_text()
    assert due_words in desk.locator(".ws-due").inner_text()
    with desk.expect_download() as dl:
        desk.get_by_role("link", name="Giấy tiếp nhận và hẹn trả kết quả (PDF)").click()
    assert squeeze(expected_code) in squeeze(pdf_text(dl.value.path()))
    due_at_reception = dossier.due_at

    # ---- 3. The specialist asks for a supplement.
    office = new_page()
    official_sign_in(office, specialist)
    open_from_inbox(office, expected_code)
    office.get_by_label("Nội dung cần bổ sung, hoàn thiện (bắt buộc)").fill(
        "Giấy chứng sinh bị mờ, không đọc được họ tên người mẹ; đề nghị gửi lại bản rõ nét.")
    office.get_by_label("Giấy chứng sinh", exact=False).check()
    click_action(office, "Yêu cầu bổ sung")
    assert "Đã gửi yêu cầu bổ sung" in office.locator(".messages").inner_text()
    assert "Yêu cầu bổ sung giấy tờ" in office.locator("main dl.facts").first.inner_text()
    dossier.refresh_from_db()
    assert dossier.state == State.SUPPLEMENT and dossier.paused_at is not None
    paused_at = dossier.paused_at

    # ---- 4. The citizen sees the reason and supplies the paper.
    citizen.goto("/")
    with citizen.expect_navigation():
        citizen.get_by_role("link", name="Hồ sơ của tôi").click()
    with citizen.expect_navigation():
        citizen.locator("main").get_by_role("link", name=re.compile(re.escape(expected_code))).first.click()
    assert citizen.url == citizen_url
    main = citizen.locator("main").inner_text()
    assert "Yêu cầu bổ sung giấy tờ" in main
    assert "không đọc được họ tên người mẹ" in main
    citizen.set_input_files("#id_supply-tep_giay_chung_sinh", files=[pdf_file("giay-chung-sinh-ro-net.pdf")])
    expect(citizen.locator("#id_supply-tep_giay_chung_sinh_kept")).to_contain_text("Đã tải lên: giay-chung-sinh-ro-net.pdf")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Gửi phần bổ sung").click()
    assert "Đã gửi phần bổ sung" in citizen.locator(".messages").inner_text()
    assert "Đang xử lý" in citizen.locator(".portal-state").inner_text()
    dossier.refresh_from_db()
    assert dossier.state == State.PROCESSING and dossier.paused_at is None
    # The clock stopped while the citizen was asked: the appointment moved later by the paused working
    # time (equal when the pause fell outside working hours).
    assert dossier.due_at >= due_at_reception
    assert dossier.paused_total_seconds == int((dossier.supplement_requests.get().answered_at - paused_at).total_seconds())
    assert dossier.components.filter(key="giay_chung_sinh", supplement_round=1).count() == 1
    citizen.set_viewport_size({"width": 390, "height": 844})
    citizen.reload()
    citizen.screenshot(path=str(SHOTS / "journey-citizen-dossier-390.png"), full_page=True)
    citizen.set_viewport_size({"width": 1280, "height": 720})

    # ---- 5. The specialist submits for approval; the leader approves (generated result).
    office.reload()
    click_action(office, "Trình phê duyệt")
    assert "Đã trình lãnh đạo phê duyệt." in office.locator(".messages").inner_text()
    boss = new_page()
    official_sign_in(boss, leader)
    open_from_inbox(boss, expected_code)
    click_action(boss, "Phê duyệt")
    assert "Đã phê duyệt" in boss.locator(".messages").inner_text()
    dossier.refresh_from_db()
    assert dossier.state == State.FINISHED and dossier.result_file

    # ---- 6. The citizen downloads the result and rates the service.
    citizen.goto(citizen_url)
    assert "Đã xử lý xong" in citizen.locator(".portal-state").inner_text()
    assert_accessible(citizen)
    with citizen.expect_download() as dl:
        citizen.get_by_role("link", name=re.compile("^Kết quả giải quyết")).click()
    assert squeeze(CITIZEN_NAME) in squeeze(pdf_text(dl.value.path()))
    citizen.get_by_label("Hài lòng", exact=True).check()
    citizen.get_by_label("Góp ý thêm (nếu có)").fill("Cán bộ hướng dẫn tận tình, trả kết quả đúng hẹn.")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Gửi đánh giá").click()
    assert "Cảm ơn bạn đã đánh giá" in citizen.locator(".messages").inner_text()
    assert not citizen.get_by_role("button", name="Gửi đánh giá").count()  # one rating per dossier
    dossier.refresh_from_db()
    assert dossier.state in (State.FINISHED, State.RETURNED)
    rating = Rating.objects.get(dossier=dossier)
    assert rating.level == Rating.Level.SATISFIED and "tận tình" in rating.comment


def test_verification_email_is_in_vietnamese(new_page):
    """The first message a citizen receives from the province speaks Vietnamese and names the platform."""
    page = new_page()
    page.goto("/tai-khoan/signup/")
    message = citizen_sign_up(page)
    text = f"{message.subject}\n{message.body}"
    assert "mã xác nhận" in text.lower(), text
    assert "Hello" not in text and "verification code" not in text, text
    assert "Tỉnh số" in message.body, text

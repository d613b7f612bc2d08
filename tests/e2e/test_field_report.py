"""Journey of a citizen's field report on a phone-sized screen (390×844), each actor in their own browser:

the citizen signs in and reports a pothole with a photo (a JPEG carrying EXIF GPS tags and the camera's
name) and a pin taken from "use my location"; the stored photo has no metadata left; the province
coordinator (password + TOTP) accepts it, which routes it to the handling agency; the agency's specialist
answers; the report and its answer are public, without the reporter's name, e-mail or phone; the citizen
rates the answer. Every page on the way is checked with axe.

The pothole's category asks the demo data's question (the kind of incident, a single choice): only the chosen
category's questions are shown, and the answer reaches the coordinator and the agency.

A second journey drafts a report with the network gone: the installable app keeps it on the phone and sends
it when the network returns, with the answer to the street lights' question (and not the one typed for the
category first chosen). Only the set-up (agencies, officials, categories, questions, routing) uses the ORM."""
import io
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from PIL import Image
from playwright.sync_api import expect

from tinhso.feedback.demo_data import ATTRIBUTES
from tinhso.feedback.models import Category, CategoryAttribute, Report, ReportPhoto, RoutingRule
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-rat-dai-2026"
CCCD = "019190004321"
NAME = "Đặng Thị Hoa"
EMAIL = "hoa.dang@example.vn"
PHONE = "0987654321"
PHONE_SCREEN = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
                "has_touch": True}
HERE = {"latitude": 21.592477, "longitude": 105.848174}  # Thái Nguyên city centre, inside the province


def jpeg_with_gps() -> bytes:
    """A small photo as a phone takes it: EXIF with the GPS position and the camera's make and model."""
    img = Image.new("RGB", (320, 240), (120, 110, 90))
    for x in range(100, 220):
        for y in range(90, 150):
            img.putpixel((x, y), (40, 35, 30))  # the pothole
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model Bí Mật"
    exif[0x8825] = {1: "N", 2: (21.0, 35.0, 32.9), 3: "E", 4: (105.0, 50.0, 53.4)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "the test photo must carry GPS tags"
    return data


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
def field(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    province = Agency.objects.create(code="000.00.00.H59", name="Ủy ban nhân dân tỉnh Thái Nguyên", kind="ubnd_tinh",
                                     province_id="19")
    ward = Agency.objects.create(code="000.01.90.H55", name="Ủy ban nhân dân phường Phan Đình Phùng",
                                 kind="ubnd_xa", province_id="19", commune_id="05443")
    roads = Category.objects.create(code="giao-thong", name="Hạ tầng giao thông", deadline_working_days=5)
    RoutingRule.objects.create(category=roads, commune=None, agency=ward)
    lights = Category.objects.create(code="dien-chieu-sang", name="Điện chiếu sáng", deadline_working_days=5)
    for cat in (roads, lights):  # the demo data's questions of these categories
        for order, (code, datatype, required, question, values) in enumerate(ATTRIBUTES[cat.code], start=1):
            CategoryAttribute.objects.create(category=cat, code=code, datatype=datatype, required=required,
                                             description=question, order=order,
                                             values=[{"key": k, "name": n} for k, n in values])
    citizen = User.objects.create_user(username=CCCD, cccd=CCCD, password=PASSWORD, kind="citizen", full_name=NAME,
                                       email=EMAIL, phone=PHONE)
    EmailAddress.objects.create(user=citizen, email=EMAIL, primary=True, verified=True)
    return {"category": roads, "agency": ward, "citizen": citizen,
            "coordinator": make_official(province, "dieuphoi.tn", "Vũ Minh Khoa", "province_admin"),
            "specialist": make_official(ward, "giaothong.pdp", "Lê Văn Tùng", "specialist")}


@pytest.fixture
def new_page(browser, browser_context_args, live_server):
    """A fresh phone-sized browser context (own cookies, own storage) per actor."""
    contexts = []

    def make(**extra):
        context = browser.new_context(**{**browser_context_args, **PHONE_SCREEN, "base_url": live_server.url, **extra})
        contexts.append(context)
        return context.new_page()

    yield make
    for c in contexts:
        c.close()


def citizen_sign_in(page):
    page.goto("/tai-khoan/login/")
    page.fill("input[name=login]", CCCD)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Đăng nhập").click()
    assert NAME in page.locator("header").inner_text()


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


def click(page, role: str, name: str, scope: str = "main"):
    with page.expect_navigation():
        page.locator(scope).get_by_role(role, name=name, exact=True).first.click()


def test_report_with_photo_and_pin_answered_in_public_then_rated(new_page, field, assert_accessible):
    # ---- 1. The citizen reports a pothole from the phone: photo, "use my location", normal urgency.
    citizen = new_page(geolocation=HERE, permissions=["geolocation"])
    citizen_sign_in(citizen)
    citizen.goto("/phan-anh/gui/")
    assert citizen.locator("h1").inner_text() == "Gửi phản ánh hiện trường"
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"
    assert_accessible(citizen)
    kind = citizen.get_by_label("Loại sự cố")
    expect(kind).to_be_hidden()  # no category chosen yet: no category's questions
    expect(citizen.get_by_label("Số hiệu cột đèn (ghi trên thân cột), nếu có")).to_be_hidden()
    citizen.select_option("select[name=category]", "giao-thong")
    expect(kind).to_be_visible()
    expect(citizen.get_by_label("Số hiệu cột đèn (ghi trên thân cột), nếu có")).to_be_hidden()
    kind.select_option(label="Ổ gà, hư hỏng mặt đường")
    assert_accessible(citizen)
    citizen.fill("textarea[name=description]", "Ổ gà sâu giữa đường Hoàng Văn Thụ, trời mưa xe máy dễ ngã.")
    citizen.set_input_files("input[name=photos]", files=[
        {"name": "o-ga.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}])
    citizen.get_by_role("button", name="Dùng vị trí hiện tại của tôi").click()
    expect(citizen.locator("input[name=lat]")).not_to_have_value("")
    assert citizen.input_value("input[name=lat]") == "21.592477"
    assert citizen.input_value("input[name=long]") == "105.848174"
    assert "Đã lấy vị trí hiện tại" in citizen.locator("#fb-locate-status").inner_text()
    citizen.fill("input[name=address]", "Trước số nhà 120 đường Hoàng Văn Thụ")
    click(citizen, "button", "Gửi phản ánh", "#fb-report-form")
    assert citizen.locator("h1").inner_text() == "Phản ánh của tôi"
    assert_accessible(citizen)
    report = Report.objects.get()
    assert (report.state, report.reporter_id, str(report.lat), str(report.long)) == (
        "new", field["citizen"].pk, "21.592477", "105.848174")
    assert report.attributes == {"loai_su_co": "o-ga"}
    assert report.public_id in citizen.locator("main").inner_text()

    # The stored photo was re-encoded: no EXIF at all, so neither the position nor the camera.
    stored = ReportPhoto.objects.get(report=report)
    with stored.file.open("rb") as fh:
        data = fh.read()
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG" and not img.getexif() and "exif" not in img.info
    assert b"Exif" not in data and b"PhoneMaker" not in data and "Bí Mật".encode() not in data

    # ---- 2. The coordinator signs in with TOTP and accepts it: routed to the ward's UBND.
    coordinator = new_page()
    official_sign_in(coordinator, field["coordinator"])
    coordinator.goto("/phan-anh/dieu-phoi/")
    assert_accessible(coordinator)
    click(coordinator, "link", report.public_id)
    main = coordinator.locator("main").inner_text()
    assert NAME in main and EMAIL in main  # the coordinator alone sees who reported
    assert "Loại sự cố" in main and "Ổ gà, hư hỏng mặt đường" in main  # the citizen's answer
    assert_accessible(coordinator)
    click(coordinator, "button", "Tiếp nhận")
    report.refresh_from_db()
    assert (report.state, report.agency_id) == ("assigned", field["agency"].pk) and report.due_at is not None
    assert_accessible(coordinator)

    # ---- 3. The ward's specialist answers; the agency never sees who reported.
    agency = new_page()
    official_sign_in(agency, field["specialist"])
    agency.goto("/phan-anh/xu-ly/")
    assert_accessible(agency)
    click(agency, "link", report.public_id)
    html = agency.content()
    for secret in (NAME, EMAIL, PHONE, CCCD):
        assert secret not in html
    assert "Ổ gà, hư hỏng mặt đường" in agency.locator("main").inner_text()
    assert_accessible(agency)
    click(agency, "button", "Nhận xử lý")
    agency.fill("textarea[name=answer-answer]", "Phường đã vá ổ gà bằng bê tông nhựa ngày hôm nay.")
    click(agency, "button", "Gửi trả lời")
    report.refresh_from_db()
    assert report.state == "answered"
    assert_accessible(agency)

    # ---- 4. Anyone sees the report, its photo and the answer, but not who reported.
    public = new_page()
    public.goto("/phan-anh/")
    assert_accessible(public)
    assert report.public_id in public.locator("main").inner_text()
    for secret in (NAME, EMAIL, PHONE, CCCD):
        assert secret not in public.content()
    click(public, "link", f"Hạ tầng giao thông · {report.public_id}")
    main = public.locator("main").inner_text()
    assert "Phường đã vá ổ gà bằng bê tông nhựa ngày hôm nay." in main and "Ổ gà sâu giữa đường" in main
    html = public.content()
    for secret in (NAME, EMAIL, PHONE, CCCD):
        assert secret not in html
    photo = public.locator("main img").first
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0"), "the photo is shown"
    assert_accessible(public)

    # ---- 5. The citizen rates the answer: satisfied closes the report.
    citizen.goto("/phan-anh/cua-toi/")
    assert "Phường đã vá ổ gà" in citizen.locator("main").inner_text()
    citizen.locator("main").get_by_label("Hài lòng", exact=True).check()
    click(citizen, "button", "Gửi đánh giá")
    assert "Cảm ơn bạn đã đánh giá." in citizen.locator("body").inner_text()
    report.refresh_from_db()
    assert (report.rating, report.state) == ("satisfied", "closed")
    assert_accessible(citizen)


def test_report_drafted_offline_is_sent_when_the_network_returns(new_page, field, assert_accessible):
    lights = Category.objects.get(code="dien-chieu-sang")  # and a multiple-choice question (ticked boxes)
    CategoryAttribute.objects.create(category=lights, code="hien-tuong", datatype="multivaluelist", order=2,
                                     description="Đèn hỏng thế nào?", values=[
                                         {"key": "tat", "name": "Tắt cả đêm"}, {"key": "nhap-nhay", "name": "Nhấp nháy"},
                                         {"key": "sang-ngay", "name": "Sáng cả ngày"}])
    page = new_page()
    citizen_sign_in(page)
    page.goto("/phan-anh/gui/")
    # the installable app's service worker is active and has kept the form for offline use
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    assert page.evaluate("navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    expect(page.locator("#fb-offline")).to_be_visible()  # shown on the browser's "offline" event
    page.select_option("select[name=category]", "giao-thong")
    page.get_by_label("Loại sự cố").select_option("khac")  # then the citizen sees it is about the lights
    page.select_option("select[name=category]", "dien-chieu-sang")
    expect(page.get_by_label("Loại sự cố")).to_be_hidden()
    page.get_by_label("Số hiệu cột đèn (ghi trên thân cột), nếu có").fill("CS-15/07")
    page.get_by_label("Tắt cả đêm").check()
    page.get_by_label("Nhấp nháy").check()
    page.fill("textarea[name=description]", "Đèn đường tắt cả tuần ở ngõ 15, tối không thấy đường.")
    page.fill("input[name=lat]", "21.590100")
    page.fill("input[name=long]", "105.845200")
    page.set_input_files("input[name=photos]", files=[
        {"name": "den.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}])
    page.locator("#fb-report-form").get_by_role("button", name="Gửi phản ánh").click()
    queued = page.locator("#fb-queued")
    queued.wait_for(state="visible")
    assert "đã được lưu trên máy" in queued.inner_text()
    assert_accessible(page)
    assert not Report.objects.exists(), "nothing reached the server while offline"

    page.context.set_offline(False)
    expect(queued).to_contain_text("Đã gửi phản ánh lưu trên máy", timeout=15000)  # on the "online" event
    report = Report.objects.get()
    assert report.description == "Đèn đường tắt cả tuần ở ngõ 15, tối không thấy đường."
    assert report.reporter_id == field["citizen"].pk and report.photos.count() == 1
    assert report.category.code == "dien-chieu-sang"
    assert report.attributes == {"so_cot_den": "CS-15/07", "hien-tuong": ["tat", "nhap-nhay"]}
    assert report.public_id in queued.inner_text()

    with page.expect_navigation():
        page.locator("main nav").get_by_role("link", name="Phản ánh của tôi").click()
    assert report.public_id in page.locator("main").inner_text()
    assert page.evaluate("""() => new Promise(r => { const q = indexedDB.open('tinhso-feedback', 1);
        q.onsuccess = () => { const g = q.result.transaction('drafts').objectStore('drafts').count();
        g.onsuccess = () => r(g.result); }; })""") == 0, "the draft was removed once sent"


def test_coordinator_administration_pages_on_a_phone(new_page, field, assert_accessible):
    """API keys (shown once), officials on duty and the categories editor: usable and accessible."""
    from tinhso.feedback.models import ApiKey, DutyOfficer

    page = new_page()
    official_sign_in(page, field["coordinator"])
    page.goto("/phan-anh/quan-tri/khoa-api/")
    assert page.locator("h1").inner_text() == "Khóa API Open311"
    assert_accessible(page)
    page.get_by_label("Tên ứng dụng dùng khóa").fill("Ứng dụng Thái Nguyên số")
    click(page, "button", "Tạo khóa")
    raw = page.locator("#fb-raw-key").inner_text()
    assert raw.startswith("ts_") and ApiKey.objects.get().name == "Ứng dụng Thái Nguyên số"
    assert_accessible(page)
    click(page, "button", "Thu hồi Ứng dụng Thái Nguyên số")
    assert not ApiKey.objects.get().active and not page.locator("#fb-raw-key").count()

    click(page, "link", "Cán bộ trực", "main nav")
    assert_accessible(page)
    page.select_option("select[name=commune]", "05443")
    page.select_option("select[name=user]", str(field["specialist"].pk))
    click(page, "button", "Phân công")
    assert DutyOfficer.objects.filter(commune_id="05443", user=field["specialist"]).exists()
    assert "Lê Văn Tùng" in page.locator("main table").inner_text()
    assert_accessible(page)

    click(page, "link", "Lĩnh vực phản ánh", "main nav")
    assert_accessible(page)
    click(page, "link", "Hạ tầng giao thông")
    page.get_by_label("Thời hạn xử lý (ngày làm việc)").fill("0")
    click(page, "button", "Lưu lĩnh vực")
    assert "Có lỗi cần sửa" in page.locator(".error-summary").inner_text()  # an error summary linking to the field
    assert_accessible(page)
    page.get_by_label("Thời hạn xử lý (ngày làm việc)").fill("3")
    click(page, "button", "Lưu lĩnh vực")
    field["category"].refresh_from_db()
    assert field["category"].deadline_working_days == 3
    assert_accessible(page)

"""Once-only (“Một lần khai báo, trọn đời phục vụ”), through the browser: a citizen whose birth certificate
was issued by tinhso applies for a second procedure that needs it and submits without uploading it; the
official sees the component as reused and opens it; the citizen's “who used my data” page lists that access.

The set-up (catalog, agency, officials, the khai sinh dossier taken to approval) goes through the services."""
import re

import pytest
from django.utils import timezone

from tinhso.catalog.models import Procedure
from tinhso.catalog.services import demo_catalog_load
from tinhso.datastore.models import DataAccessLog, StoredDocument
from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier
from tinhso.people.models import User
from tinhso.places.models import Agency

from .test_dossier_journey import PASSWORD, make_official, new_page, official_sign_in, tiny_pdf  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AGENCY_CODE = "000.01.90.H55"
CCCD = "019090001234"
NAME = "Nguyễn Văn Bình"


def upload(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, tiny_pdf(name), content_type="application/pdf")


@pytest.fixture
def issued(db, settings):
    settings.REGISTRY_URL = ""  # no population registry here: identity "unavailable", submission unaffected
    demo_catalog_load()
    agency = Agency.objects.create(code=AGENCY_CODE, name="Ủy ban nhân dân phường Phan Đình Phùng",
                                   kind="ubnd_xa", province_id="19", commune_id="05443")
    staff = {"receiver": make_official(agency, "motcua.ds", "Hoàng Thị Lan", "receiver"),
             "specialist": make_official(agency, "hotich.ds", "Trần Văn Minh", "specialist"),
             "leader": make_official(agency, "lanhdao.ds", "Lê Quang Hải", "leader")}
    citizen = User.objects.create_user(username=CCCD, cccd=CCCD, password=PASSWORD, kind="citizen", full_name=NAME,
                                       email="binh@example.vn", phone="0912345678")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=citizen, email=citizen.email, primary=True, verified=True)
    birth = Procedure.objects.get(code="1.001193")
    d = services.dossier_submit_online(
        actor=citizen, procedure=birth, agency=agency,
        form_data={"ho_ten": NAME, "so_cccd": CCCD, "dien_thoai": "0912345678", "email": "binh@example.vn",
                   "noi_cu_tru": "Tổ 5, phường Phan Đình Phùng", "ho_ten_tre": "Nguyễn Minh An",
                   "ngay_sinh_tre": timezone.localdate().strftime("%d/%m/%Y"), "gioi_tinh_tre": "nu",
                   "noi_sinh": "Bệnh viện Trung ương Thái Nguyên", "quan_he": "cha"},
        files={"to_khai": [upload("to-khai.pdf")], "giay_chung_sinh": [upload("chung-sinh.pdf")]})
    d = services.dossier_receive(actor=staff["receiver"], dossier=d)
    d = services.dossier_submit_for_approval(actor=staff["specialist"], dossier=d)
    services.dossier_approve(actor=staff["leader"], dossier=d)
    return {"agency": agency, "citizen": citizen, "staff": staff, "stored": StoredDocument.objects.get(owner=citizen)}


def citizen_sign_in(page):
    page.goto("/tai-khoan/login/")
    page.fill("input[name=login]", CCCD)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Đăng nhập").click()
    assert NAME in page.locator("header").inner_text()


def test_birth_certificate_reused_without_upload_and_access_listed(new_page, issued, assert_accessible):
    stored = issued["stored"]
    assert stored.origin == "tinhso" and stored.doc_type == "giay_khai_sinh"

    # ---- 1. The citizen sees the certificate in their store, then applies for the correction procedure.
    citizen = new_page()
    citizen_sign_in(citizen)
    citizen.goto("/kho-du-lieu/")
    assert citizen.locator("h1").inner_text() == "Kho dữ liệu của tôi"
    assert "Giấy khai sinh" in citizen.locator("main table").inner_text()
    assert "Đã xác thực" in citizen.locator("main table").inner_text()
    assert_accessible(citizen)

    citizen.goto("/ho-so/nop/1.004884/")
    assert_accessible(citizen)
    if citizen.locator("select[name=co_quan]").count():
        citizen.select_option("select[name=co_quan]", label="Ủy ban nhân dân phường Phan Đình Phùng")
    assert citizen.get_by_label("Số định danh cá nhân (CCCD)").input_value() == CCCD
    reuse = citizen.get_by_role("radio", name=re.compile("^Dùng giấy tờ trong kho: Giấy khai sinh"))
    assert reuse.count() == 1 and reuse.is_checked()
    citizen.get_by_label("Nơi cư trú").fill("Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên")
    citizen.get_by_label("Nội dung đề nghị thay đổi, cải chính, bổ sung").fill("Cải chính chữ đệm của con")
    citizen.fill("#id_tk-ly_do", "Ghi nhầm khi đăng ký")
    citizen.set_input_files("#id_tep_to_khai", files=[{"name": "to-khai.pdf", "mimeType": "application/pdf",
                                                        "buffer": tiny_pdf("to-khai")}])
    # No file for the birth certificate: it comes from the store.
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Gửi hồ sơ").click()
    assert "Hồ sơ đã được gửi, đang chờ tiếp nhận." in citizen.locator(".messages").inner_text()
    assert "Hồ sơ của bạn vẫn được gửi và lưu đầy đủ" in citizen.locator(".messages").inner_text()
    dossier = Dossier.objects.get(procedure_code="1.004884")
    comp = dossier.components.get(key="giay_to_lien_quan")
    assert comp.reused_from == stored and comp.reuse_source == "datastore"

    # ---- 2. The official sees the component as reused and opens it (logged).
    receiver = issued["staff"]["receiver"]
    desk = new_page(viewport={"width": 1366, "height": 768})
    official_sign_in(desk, receiver)
    desk.goto(f"/can-bo/ho-so/{dossier.pk}/")
    row = desk.locator("main table tr", has_text="Giấy tờ làm căn cứ")
    assert "Tái sử dụng từ kho dữ liệu" in row.inner_text()
    assert_accessible(desk)
    with desk.expect_download() as dl:
        row.get_by_role("link", name="Mở", exact=False).click()
    assert open(dl.value.path(), "rb").read().startswith(b"%PDF")
    log = DataAccessLog.objects.get()
    assert (log.official, log.document, log.dossier, log.allowed) == (receiver, stored, dossier, True)

    # ---- 3. The citizen's "who used my data" page lists that access.
    citizen.goto("/kho-du-lieu/ai-da-dung/")
    assert citizen.locator("h1").inner_text() == "Ai đã dùng dữ liệu của tôi"
    table = citizen.locator("main table").inner_text()
    assert "Hoàng Thị Lan" in table and "Ủy ban nhân dân phường Phan Đình Phùng" in table
    assert "Mở giấy tờ" in table and "Được phép" in table
    assert_accessible(citizen)

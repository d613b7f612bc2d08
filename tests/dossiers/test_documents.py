"""The one-stop papers (Circular 01/2018/TT-VPCP forms 01-06 and the result): what a citizen or an
official reads on them must be there, in Vietnamese with its diacritics, times in Asia/Ho_Chi_Minh."""
from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tinhso.catalog.models import Field, FormField, Procedure
from tinhso.dossiers import documents
from tinhso.dossiers.models import Apology, Dossier, DossierComponent, Handover, SupplementRequest
from tinhso.dossiers.pdf import number_words, time_limit_words
from tinhso.dossiers.states import Channel, State
from tinhso.people.models import Official, User
from tinhso.places.models import Agency, Province

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.timezone.utc


def text_of(data: bytes) -> str:
    assert data[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def pages_of(data: bytes) -> list:
    return PdfReader(io.BytesIO(data)).pages


@pytest.fixture
def doc_agency(db):
    province = Province.objects.get(code="19")
    agency, _ = Agency.objects.get_or_create(
        code="000.77.19.H55", defaults={"name": "UBND phường Phan Đình Phùng", "kind": "ubnd_xa",
                                        "province": province})
    return agency


@pytest.fixture
def doc_procedure(db):
    field, _ = Field.objects.get_or_create(code="ho_tich_pdf", defaults={"name": "Hộ tịch (giấy tờ PDF)"})
    proc, _ = Procedure.objects.get_or_create(code="9.000077", defaults=dict(
        name="Đăng ký khai sinh", field=field, level="commune", agency_kind="ubnd_xa", online_level="toan_trinh",
        legal_basis="Luật Hộ tịch 2014", subjects="Công dân Việt Nam", result_name="Giấy khai sinh",
        time_kind="working_days", time_amount=5, source_document="Luật Hộ tịch 2014", published=True))
    FormField.objects.get_or_create(procedure=proc, position=1, key="ho_ten_tre",
                                    defaults={"label": "Họ, chữ đệm, tên của trẻ", "type": "text"})
    FormField.objects.get_or_create(procedure=proc, position=2, key="ngay_sinh_tre",
                                    defaults={"label": "Ngày sinh của trẻ", "type": "date"})
    FormField.objects.get_or_create(procedure=proc, position=3, key="gioi_tinh", defaults={
        "label": "Giới tính", "type": "select",
        "choices": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]})
    return proc


def official(agency, username: str, name: str, title: str):
    user = User.objects.create_user(username=username, password="Mat-khau-rat-dai-1", kind="official",
                                    full_name=name)
    Official.objects.create(user=user, agency=agency, title=title)
    return user


@pytest.fixture
def receiver(doc_agency):
    return official(doc_agency, "tiepnhan_pdf", "Lê Thị Hồng", "Công chức một cửa")


@pytest.fixture
def leader(doc_agency):
    return official(doc_agency, "lanhdao_pdf", "Phạm Quốc Tuấn", "Phó Chủ tịch")


@pytest.fixture
def dossier(doc_agency, doc_procedure):
    d = Dossier.objects.create(
        code="000.77.19.H55-231027-0361", procedure=doc_procedure, procedure_code=doc_procedure.code,
        procedure_name=doc_procedure.name, agency=doc_agency, channel=Channel.DESK, state=State.PROCESSING,
        applicant_name="Nguyễn Văn An", applicant_cccd="019090001234", applicant_phone="0912345678",
        applicant_email="an@dan.test", applicant_address="Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên",
        form_data={"ho_ten_tre": "Nguyễn Minh Khôi", "ngay_sinh_tre": "2026-02-01", "gioi_tinh": "nam"},
        limit_kind="working_days", limit_amount=5,
        # stored in UTC: the papers must show Vietnam time
        received_at=dt.datetime(2023, 10, 27, 2, 32, tzinfo=UTC),
        due_at=dt.datetime(2023, 11, 3, 2, 32, tzinfo=UTC),
        return_method=Dossier.ReturnMethod.DESK,
    )
    DossierComponent.objects.create(dossier=d, key="to_khai", name="Tờ khai đăng ký khai sinh", originals=1)
    DossierComponent.objects.create(dossier=d, key="giay_chung_sinh", name="Giấy chứng sinh", originals=1,
                                    certified_copies=2)
    return d


def test_receipt_carries_what_the_citizen_needs_to_come_back(dossier, settings):
    settings.PUBLIC_URL = "https://dichvucong.thainguyen.test"
    text = text_of(documents.receipt_pdf(dossier))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "UBND PHƯỜNG PHAN ĐÌNH PHÙNG" in text
    assert "Thái Nguyên, ngày 27 tháng 10 năm 2023" in text
    assert "000.77.19.H55-231027-0361" in text
    assert "https://dichvucong.thainguyen.test/tra-cuu/000.77.19.H55-231027-0361/" in text.replace(" ", "")
    for needed in ("Nguyễn Văn An", "019090001234", "0912345678", "an@dan.test",
                   "Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên", "Đăng ký khai sinh",
                   "Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Bản chính: 01", "Bản sao chứng thực: 02",
                   "Số lượng hồ sơ: 01 (bộ)", "05 (năm) ngày làm việc", "Tại bộ phận một cửa",
                   "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"):
        assert needed in text, needed
    # received 09:32 and due 09:32 Vietnam time (stored 02:32 UTC)
    assert "09 giờ 32 phút, ngày 27/10/2023" in text
    assert "09 giờ 32 phút, ngày 03/11/2023" in text


def test_receipt_qr_encodes_the_tracking_url_and_nothing_is_fetched_from_outside(dossier, monkeypatch, settings):
    from tinhso.dossiers import pdf
    from tinhso.dossiers.pdf import url_fetcher

    settings.PUBLIC_URL = "https://dichvucong.thainguyen.test"
    encoded = []
    real_qr_svg = pdf.qr_svg
    monkeypatch.setattr(pdf, "qr_svg", lambda data: encoded.append(data) or real_qr_svg(data))
    documents.receipt_pdf(dossier)
    assert encoded == ["https://dichvucong.thainguyen.test/tra-cuu/000.77.19.H55-231027-0361/"]
    for url in ("https://cdn.example.com/logo.png", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            url_fetcher().fetch(url)


def test_supplement_request_lists_what_to_add_and_why(dossier, receiver):
    req = SupplementRequest.objects.create(
        dossier=dossier, requested_by=receiver, requested_at=dt.datetime(2023, 10, 30, 8, 15, tzinfo=VN),
        reason="Giấy chứng sinh bị mờ, không đọc được tên người mẹ.",
        items=[{"key": "giay_chung_sinh", "name": "Giấy chứng sinh"}])
    text = text_of(documents.supplement_pdf(req))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Thái Nguyên, ngày 30 tháng 10 năm 2023" in text
    assert "000.77.19.H55-231027-0361" in text
    assert "Nguyễn Văn An" in text
    assert "Giấy chứng sinh" in text
    assert "Giấy chứng sinh bị mờ, không đọc được tên người mẹ." in text
    assert "Lê Thị Hồng" in text


def test_refusal_states_the_reason(dossier):
    dossier.state = State.REFUSED
    dossier.state_note = "Thủ tục này thuộc thẩm quyền của Sở Tư pháp, không thuộc UBND phường."
    dossier.closed_at = dt.datetime(2023, 10, 27, 10, 0, tzinfo=VN)
    dossier.save()
    text = text_of(documents.refusal_pdf(dossier))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Thủ tục này thuộc thẩm quyền của Sở Tư pháp, không thuộc UBND phường." in text
    assert "Nguyễn Văn An" in text
    assert "Thái Nguyên, ngày 27 tháng 10 năm 2023" in text


def test_apology_gives_previous_and_new_appointment(dossier, leader):
    apology = Apology.objects.create(
        dossier=dossier, created_by=leader, created_at=dt.datetime(2023, 11, 2, 14, 0, tzinfo=VN),
        reason="Cần xác minh thêm thông tin nơi cư trú của người mẹ.",
        previous_due_at=dossier.due_at, new_due_at=dt.datetime(2023, 11, 7, 16, 30, tzinfo=VN))
    text = text_of(documents.apology_pdf(apology))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Kính gửi: Nguyễn Văn An" in text
    assert "Cần xác minh thêm thông tin nơi cư trú của người mẹ." in text
    assert "09 giờ 32 phút, ngày 03/11/2023" in text
    assert "16 giờ 30 phút, ngày 07/11/2023" in text
    assert "xin lỗi ông/bà" in text
    assert "Phạm Quốc Tuấn" in text and "PHÓ CHỦ TỊCH" in text
    assert "Thái Nguyên, ngày 02 tháng 11 năm 2023" in text


def test_control_slip_has_one_row_per_handover_with_its_timeliness(dossier, doc_agency, receiver, leader):
    rows = [
        (dt.datetime(2023, 10, 27, 10, 5, tzinfo=VN), receiver, leader, "Chuyển xử lý", "early"),
        (dt.datetime(2023, 11, 2, 15, 45, tzinfo=VN), leader, receiver, "Phê duyệt", "on_time"),
        (dt.datetime(2023, 11, 3, 11, 0, tzinfo=VN), receiver, None, "Trả kết quả", "late"),
    ]
    for step, (at, giver, to, result, timeliness) in enumerate(rows, start=1):
        Handover.objects.create(dossier=dossier, step=step, agency=doc_agency, at=at, giver=giver, receiver=to,
                                result=result, step_due_at=dossier.due_at, timeliness=timeliness)
    text = text_of(documents.control_slip_pdf(dossier))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    for label in ("Trước hạn", "Đúng hạn", "Quá hạn"):
        assert text.count(label) >= 2, label  # the column header and the row
    for needed in ("10 giờ 05 phút, ngày 27/10/2023", "15 giờ 45 phút, ngày 02/11/2023",
                   "11 giờ 00 phút, ngày 03/11/2023", "Lê Thị Hồng", "Phạm Quốc Tuấn", "Chuyển xử lý",
                   "Phê duyệt", "Trả kết quả", "UBND phường Phan Đình Phùng"):
        assert needed in text, needed
    assert "Thời gian hẹn trả kết quả: 09 giờ 32 phút, ngày 03/11/2023" in text


def test_register_is_landscape_with_one_row_per_dossier(dossier, doc_agency, doc_procedure):
    other = Dossier.objects.create(
        code="000.77.19.H55-231027-0362", procedure=doc_procedure, procedure_code=doc_procedure.code,
        procedure_name=doc_procedure.name, agency=doc_agency, channel=Channel.ONLINE, state=State.RETURNED,
        applicant_name="Trần Thị Bình", limit_kind="working_days", limit_amount=5,
        received_at=dt.datetime(2023, 10, 27, 14, 0, tzinfo=VN), due_at=dt.datetime(2023, 11, 3, 14, 0, tzinfo=VN),
        finished_at=dt.datetime(2023, 11, 1, 9, 0, tzinfo=VN), returned_at=dt.datetime(2023, 11, 1, 10, 0, tzinfo=VN))
    data = documents.register_pdf(agency=doc_agency, dossiers=[dossier, other],
                                  date_from=dt.date(2023, 10, 1), date_to=dt.date(2023, 10, 31))
    box = pages_of(data)[0].mediabox
    assert float(box.width) > float(box.height)
    text = text_of(data)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 01/10/2023 đến ngày 31/10/2023" in text
    for needed in ("000.77.19.H55-231027-0361", "000.77.19.H55-231027-0362", "Nguyễn Văn An", "Trần Thị Bình",
                   "Đang xử lý", "Đã trả kết quả", "ngày 01/11/2023", "Tổng số: 2 hồ sơ"):
        assert needed in text, needed


def test_result_document_names_the_result_the_applicant_and_the_approver(dossier, leader):
    at = dt.datetime(2023, 11, 1, 16, 20, tzinfo=VN)
    content = documents.result_pdf(dossier, approver=leader, at=at)
    assert content.name.endswith(".pdf")
    text = text_of(content.read())
    assert "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
    assert "Giấy khai sinh" in text
    for needed in ("Nguyễn Văn An", "Họ, chữ đệm, tên của trẻ", "Nguyễn Minh Khôi", "Ngày sinh của trẻ",
                   "01/02/2026", "Giới tính", "Nam", "Phạm Quốc Tuấn", "PHÓ CHỦ TỊCH",
                   "16 giờ 20 phút, ngày 01/11/2023", "Thái Nguyên, ngày 01 tháng 11 năm 2023",
                   "/tra-cuu/000.77.19.H55-231027-0361/"):
        assert needed in text, needed


def test_evening_utc_time_is_the_next_day_in_vietnam(dossier):
    dossier.received_at = dt.datetime(2023, 10, 26, 18, 10, tzinfo=UTC)  # 01:10 on 27/10 in Vietnam
    text = text_of(documents.receipt_pdf(dossier))
    assert "01 giờ 10 phút, ngày 27/10/2023" in text
    assert "Thái Nguyên, ngày 27 tháng 10 năm 2023" in text


@pytest.mark.parametrize("n,words", [(1, "một"), (5, "năm"), (10, "mười"), (15, "mười lăm"), (21, "hai mươi mốt"),
                                     (24, "hai mươi tư"), (30, "ba mươi"), (105, "một trăm linh năm")])
def test_time_limits_are_written_in_words(n, words):
    assert number_words(n) == words


def test_time_limit_wording_by_kind():
    assert time_limit_words("working_days", 15) == "15 (mười lăm) ngày làm việc"
    assert time_limit_words("working_hours", 4) == "04 (bốn) giờ làm việc"
    assert time_limit_words("calendar_days", 30) == "30 (ba mươi) ngày"
    assert time_limit_words("same_day", 0) == "Trong ngày làm việc"

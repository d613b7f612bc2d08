"""The application form built from data: required fields, regex, dd/mm/yyyy dates, select choices."""
import pytest

from tinhso.catalog import selectors, services
from tinhso.catalog.forms import form_class_for
from tinhso.catalog.models import Procedure

pytestmark = pytest.mark.django_db

GOOD = {"ho_ten": "Nguyễn Văn An", "so_cccd": "001090001234", "dien_thoai": "0912345678", "noi_cu_tru": "Thôn 1",
        "ho_ten_tre": "Nguyễn Minh Khang", "ngay_sinh_tre": "02/09/2025", "gioi_tinh_tre": "nam",
        "noi_sinh": "Bệnh viện tỉnh", "quan_he": "cha"}


def test_valid_application_is_cleaned_to_json(catalog):
    p = Procedure.objects.get(code="1.001193")
    cleaned, errors = selectors.form_validate(procedure=p, data=GOOD)
    assert errors == {}
    assert cleaned["ngay_sinh_tre"] == "2025-09-02"
    assert cleaned["email"] == ""


def test_errors_name_the_field(catalog):
    p = Procedure.objects.get(code="1.001193")
    bad = dict(GOOD, ho_ten="", so_cccd="12345", ngay_sinh_tre="2025-09-02", gioi_tinh_tre="khac", dien_thoai="12ab")
    cleaned, errors = selectors.form_validate(procedure=p, data=bad)
    assert cleaned == {}
    assert set(errors) == {"ho_ten", "so_cccd", "ngay_sinh_tre", "gioi_tinh_tre", "dien_thoai"}
    assert "Họ, chữ đệm và tên người yêu cầu" in errors["ho_ten"][0]
    assert "12 chữ số" in errors["so_cccd"][0]
    assert "dd/mm/yyyy" in errors["ngay_sinh_tre"][0] and "Ngày sinh của trẻ" in errors["ngay_sinh_tre"][0]
    assert "Giới tính của trẻ" in errors["gioi_tinh_tre"][0]


def test_custom_regex_number_bounds_and_checkbox(catalog, province_admin):
    p = Procedure.objects.get(code="1.001193")
    services.procedure_set_form_fields(actor=province_admin, procedure=p, form_fields=[
        {"key": "ma_so_thue", "label": "Mã số thuế", "type": "text", "required": True, "regex": r"^[0-9]{10}$",
         "regex_message": "Mã số thuế gồm 10 chữ số."},
        {"key": "so_ban", "label": "Số bản", "type": "number", "required": True, "min_value": 1, "max_value": 5},
        {"key": "cam_doan", "label": "Tôi cam đoan", "type": "checkbox", "required": True},
    ])
    p = Procedure.objects.get(pk=p.pk)
    _c, errors = selectors.form_validate(procedure=p, data={"ma_so_thue": "abc", "so_ban": "9"})
    assert errors["ma_so_thue"] == ["Mã số thuế gồm 10 chữ số."]
    assert "Số bản" in errors["so_ban"][0] and "5" in errors["so_ban"][0]
    assert "Tôi cam đoan" in errors["cam_doan"][0]
    cleaned, errors = selectors.form_validate(procedure=p, data={"ma_so_thue": "0101234567", "so_ban": "2", "cam_doan": "on"})
    assert errors == {} and cleaned == {"ma_so_thue": "0101234567", "so_ban": 2, "cam_doan": True}


def test_select_field_without_choices_is_refused(catalog, province_admin):
    p = Procedure.objects.get(code="1.001193")
    with pytest.raises(Exception) as exc:
        services.procedure_set_form_fields(actor=province_admin, procedure=p, form_fields=[
            {"key": "loai", "label": "Loại", "type": "select", "choices": []}])
    assert "Chọn một" in " ".join(exc.value.messages)
    assert p.form_fields.filter(key="ho_ten").exists()


def test_generated_form_keeps_order_and_labels(catalog):
    p = Procedure.objects.get(code="1.001193")
    form = form_class_for(p)()
    assert list(form.fields)[:2] == ["ho_ten", "so_cccd"]
    assert form.fields["ngay_sinh_tre"].label == "Ngày sinh của trẻ"

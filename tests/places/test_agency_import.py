"""Importing agencies from CSV and Excel: all-or-nothing, per-row errors, idempotent, content-checked."""
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.places import services
from tinhso.places.models import Agency

from .conftest import csv_bytes, snapshot, xlsx_bytes

pytestmark = pytest.mark.django_db

GOOD = [
    ["000.00.00.H55", "Ủy ban nhân dân tỉnh Thái Nguyên", "UBND tỉnh", "ubnd_tinh", "", "", "1"],
    ["000.01.05.H55", "Phòng Quản lý thương mại", "", "phong", "000.00.05.H55", "", "1"],
    ["000.00.05.H55", "Sở Công Thương", "SCT", "Sở, ban, ngành", "000.00.00.H55", "", ""],
    ["000.01.90.H55", "Ủy ban nhân dân phường Phan Đình Phùng", "", "ubnd_xa", "000.00.00.H55", "5443", "1"],
]


def test_demo_file_loads_the_province_tree():
    result = services.demo_agencies_load()
    assert result.created == 112
    assert Agency.objects.filter(kind="ubnd_xa").count() == 92
    assert Agency.objects.filter(kind="so").count() >= 14
    assert Agency.objects.get(kind="trung_tam_phvhc").parent.code == "000.00.00.H55"
    assert Agency.objects.filter(kind="phong", parent__name="Sở Tư pháp").count() >= 2
    commune_pc = Agency.objects.get(commune_id="05443")
    assert commune_pc.name == "Ủy ban nhân dân phường Phan Đình Phùng"


@pytest.mark.parametrize("maker,filename", [(csv_bytes, "co-quan.csv"), (xlsx_bytes, "co-quan.xlsx")])
def test_good_file_then_same_file_again_gives_the_same_state(maker, filename):
    data = maker(GOOD)
    first = services.agencies_import(actor=None, file=io.BytesIO(data), filename=filename)
    assert (first.created, first.updated) == (4, 0)
    state = snapshot()[0]
    second = services.agencies_import(actor=None, file=io.BytesIO(data), filename=filename)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert snapshot()[0] == state
    unit = Agency.objects.get(code="000.01.05.H55")
    assert unit.parent.code == "000.00.05.H55"  # parent listed after its child in the file
    assert Agency.objects.get(code="000.00.05.H55").kind == "so"  # kind given by its label
    assert Agency.objects.get(code="000.01.90.H55").commune_id == "05443"  # Excel drops leading zeros


def test_reimport_updates_changed_rows():
    services.agencies_import(actor=None, file=io.BytesIO(csv_bytes(GOOD)), filename="a.csv")
    changed = [r[:] for r in GOOD]
    changed[2][1] = "Sở Công Thương tỉnh Thái Nguyên"
    changed[1][6] = "0"
    result = services.agencies_import(actor=None, file=io.BytesIO(csv_bytes(changed)), filename="a.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 2, 2)
    assert Agency.objects.get(code="000.00.05.H55").name == "Sở Công Thương tỉnh Thái Nguyên"
    assert not Agency.objects.get(code="000.01.05.H55").active


@pytest.mark.parametrize("maker,filename", [(csv_bytes, "sai.csv"), (xlsx_bytes, "sai.xlsx")])
def test_bad_rows_write_nothing_and_name_row_and_column(maker, filename):
    bad = GOOD + [
        ["000.00.6.H55", "Sở lỗi mã", "", "so", "000.00.00.H55", "", "1"],            # row 6: code
        ["000.00.07.H55", "", "", "so", "000.00.00.H55", "", "1"],                    # row 7: name
        ["000.00.08.H55", "Sở Lạ", "", "bo", "000.00.88.H55", "", "có lẽ"],          # row 8: kind, parent, active
        ["000.00.05.H55", "Trùng mã", "", "so", "", "99999", "1"],                    # row 9: duplicate, commune
    ]
    before = snapshot()
    with pytest.raises(services.AgencyImportError) as exc:
        services.agencies_import(actor=None, file=io.BytesIO(maker(bad)), filename=filename)
    found = {(e.row, e.column) for e in exc.value.row_errors}
    assert found == {
        (6, "ma_dinh_danh"), (7, "ten_co_quan"), (8, "loai"), (8, "ma_co_quan_cap_tren"), (8, "dang_hoat_dong"),
        (9, "ma_dinh_danh"), (9, "ma_xa_phuong"),
    }
    assert all(e.message for e in exc.value.row_errors)
    assert any("Dòng 6, cột ma_dinh_danh" in m for m in exc.value.messages)
    assert snapshot() == before


def test_parent_cycle_in_file_is_refused():
    rows = [["000.00.05.H55", "Sở A", "", "so", "000.01.05.H55", "", "1"],
            ["000.01.05.H55", "Phòng B", "", "phong", "000.00.05.H55", "", "1"]]
    with pytest.raises(services.AgencyImportError) as exc:
        services.agencies_import(actor=None, file=io.BytesIO(csv_bytes(rows)), filename="vong.csv")
    assert {e.column for e in exc.value.row_errors} == {"ma_co_quan_cap_tren"}
    assert not Agency.objects.exists()


@pytest.mark.parametrize("data,filename,expected", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "anh.csv", "CSV"),
    ("ma_dinh_danh,ten_co_quan,loai\n000.00.00.H55,Ủy ban,ubnd_tinh\n".encode("cp1258", "replace") + b"\xff\xfe", "latin.csv", "UTF-8"),
    (b"ma_dinh_danh,ten_co_quan,loai\n", "rong.xlsx", "Excel"),
    (b"PK\x03\x04 not really a zip", "hong.xlsx", "xlsx"),
    (b"%PDF-1.7 ...", "co-quan.pdf", ".csv"),
    (b"", "rong.csv", "rỗng"),
    (b"ten,loai\nA,so\n", "thieu-cot.csv", "ma_dinh_danh"),
])
def test_unreadable_or_renamed_files_are_refused_on_the_file_field(data, filename, expected):
    with pytest.raises(ValidationError) as exc:
        services.agencies_import(actor=None, file=io.BytesIO(data), filename=filename)
    assert not isinstance(exc.value, services.AgencyImportError)
    assert expected in exc.value.message_dict["file"][0]
    assert not Agency.objects.exists()


def test_renamed_xlsx_as_csv_is_refused():
    with pytest.raises(ValidationError) as exc:
        services.agencies_import(actor=None, file=io.BytesIO(xlsx_bytes(GOOD)), filename="that-ra-la-excel.csv")
    assert "file" in exc.value.message_dict
    assert not Agency.objects.exists()


def test_too_large_file_is_refused():
    big = csv_bytes(GOOD) + b"#" * (2 * 1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        services.agencies_import(actor=None, file=io.BytesIO(big), filename="lon.csv")
    assert "MB" in exc.value.message_dict["file"][0]


@pytest.mark.parametrize("who", ["citizen", "official_without_role", "admin_of_other_province"])
def test_import_refused_without_the_role(refused_users, who):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.agencies_import(actor=refused_users[who], file=io.BytesIO(csv_bytes(GOOD)), filename="a.csv")
    assert snapshot() == before

"""Old three-level addresses (before 1/7/2025) converted to the 2025 commune of our map."""
import pytest

from tinhso.places.selectors import AddressMatch, old_address_to_commune

pytestmark = pytest.mark.django_db


def test_old_thai_nguyen_city_commune():
    matches = old_address_to_commune(text="Xã Tân Cương, Thành phố Thái Nguyên, Tỉnh Thái Nguyên")
    assert len(matches) == 1
    m = matches[0]
    assert isinstance(m, AddressMatch)
    assert (m.commune_name, m.province_code, m.province_name) == ("Xã Tân Cương", "19", "Thái Nguyên")
    assert m.commune_code == "05503"


def test_old_bac_kan_commune_now_in_thai_nguyen_keeps_the_street():
    matches = old_address_to_commune(text="Thôn Nà Pài, Xã Đôn Phong, Huyện Bạch Thông, Tỉnh Bắc Kạn")
    assert [(m.commune_name, m.province_name, m.street) for m in matches] == [
        ("Xã Phong Quang", "Thái Nguyên", "Thôn Nà Pài")]


def test_split_old_ward_gives_every_candidate():
    matches = old_address_to_commune(text="Xóm Đầm Mua, Xã Phú Cường, Huyện Đại Từ, Tỉnh Thái Nguyên")
    assert {m.commune_name for m in matches} == {"Xã Phú Thịnh", "Xã Phú Xuyên"}
    assert {(m.province_code, m.street) for m in matches} == {("19", "Xóm Đầm Mua")}


def test_address_of_another_province_gives_no_match():
    # The converter holds only the old provinces merged into the installation's (old_units.py).
    assert old_address_to_commune(text="Phường Hoàng Văn Thụ, Quận Hoàng Mai, Hà Nội") == []
    # Same ward and district names as in old Bắc Kạn / Thái Nguyên, another province: still no match.
    assert old_address_to_commune(text="Xã Hòa Bình, Huyện Chợ Mới, Tỉnh An Giang") == []
    assert old_address_to_commune(text="Phường Hoàng Văn Thụ, Thành phố Bắc Giang, Tỉnh Bắc Giang") == []


@pytest.mark.parametrize("text", ["", "   ", "không phải địa chỉ xyz", "x" * 600])
def test_unconvertible_text_gives_an_empty_list(text):
    assert old_address_to_commune(text=text) == []


def test_api_convert(client):
    response = client.get("/api/v1/places/address/convert",
                          {"text": "Số 5, tổ 3, Phường Phan Đình Phùng, Thành phố Thái Nguyên, Tỉnh Thái Nguyên"})
    assert response.status_code == 200
    assert response.json() == [{
        "commune_code": "05443", "commune_name": "Phường Phan Đình Phùng", "province_code": "19",
        "province_name": "Thái Nguyên", "street": "Số 5, tổ 3",
        "old_text": "Số 5, tổ 3, Phường Phan Đình Phùng, Thành phố Thái Nguyên, Tỉnh Thái Nguyên",
    }]


@pytest.mark.parametrize("argv,env,expected", [
    (["tinhso", "migrate"], {}, False),
    (["tinhso", "test_something"], {}, False),
    (["tinhso", "runserver"], {"RUN_MAIN": "true"}, True),
    (["tinhso", "runserver"], {}, False),  # the autoreloader's parent process serves nothing
    (["/usr/local/bin/gunicorn", "tinhso.wsgi"], {}, True),
    (["tinhso", "migrate"], {"TINHSO_WARM_ADDRESS_INDEX": "1"}, True),
])
def test_index_is_warmed_only_in_web_processes(monkeypatch, argv, env, expected):
    import sys

    from tinhso.places import address

    monkeypatch.delitem(sys.modules, "pytest")
    monkeypatch.delitem(sys.modules, "gunicorn", raising=False)
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.delenv("RUN_MAIN", raising=False)
    monkeypatch.delenv("TINHSO_WARM_ADDRESS_INDEX", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert address._is_web_process() is expected


def test_index_is_not_warmed_during_tests():
    from tinhso.places import address

    assert address.address_index_warm_in_background() is False

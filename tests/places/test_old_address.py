"""Old three-level addresses (before 1/7/2025) converted to the 2025 commune of our map."""
import pytest
from django.urls import reverse

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


# --- Old addresses several old communes fit --------------------------------------------------------------
# The package keeps ONE old ward when several fit the text equally well (its set order breaks the tie);
# a citizen given the wrong 2025 commune files every dossier with the wrong commune's one-stop desk.
# Mapping (vietnam-address-converter 1.0.5): Phường Hương Sơn (TP Thái Nguyên) → Phường Gia Sàng;
# Thị trấn Hương Sơn (Phú Bình) → Xã Phú Bình; Phường Trung Thành (TP Thái Nguyên) → Phường Tích Lương;
# Phường Trung Thành (TP Phổ Yên) → Phường Trung Thành; Xã / Phường Tân Thành → Xã Tân Thành / Phường Tích Lương.

def names(text):
    return [m.commune_name for m in old_address_to_commune(text=text)]


def test_huong_son_of_thai_nguyen_city_is_gia_sang_not_phu_binh():
    # "Thành phố Thái Nguyên" is the old city (the province is a tỉnh) and "Phường" is not a thị trấn.
    assert names("Phường Hương Sơn, Thành phố Thái Nguyên") == ["Phường Gia Sàng"]
    assert names("Tổ 7, P. Hương Sơn, TP Thái Nguyên") == ["Phường Gia Sàng"]
    assert names("Hương Sơn, Thành phố Thái Nguyên") == ["Phường Gia Sàng"]  # the district alone decides


def test_type_word_picks_the_old_commune_when_the_names_tie():
    assert names("Phường Hương Sơn, Tỉnh Thái Nguyên") == ["Phường Gia Sàng"]
    assert names("Thị trấn Hương Sơn, Tỉnh Thái Nguyên") == ["Xã Phú Bình"]
    assert names("Xã Tân Thành, Thái Nguyên") == ["Xã Tân Thành"]
    assert names("Phường Tân Thành, Tỉnh Thái Nguyên") == ["Phường Tích Lương"]


def test_text_that_fits_several_old_communes_offers_each_of_them():
    both = {"Phường Gia Sàng", "Xã Phú Bình"}
    matches = old_address_to_commune(text="Tổ 2, Hương Sơn, Thái Nguyên")
    assert {m.commune_name for m in matches} == both and len(matches) == 2
    assert {(m.province_code, m.street) for m in matches} == {("19", "Tổ 2")}
    # Same ward name and type in two old districts, none given: both.
    assert set(names("Phường Trung Thành, Tỉnh Thái Nguyên")) == {"Phường Tích Lương", "Phường Trung Thành"}
    # The type word contradicts the district: the citizen chooses rather than being given the district's.
    assert set(names("Thị trấn Hương Sơn, Thành phố Thái Nguyên, Tỉnh Thái Nguyên")) == both


def test_district_that_disambiguates_gives_one_commune():
    assert names("Phường Trung Thành, Thành phố Phổ Yên, Tỉnh Thái Nguyên") == ["Phường Trung Thành"]
    assert names("Phường Trung Thành, Thành phố Thái Nguyên, Tỉnh Thái Nguyên") == ["Phường Tích Lương"]
    assert names("Phường Trung Thành, Thành phố Thái Nguyên") == ["Phường Tích Lương"]
    assert names("Thị trấn Hương Sơn, Huyện Phú Bình, Tỉnh Thái Nguyên") == ["Xã Phú Bình"]


def test_unique_old_commune_still_gives_exactly_one():
    assert names("Xã Tân Cương, Tỉnh Thái Nguyên") == ["Xã Tân Cương"]
    assert names("Tân Cương, Thái Nguyên") == ["Xã Tân Cương"]
    assert names("Xã Văn Lăng, Tỉnh Thái Nguyên") == ["Xã Văn Lăng"]  # not the 2025 Xã Văn Lang (diacritics)


def test_communes_differing_only_by_diacritics_are_not_confused():
    # 2025 Thái Nguyên has Xã Văn Lăng (05665, old Đồng Hỷ) and Xã Văn Lang (02143, old Na Rì, Bắc Kạn):
    # the same diacritics-free search key.
    def codes(text):
        return [(m.commune_code, m.commune_name) for m in old_address_to_commune(text=text)]

    for text in ("Xã Hòa Bình, Huyện Đồng Hỷ, Tỉnh Thái Nguyên", "Xã Văn Lăng, Huyện Đồng Hỷ, Tỉnh Thái Nguyên"):
        assert codes(text) == [("05665", "Xã Văn Lăng")]
    for text in ("Xã Kim Hỷ, Huyện Na Rì, Tỉnh Bắc Kạn", "Xã Văn Lang, Huyện Na Rì, Tỉnh Bắc Kạn"):
        assert codes(text) == [("02143", "Xã Văn Lang")]


def test_2025_address_typed_in_the_old_address_box_is_offered():
    # "Xã Văn Lang" is a 2025 commune (old Văn Lang, Na Rì, Bắc Kạn); the package's old reading ignores
    # diacritics and finds old Xã Văn Lăng (Đồng Hỷ) only.
    assert "Xã Văn Lang" in names("Xã Văn Lang, Tỉnh Thái Nguyên")


def test_api_convert_returns_every_candidate(client):
    response = client.get("/api/v1/places/address/convert", {"text": "Hương Sơn, Thái Nguyên"})
    assert response.status_code == 200
    assert sorted(m["commune_name"] for m in response.json()) == ["Phường Gia Sàng", "Xã Phú Bình"]


def test_profile_offers_a_choice_with_nothing_preselected(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("web:profile"),
                           {"action": "address_lookup", "old_address": "Hương Sơn, Thái Nguyên"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="commune" id="match-1"' in html and 'name="commune" id="match-2"' in html
    assert "Phường Gia Sàng" in html and "Xã Phú Bình" in html
    radios = [line for line in html.splitlines() if 'type="radio" name="commune"' in line]
    assert len(radios) == 2 and not any("checked" in line for line in radios)


def test_profile_preselects_a_single_match(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("web:profile"), {"action": "address_lookup",
                                                    "old_address": "Phường Hương Sơn, Thành phố Thái Nguyên"})
    radios = [line for line in response.content.decode().splitlines() if 'type="radio" name="commune"' in line]
    assert len(radios) == 1 and "checked" in radios[0] and 'value="' in radios[0]


@pytest.mark.parametrize("written,name,same", [
    ("Xã Hoà Bình", "Xã Hòa Bình", True),    # old and new tone-mark placement: the same name
    ("xã thuỵ lôi", "Xã Thụy Lôi", True),
    ("Xã Lộc Thành", "Xã Lộc Thạnh", False),  # two communes of Lộc Ninh (Bình Phước)
    ("Xã Văn Lang", "Xã Văn Lăng", False),
])
def test_names_compare_with_their_diacritics(written, name, same):
    from tinhso.places.address import same_spelling

    assert same_spelling(written, name) is same


@pytest.mark.parametrize("written,kind", [
    ("Phường Hương Sơn", "phuong"), ("P. Hương Sơn", "phuong"), ("p.Hương Sơn", "phuong"),
    ("phuong Huong Son", "phuong"), ("TT Hương Sơn", "thi_tran"), ("Thị trấn Hương Sơn", "thi_tran"),
    ("Xã Tân Cương", "xa"), ("TP Thái Nguyên", "thanh_pho"), ("Thị xã Phổ Yên", "thi_xa"), ("Tỉnh Thái Nguyên", "tinh"),
    ("Hương Sơn", None), ("Phương Sơn", None), ("Huyền Sơn", None), ("Xá Lượng", None), ("Tân Cương", None),
])
def test_type_words_as_citizens_write_them(written, kind):
    from tinhso.places.address import _type_of

    assert _type_of(written) == kind


@pytest.mark.parametrize("written,names,spelling,clashes", [
    ("Phường Hương Sơn", ["Thị Trấn Hương Sơn"], True, 1),
    ("Phường Hương Sơn", ["Phường Hương Sơn"], True, 0),
    ("Thành phố Thái Nguyên", ["Tỉnh Thái Nguyên"], False, 1),  # the old city, not the province
    ("Thị xã Phổ Yên", ["Thành Phố Phổ Yên"], False, 0),        # upgraded before 2025: old papers say either
    ("Lộc Thành", ["Xã Lộc Thạnh"], True, 1),
    # Names that start like a type word are names (whole-country data: Xã Xa Dung, Xã H Bông, Xã Quan Sơn).
    ("Xa Dung", ["Xã Xa Dung"], True, 0), ("H Bông", ["Xã H Bông"], True, 0), ("Quan Sơn", ["Xã Quan Sơn"], True, 0),
    ("Quan Triều", ["Phường Quan Triều"], True, 0),
])
def test_what_the_citizen_wrote_contradicts(written, names, spelling, clashes):
    from tinhso.places.address import _part_clashes

    assert _part_clashes({"raw": written}, names, with_diacritics=True, spelling=spelling) == clashes

"""The 2025 administrative map is in every installation, with official codes and types."""
from collections import Counter

import pytest

from tinhso.places import selectors
from tinhso.places.models import Commune, Province

pytestmark = pytest.mark.django_db


def test_34_provinces_and_3321_communes_of_the_2025_structure():
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    assert Counter(Province.objects.values_list("type", flat=True)) == {"tinh": 28, "thanh_pho_trung_uong": 6}
    assert Counter(Commune.objects.values_list("type", flat=True)) == {"xa": 2621, "phuong": 687, "dac_khu": 13}


def test_official_codes_and_names():
    assert Province.objects.get(code="19").name == "Thái Nguyên"
    assert Province.objects.get(code="01").name == "Thành phố Hà Nội"
    assert Province.objects.get(code="79").type == "thanh_pho_trung_uong"
    ward = Commune.objects.get(code="05443")
    assert (ward.name, ward.type, ward.province_id) == ("Phường Phan Đình Phùng", "phuong", "19")


def test_installation_serves_thai_nguyen_with_92_communes():
    assert selectors.installation_province().name == "Thái Nguyên"
    communes = selectors.communes_of_installation()
    assert communes.count() == 92
    assert Counter(communes.values_list("type", flat=True)) == {"xa": 77, "phuong": 15}


def test_installation_province_follows_the_setting(settings):
    settings.PROVINCE_CODE = "37"
    assert selectors.installation_province().name == "Ninh Bình"
    assert selectors.communes_of_installation().count() == 129


@pytest.mark.parametrize("query", ["phan dinh phung", "Phan Đình Phùng", "PHAN DINH PHUNG", "  phan   dinh phung "])
def test_search_without_diacritics_finds_the_ward(query):
    assert [c.name for c in selectors.communes_of_installation(query=query)] == ["Phường Phan Đình Phùng"]


def test_search_handles_d_with_stroke():
    names = [c.name for c in selectors.communes_of_installation(query="duc xuan")]
    assert names == ["Phường Đức Xuân"]


def test_type_filter():
    assert selectors.communes_of_installation(type="phuong").count() == 15
    assert not selectors.communes_of_installation(type="dac_khu").exists()

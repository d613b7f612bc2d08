"""The old-address converter holds only the old provinces merged into the installation's (places/old_units.py)."""
import json
import logging
import os
import subprocess
import sys

import pytest

from tinhso.places import old_units
from tinhso.places.selectors import old_address_to_commune

ROWS_19 = 281  # mapping rows of old Thái Nguyên (173) and old Bắc Kạn (108) in vietnam-address-converter 1.0.5


@pytest.mark.django_db
def test_the_converter_holds_old_thai_nguyen_and_bac_kan_only():
    assert old_address_to_commune(text="Xã Tân Cương, Thành phố Thái Nguyên, Tỉnh Thái Nguyên")
    meta = old_units.installed_subset()
    assert meta is not None, "the package loaded its full data for all 63 old provinces"
    assert (meta["provinces"], meta["old_provinces"]) == (["19"], ["Bắc Kạn", "Thái Nguyên"])
    data = sys.modules["vietnam_address_converter.data"].DEFAULT_DATA
    assert len(data["mapping"]["rows"]) == ROWS_19
    assert {p["name"] for p in data["oldProvinces"].values()} == {"Bắc Kạn", "Thái Nguyên"}
    assert {p["name"] for p in data["newProvinces"].values()} == {"Thái Nguyên"}
    assert len(data["newWards"]) == 92  # every 2025 commune of Thái Nguyên, for addresses already in the new form


def test_every_mapping_index_points_at_the_right_rows_after_renumbering(tmp_path):
    mapping = old_units.subset_load(path=tmp_path / old_units.FILE_NAME, codes=["19"])["mapping"]
    rows = mapping["rows"]
    field = {
        "by_old_name_path": lambda r: r["keys"]["old_name_path"],
        "by_old_province_district": lambda r: r["keys"]["old_province_district"],
        "by_old_province_name": lambda r: r["keys"]["old_province_name"],
        "by_old_district_name": lambda r: r["keys"]["old_district_name"],
        "by_old_ward_name": lambda r: r["keys"]["old_ward_name"],
        "by_old_province_code": lambda r: r["old"]["province_code"],
        "by_old_district_code": lambda r: r["old"]["district_code"],
        "by_old_ward_code": lambda r: r["old"]["ward_code"],
    }
    assert set(mapping["indexes"]) == set(field)
    for name, index in mapping["indexes"].items():
        expected: dict[str, list[int]] = {}
        for position, row in enumerate(rows):
            expected.setdefault(field[name](row), []).append(position)
        assert index == expected, name


def _meta_on_disk(path):
    return json.loads(path.read_text(encoding="utf-8"))["tinhso"]


def test_the_subset_file_is_rebuilt_when_the_provinces_change(tmp_path):
    path = tmp_path / old_units.FILE_NAME
    data = old_units.subset_load(path=path, codes=["19"])
    assert data["tinhso"]["old_provinces"] == ["Bắc Kạn", "Thái Nguyên"]
    assert _meta_on_disk(path)["provinces"] == ["19"]

    data = old_units.subset_load(path=path, codes=["08"])  # Tuyên Quang = old Tuyên Quang + old Hà Giang
    assert data["tinhso"]["old_provinces"] == ["Hà Giang", "Tuyên Quang"]
    assert _meta_on_disk(path)["provinces"] == ["08"]
    assert {p["name"] for p in data["oldProvinces"].values()} == {"Hà Giang", "Tuyên Quang"}


def test_the_subset_file_is_rebuilt_for_another_package_version_or_when_damaged(tmp_path):
    path = tmp_path / old_units.FILE_NAME
    old_units.subset_load(path=path, codes=["19"])
    stale = json.loads(path.read_text(encoding="utf-8"))
    stale["tinhso"]["package_version"] = "0.0.1"
    stale["mapping"]["rows"] = stale["mapping"]["rows"][:1]
    path.write_text(json.dumps(stale), encoding="utf-8")
    data = old_units.subset_load(path=path, codes=["19"])
    assert data["tinhso"]["package_version"] == old_units.package_version()
    assert len(data["mapping"]["rows"]) == ROWS_19

    path.write_text('{"mapping": ', encoding="utf-8")
    assert len(old_units.subset_load(path=path, codes=["19"])["mapping"]["rows"]) == ROWS_19
    assert _meta_on_disk(path)["package_version"] == old_units.package_version()


def test_a_subset_that_cannot_be_made_leaves_the_full_data_and_is_logged(monkeypatch, caplog, settings):
    settings.OLD_ADDRESS_PROVINCES = ["19"]
    def broken(**kwargs):
        raise old_units.SubsetError("disk full")

    monkeypatch.setitem(old_units._state, "done", False)
    monkeypatch.setitem(old_units._state, "installed", False)
    monkeypatch.delitem(sys.modules, old_units.DATA_MODULE, raising=False)
    monkeypatch.setattr(old_units, "subset_load", broken)
    with caplog.at_level(logging.ERROR, logger="tinhso.places.old_units"):
        assert old_units.install() is False
    assert old_units.DATA_MODULE not in sys.modules  # the package's own data.py loads on import
    assert "the converter loads its full data" in caplog.text


def test_an_unknown_province_code_is_refused(tmp_path):
    with pytest.raises(old_units.SubsetError, match="99"):
        old_units.subset_load(path=tmp_path / old_units.FILE_NAME, codes=["99"])


_SCRIPT = """
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "tinhso.settings"
django.setup()
from tinhso.places import address, old_units
def wards(text):
    c = address.converter_convert(text)["conversion"]
    found = [c["result"]] if c.get("result") else c.get("candidates") or []
    return sorted(x["new_ward"]["name_with_type"] for x in found if x.get("new_ward"))
out = {"hanoi": wards("Phường Hoàng Văn Thụ, Quận Hoàng Mai, Hà Nội"),
       "thai_nguyen": wards("Xã Tân Cương, Thành phố Thái Nguyên, Tỉnh Thái Nguyên")}
print(json.dumps({**out, "meta": old_units.installed_subset()}))
"""


def test_an_installation_of_another_province_converts_its_own_old_addresses(tmp_path):
    env = {**os.environ, "TINHSO_VAR_DIR": str(tmp_path), "TINHSO_OLD_ADDRESS_PROVINCES": "01"}
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["meta"]["old_provinces"] == ["Hà Nội"]
    assert out["hanoi"] == ["Phường Hoàng Mai", "Phường Tương Mai"]  # the split old ward: every candidate
    assert out["thai_nguyen"] == []

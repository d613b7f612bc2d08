"""Citizens find procedures without typing diacritics; the API's shapes."""
import pytest

from tinhso.catalog import selectors
from tinhso.catalog.models import Procedure

pytestmark = pytest.mark.django_db


def test_search_without_diacritics_matches_all_words(catalog):
    names = list(selectors.procedures_search(q="dang ky khai sinh").values_list("name", flat=True))
    assert "Đăng ký khai sinh" in names
    assert all("khai sinh" in n.lower() for n in names)
    assert "Đăng ký khai tử" not in names
    assert list(selectors.procedures_search(q="ĐĂNG KÝ KHAI TỬ").values_list("name", flat=True)) == ["Đăng ký khai tử"]
    assert not selectors.procedures_search(q="khai sinh xyzzy").exists()


def test_filters_by_field_level_and_agency(catalog):
    assert set(selectors.procedures_search(field="ho_tich").values_list("field__code", flat=True)) == {"ho_tich"}
    assert set(selectors.procedures_search(level="province").values_list("level", flat=True)) == {"province"}
    assert set(selectors.procedures_search(agency="ubnd_xa").values_list("level", flat=True)) == {"commune"}


def test_unpublished_procedures_are_hidden(catalog, client):
    Procedure.objects.filter(code="1.001193").update(published=False)
    assert not selectors.procedures_search(q="dang ky khai sinh").filter(code="1.001193").exists()
    assert client.get("/thu-tuc/1.001193/").status_code == 404
    assert client.get("/api/v1/catalog/procedures/1.001193").status_code == 404


def test_public_pages(catalog, client):
    r = client.get("/thu-tuc/", {"q": "dang ky khai sinh"})
    assert r.status_code == 200
    assert "Đăng ký khai sinh" in r.content.decode()
    r = client.get("/thu-tuc/1.001193/")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'href="/ho-so/nop/1.001193/"' in html and "Nộp hồ sơ trực tuyến" in html
    assert "Trong ngày làm việc" in html and "Giấy chứng sinh" in html and "Luật Hộ tịch" in html
    lltp = client.get("/thu-tuc/2.000488/").content.decode()
    assert "200.000 đồng" in lltp and "10 ngày" in lltp


def test_api_list_detail_fields_and_404(catalog, client):
    r = client.get("/api/v1/catalog/procedures", {"q": "chung thuc", "level": "commune"})
    body = r.json()
    assert r.status_code == 200 and body["count"] >= 3
    item = body["items"][0]
    assert set(item) >= {"code", "name", "field", "level", "time_kind", "time_amount", "time_limit_words"}
    r = client.get("/api/v1/catalog/procedures/1.001193")
    d = r.json()
    assert d["time_kind"] == "same_day" and d["time_cutoff"] == "15:00"
    assert d["form_fields"][0]["key"] == "ho_ten"
    assert {c["key"] for c in d["components"]} >= {"to_khai", "giay_chung_sinh"}
    assert sum(s["share_percent"] for s in d["steps"]) == 100
    assert client.get("/api/v1/catalog/procedures/9.999999").status_code == 404
    fields = client.get("/api/v1/catalog/fields").json()
    assert {"code": "ho_tich", "name": "Hộ tịch"} in fields


def test_api_validate_form(catalog, client):
    url = "/api/v1/catalog/procedures/1.001193/validate-form"
    r = client.post(url, {"data": {"ho_ten": ""}}, content_type="application/json")
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is False and "ho_ten" in body["errors"] and body["cleaned"] == {}
    assert client.post("/api/v1/catalog/procedures/9.999999/validate-form", {"data": {}},
                       content_type="application/json").status_code == 404

"""The places API: shapes documented by OpenAPI, a clear 404 for an unknown province."""
import pytest

pytestmark = pytest.mark.django_db


def test_provinces_list(client):
    response = client.get("/api/v1/places/provinces")
    assert response.status_code == 200
    data = response.json()
    assert len(data) == 34
    assert {"code": "19", "name": "Thái Nguyên", "type": "tinh"} in data
    assert all(set(item) == {"code", "name", "type"} for item in data)


def test_communes_of_a_province(client):
    response = client.get("/api/v1/places/provinces/19/communes")
    assert response.status_code == 200
    data = response.json()
    assert len(data) == 92
    assert {"code": "05443", "name": "Phường Phan Đình Phùng", "type": "phuong"} in data


def test_unknown_province_is_404_naming_the_code(client):
    response = client.get("/api/v1/places/provinces/99/communes")
    assert response.status_code == 404
    assert "“99”" in response.json()["detail"]
    assert "tỉnh" in response.json()["detail"]


def test_agencies_with_parent_code(client, demo_agencies):
    data = client.get("/api/v1/places/agencies").json()
    assert len(data) == 112
    by_code = {a["code"]: a for a in data}
    assert by_code["000.00.00.H55"]["parent_code"] is None
    assert by_code["000.00.03.H55"]["parent_code"] == "000.00.00.H55"
    assert by_code["000.01.03.H55"]["parent_code"] == "000.00.03.H55"
    commune_pcs = [a for a in data if a["kind"] == "ubnd_xa"]
    assert len(commune_pcs) == 92 and all(a["commune_code"] for a in commune_pcs)
    # The id is what a submission names as its `agency` (an API client has no other way to learn it).
    from tinhso.places.models import Agency

    assert {a["code"]: a["id"] for a in data} == dict(Agency.objects.values_list("code", "id"))


def test_openapi_documents_the_schemas(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/places/provinces/{code}/communes" in schema["paths"]
    assert {"DivisionOut", "AgencyOut", "AddressMatchOut"} <= set(schema["components"]["schemas"])


def test_address_convert_requires_text(client):
    response = client.get("/api/v1/places/address/convert")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"

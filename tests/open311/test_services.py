"""Discovery, the service list and service definitions, in JSON and XML; format, method and jurisdiction errors."""
from __future__ import annotations

import pytest

from .conftest import as_json, as_xml

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_names_the_georeport_v2_endpoint_and_its_formats(client, fmt):
    response = client.get(f"/open311/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        doc = as_json(response)
        endpoint = doc["endpoints"][0]
        assert doc["changeset"] and doc["contact"] and doc["key_service"]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == "http://testserver/open311/v2"
        assert endpoint["type"] == "production"
        assert endpoint["formats"] == ["text/xml", "application/json"]
    else:
        root = as_xml(response)
        assert root.tag == "discovery"
        assert root.findtext("changeset") and root.findtext("contact") and root.findtext("key_service")
        endpoint = root.find("endpoints/endpoint")
        assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint.findtext("url") == "http://testserver/open311/v2"
        assert endpoint.findtext("type") == "production"
        assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_service_list_in_json_gives_every_field_of_active_categories_only(client, category, other_category):
    other_category.active = False
    other_category.save()
    services = as_json(client.get("/open311/v2/services.json"))
    assert services == [{
        "service_code": "o-ga-ca", "service_name": "Ổ gà, hư hỏng mặt đường", "description": "Đường hư hỏng",
        "metadata": True, "type": "realtime", "keywords": "đường, ổ gà", "group": "Giao thông",
    }]


def test_service_list_in_xml(client, category, other_category):
    root = as_xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    items = root.findall("service")
    assert [s.findtext("service_code") for s in items] == ["o-ga-ca", "rac-thai"]
    first, second = items
    assert first.findtext("service_name") == "Ổ gà, hư hỏng mặt đường"
    assert first.findtext("metadata") == "true" and second.findtext("metadata") == "false"
    assert first.findtext("type") == "realtime"
    assert first.findtext("group") == "Giao thông" and first.findtext("keywords") == "đường, ổ gà"
    assert second.findtext("description") == "Rác thải sinh hoạt"


def test_service_definition_in_json_lists_attributes_in_order_with_their_values(client, category):
    doc = as_json(client.get("/open311/v2/services/o-ga-ca.json"))
    assert doc["service_code"] == "o-ga-ca"
    assert [a["code"] for a in doc["attributes"]] == ["lan-duong", "nguy-hiem", "do-sau"]
    first = doc["attributes"][0]
    assert first == {"variable": True, "code": "lan-duong", "datatype": "singlevaluelist", "required": True,
                     "datatype_description": "Chọn một làn", "order": 1, "description": "Ổ gà ở làn nào?",
                     "values": [{"key": "trai", "name": "Làn trái"}, {"key": "phai", "name": "Làn phải"}]}
    assert doc["attributes"][2]["datatype"] == "number" and doc["attributes"][2]["values"] == []


def test_service_definition_in_xml(client, category):
    root = as_xml(client.get("/open311/v2/services/o-ga-ca.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "o-ga-ca"
    attrs = root.findall("attributes/attribute")
    assert [a.findtext("order") for a in attrs] == ["1", "2", "3"]
    multi = attrs[1]
    assert multi.findtext("datatype") == "multivaluelist" and multi.findtext("required") == "false"
    assert multi.findtext("variable") == "true" and multi.findtext("description") == "Nguy hiểm cho ai?"
    assert [(v.findtext("key"), v.findtext("name")) for v in multi.findall("values/value")] == [
        ("xe-may", "Xe máy"), ("o-to", "Ô tô"), ("di-bo", "Người đi bộ")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_inactive_service_code_is_404_in_the_error_format(client, category, other_category, fmt):
    other_category.active = False
    other_category.save()
    for code in ("khong-co", "rac-thai"):
        response = client.get(f"/open311/v2/services/{code}.{fmt}")
        assert response.status_code == 404
        if fmt == "json":
            errors = as_json(response)
            assert errors[0]["code"] == 404 and code in errors[0]["description"]
        else:
            root = as_xml(response)
            assert root.tag == "errors"
            assert root.findtext("error/code") == "404" and code in root.findtext("error/description")


def test_an_unsupported_format_is_a_400_error_in_xml(client, category):
    response = client.get("/open311/v2/services.csv")
    assert response.status_code == 400
    root = as_xml(response)
    assert root.findtext("error/code") == "400" and "csv" in root.findtext("error/description")


def test_a_wrong_method_is_refused_in_the_error_format(client, category):
    response = client.post("/open311/v2/services.json")
    assert response.status_code == 405
    assert as_json(response)[0]["code"] == 405
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_jurisdiction_id_of_this_province_is_accepted_and_another_is_404(client, category, fmt):
    assert client.get(f"/open311/v2/services.{fmt}", {"jurisdiction_id": "19"}).status_code == 200
    assert client.get(f"/open311/v2/services.{fmt}", {"jurisdiction_id": "127.0.0.1"}).status_code == 200
    response = client.get(f"/open311/v2/services.{fmt}", {"jurisdiction_id": "hanoi.gov.vn"})
    assert response.status_code == 404
    text = response.content.decode()
    assert "hanoi.gov.vn" in text

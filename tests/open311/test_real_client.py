"""A real Open311 client from PyPI (`georeport` 0.3.1) against a running server, in JSON and XML.

`georeport` reads services, definitions and requests (it has no POST): the report is sent with a plain
form POST as the specification describes, then read back with the client. (`three` and `open311`,
the other PyPI clients, are Python 2 only.)"""
from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from tinhso.feedback.models import Report

from .conftest import INSIDE, SECRETS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_what_a_form_post_created(live_server, category, api_key, coordinator, fmt):
    root = live_server.url + "/open311/v2"
    client = GeoReport(root, jurisdiction="19", output_format=fmt)

    services = client.get_service_list()
    service = services if isinstance(services, dict) else services[0]  # xmltodict: one item is not a list
    assert service["service_code"] == "o-ga-ca"
    definition = client.get_service_definition("o-ga-ca")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert [a["code"] for a in attributes] == ["lan-duong", "nguy-hiem", "do-sau"]

    posted = requests.post(f"{root}/requests.{fmt}", data={
        "api_key": api_key, "jurisdiction_id": "19", "service_code": "o-ga-ca", "description": "Ổ gà trước chợ",
        "attribute[lan-duong]": "trai", "first_name": "Nguyễn Văn", "last_name": "Bímật",
        "email": "bimat.nguoibao@dan.test", **INSIDE}, timeout=30)
    assert posted.status_code == 201
    report = Report.objects.get()
    assert report.public_id in posted.text

    # a new report: its id is followed, its content is not public yet
    mine = client.get_service_request(report.public_id)
    assert mine["service_request_id"] == report.public_id and mine["status"] == "open"
    assert not mine["description"]

    from tinhso.feedback import services as feedback
    feedback.report_accept(actor=coordinator, report=report)
    listed = client.get_service_requests(service_code="o-ga-ca", status="open")
    item = listed if isinstance(listed, dict) else listed[0]
    assert item["service_request_id"] == report.public_id
    assert item["description"] == "Ổ gà trước chợ"
    assert item["agency_responsible"]
    assert float(item["lat"]) == pytest.approx(21.592477)
    raw = requests.get(f"{root}/requests.{fmt}", timeout=30).text
    for secret in SECRETS[:2]:
        assert secret not in raw

    with pytest.raises(requests.HTTPError) as missing:
        client.get_service_request("PA-0000-000000")
    assert missing.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as unknown:
        client.get_service_definition("khong-co")
    assert unknown.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as bad:
        client.get_service_requests(status="pending")
    assert bad.value.response.status_code == 400
    refused = requests.post(f"{root}/requests.{fmt}", data={"service_code": "o-ga-ca", "description": "x", **INSIDE},
                            timeout=30)
    assert refused.status_code == 403
    assert Report.objects.count() == 1

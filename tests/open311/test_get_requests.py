"""GET requests (list with the specification's filters, one by id), tokens and service request updates:
public reports only, never the reporter's identity."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tinhso.api.open311 import reads
from tinhso.feedback import services
from tinhso.feedback.models import Report, ReportEvent

from .conftest import SECRETS, as_json, as_xml, jpeg

pytestmark = pytest.mark.django_db
FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
          "address", "address_id", "zipcode", "lat", "long", "media_url"]


def ids(doc):
    return [r["service_request_id"] for r in doc]


def test_list_gives_every_field_of_public_reports_and_never_the_reporter(client, make_report, agency):
    answered = make_report("answered", photos=[jpeg(), jpeg((0, 0, 200))])
    make_report("new")
    make_report("rejected")
    response = client.get("/open311/v2/requests.json")
    doc = as_json(response)
    assert ids(doc) == [answered.public_id]
    item = doc[0]
    assert list(item) == FIELDS
    answered.refresh_from_db()
    first_photo = answered.photos.order_by("id").first()
    assert item["status"] == "closed" and item["status_notes"] == "Đã vá ổ gà ngày 20/11."
    assert item["service_code"] == "o-ga-ca" and item["service_name"] == "Ổ gà, hư hỏng mặt đường"
    assert item["description"] == "Ổ gà lớn trước số 12" and item["agency_responsible"] == agency.name
    assert item["address"] == "12 Hoàng Văn Thụ" and item["lat"] == 21.592477 and item["long"] == 105.848174
    assert item["requested_datetime"] == timezone.localtime(answered.created_at).isoformat(timespec="seconds")
    assert item["requested_datetime"].endswith("+07:00") and item["updated_datetime"].endswith("+07:00")
    assert item["expected_datetime"] == timezone.localtime(answered.due_at).isoformat(timespec="seconds")
    assert item["media_url"].startswith("http://testserver/") and str(first_photo.pk) in item["media_url"] \
        or item["media_url"] == "http://testserver" + first_photo.file.url
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body


def test_a_hidden_photo_is_never_the_media_url(client, make_report, coordinator):
    report = make_report("assigned", photos=[jpeg(), jpeg((0, 0, 200))])
    first, second = report.photos.order_by("id")
    services.photo_hide(actor=coordinator, photo=first)
    item = as_json(client.get(f"/open311/v2/requests/{report.public_id}.json"))[0]
    assert item["media_url"] == "http://testserver" + second.file.url or f"/{second.pk}" in item["media_url"]
    services.photo_hide(actor=coordinator, photo=second)
    assert as_json(client.get(f"/open311/v2/requests/{report.public_id}.json"))[0]["media_url"] is None


def test_list_in_xml(client, make_report):
    report = make_report("in_progress")
    response = client.get("/open311/v2/requests.xml")
    root = as_xml(response)
    assert root.tag == "service_requests"
    (item,) = root.findall("request")
    assert [child.tag for child in item] == FIELDS
    assert item.findtext("service_request_id") == report.public_id
    assert item.findtext("status") == "open" and item.findtext("status_notes") == "Đang xử lý"
    assert item.findtext("lat") == "21.592477" and item.findtext("zipcode") == ""
    for secret in SECRETS:
        assert secret not in response.content.decode()


def test_service_request_id_overrides_the_other_filters_and_shows_new_reports_without_their_content(client, make_report):
    new = make_report("new", description="Nội dung chưa duyệt")
    rejected = make_report("rejected")
    public = make_report("assigned")
    doc = as_json(client.get("/open311/v2/requests.json", {
        "service_request_id": f"{new.public_id},{rejected.public_id},{public.public_id},PA-0000-000000",
        "service_code": "khong-co", "status": "closed"}))
    assert sorted(ids(doc)) == sorted([new.public_id, rejected.public_id, public.public_id])
    by_id = {r["service_request_id"]: r for r in doc}
    hidden = by_id[new.public_id]
    assert hidden["status"] == "open" and hidden["status_notes"] == "Mới"
    assert hidden["description"] is None and hidden["lat"] is None and hidden["address"] is None
    assert hidden["media_url"] is None and hidden["agency_responsible"] is None
    assert by_id[rejected.public_id]["status"] == "closed"
    assert by_id[rejected.public_id]["status_notes"] == "Không tiếp nhận: Không đủ thông tin"
    assert by_id[public.public_id]["description"] == "Ổ gà lớn trước số 12"


def test_filters_by_service_code_and_status(client, make_report, other_category):
    pothole_open = make_report("assigned")
    pothole_closed = make_report("closed")
    rubbish = make_report("accepted", cat=other_category)
    get = lambda **q: sorted(ids(as_json(client.get("/open311/v2/requests.json", q))))  # noqa: E731
    assert get(service_code="o-ga-ca") == sorted([pothole_open.public_id, pothole_closed.public_id])
    assert get(service_code="o-ga-ca,rac-thai") == sorted([pothole_open.public_id, pothole_closed.public_id, rubbish.public_id])
    assert get(status="open") == sorted([pothole_open.public_id, rubbish.public_id])
    assert get(status="closed") == [pothole_closed.public_id]
    assert get(status="open,closed", service_code="rac-thai") == [rubbish.public_id]


def test_dates_filter_requested_datetime_and_default_to_the_last_90_days(client, make_report):
    recent = make_report("assigned")
    old = make_report("assigned")
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=120))
    get = lambda **q: ids(as_json(client.get("/open311/v2/requests.json", q)))  # noqa: E731
    assert get() == [recent.public_id]
    old_day = timezone.localtime(timezone.now() - dt.timedelta(days=120))
    start = (old_day - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+07:00")
    end = (old_day + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert get(start_date=start, end_date=end) == [old.public_id]
    # only a start: the 90 days after it
    assert get(start_date=start) == [old.public_id]
    # a date without a time is read in Asia/Ho_Chi_Minh
    today = timezone.localdate()
    assert get(start_date=str(today - dt.timedelta(days=1)), end_date=str(today + dt.timedelta(days=1))) == [recent.public_id]


@pytest.mark.parametrize("query,word", [
    ({"start_date": "hôm qua"}, "start_date"),
    ({"end_date": "2026-13-40"}, "end_date"),
    ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90"),
    ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "end_date"),
    ({"status": "pending"}, "status"),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400(client, make_report, query, word, fmt):
    response = client.get(f"/open311/v2/requests.{fmt}", query)
    assert response.status_code == 400
    if fmt == "json":
        assert as_json(response)[0]["code"] == 400 and word in as_json(response)[0]["description"]
    else:
        root = as_xml(response)
        assert root.findtext("error/code") == "400" and word in root.findtext("error/description")


def test_the_list_is_capped_at_the_limit_newest_first(client, make_report, monkeypatch):
    made = [make_report("accepted") for _ in range(3)]
    monkeypatch.setattr(reads, "LIMIT", 2)
    assert ids(as_json(client.get("/open311/v2/requests.json"))) == [made[2].public_id, made[1].public_id]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_request_and_404_for_an_unknown_id(client, make_report, fmt):
    report = make_report("accepted")
    response = client.get(f"/open311/v2/requests/{report.public_id}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert ids(as_json(response)) == [report.public_id]
    else:
        assert as_xml(response).findtext("request/service_request_id") == report.public_id
    response = client.get(f"/open311/v2/requests/PA-0000-000000.{fmt}")
    assert response.status_code == 404
    assert "PA-0000-000000" in response.content.decode()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_is_the_request_id(client, make_report, fmt):
    report = make_report("new")
    response = client.get(f"/open311/v2/tokens/{report.public_id}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert as_json(response) == [{"service_request_id": report.public_id, "token": report.public_id}]
    else:
        root = as_xml(response)
        assert root.tag == "service_requests"
        assert root.findtext("request/service_request_id") == report.public_id
        assert root.findtext("request/token") == report.public_id
    assert client.get(f"/open311/v2/tokens/khong-co.{fmt}").status_code == 404


def test_updates_list_public_events_of_public_reports(client, make_report):
    answered = make_report("answered")
    make_report("rejected")
    make_report("new")
    response = client.get("/open311/v2/servicerequestupdates.json")
    doc = as_json(response)
    events = ReportEvent.objects.filter(report=answered, public=True).order_by("at", "id")
    assert [u["update_id"] for u in doc] == [str(e.pk) for e in events]
    assert {u["service_request_id"] for u in doc} == {answered.public_id}
    last = doc[-1]
    assert list(last) == ["update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"]
    assert last["status"] == "CLOSED" and last["description"] == "Đã vá ổ gà ngày 20/11."
    assert last["updated_datetime"].endswith("+07:00")
    assert doc[0]["status"] == "OPEN"
    for secret in SECRETS:
        assert secret not in response.content.decode()


def test_updates_in_xml_and_their_filters(client, make_report):
    first = make_report("assigned")
    second = make_report("assigned")
    root = as_xml(client.get("/open311/v2/servicerequestupdates.xml", {"service_request_id": second.public_id}))
    assert root.tag == "service_request_updates"
    items = root.findall("request_update")
    assert items and {i.findtext("service_request_id") for i in items} == {second.public_id}
    ReportEvent.objects.filter(report=first).update(at=timezone.now() - dt.timedelta(days=30))
    start = timezone.localtime(timezone.now() - dt.timedelta(days=31)).isoformat(timespec="seconds")
    end = timezone.localtime(timezone.now() - dt.timedelta(days=29)).isoformat(timespec="seconds")
    doc = as_json(client.get("/open311/v2/servicerequestupdates.json", {"start_date": start, "end_date": end}))
    assert doc and {u["service_request_id"] for u in doc} == {first.public_id}
    assert client.get("/open311/v2/servicerequestupdates.json", {"start_date": "x"}).status_code == 400

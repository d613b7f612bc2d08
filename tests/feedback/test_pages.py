"""The report pages: the public never sees new or rejected reports nor who reported; the agency never
sees the reporter; the citizen's form refuses bad input with a clear message and stores nothing."""
from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tinhso.feedback import services
from tinhso.feedback.models import Report

from .conftest import INSIDE, OUTSIDE, jpeg_bytes, photo

pytestmark = pytest.mark.django_db
SECRET_BITS = ("Nguyễn Văn An", "019090001111@dan.test", "0912345678", "019090001111")


def login(client, user):
    if user.kind == "official":
        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP,
                                            defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}})
    client.force_login(user)
    return client


@pytest.fixture
def three(make_report, traffic, coordinator, staff_sxd):
    new = make_report(traffic, description="Phản ánh mới chưa duyệt")
    rejected = services.report_reject(actor=coordinator, report=make_report(traffic, description="Phản ánh bị từ chối"),
                                      reason="not_enough", note="Thiếu vị trí cụ thể")
    answered = services.report_accept(actor=coordinator, report=make_report(
        traffic, description="Ổ gà trước cổng chợ", photos=[photo(), photo()], **INSIDE))
    answered = services.report_answer(actor=staff_sxd["specialist"], report=answered, answer="Đã vá xong ổ gà.")
    return new, rejected, answered


def test_public_list_shows_only_accepted_reports_without_the_reporter(client, three):
    new, rejected, answered = three
    html = client.get(reverse("web:report_list")).content.decode()
    assert answered.public_id in html and "Đã vá xong ổ gà." in html
    assert new.public_id not in html and rejected.public_id not in html
    for bit in SECRET_BITS:
        assert bit not in html


def test_public_list_filters(client, three, traffic):
    *_, answered = three
    url = reverse("web:report_list")
    assert answered.public_id in client.get(url, {"linh_vuc": traffic.code, "trang_thai": "answered"}).content.decode()
    assert answered.public_id not in client.get(url, {"trang_thai": "closed"}).content.decode()
    assert answered.public_id not in client.get(url, {"trang_thai": "new"}).content.decode()


def test_public_detail_hides_reporter_and_hidden_photos(client, three, coordinator):
    new, rejected, answered = three
    assert client.get(reverse("web:report_detail", args=[new.public_id])).status_code == 404
    assert client.get(reverse("web:report_detail", args=[rejected.public_id])).status_code == 404
    first, second = answered.photos.order_by("id")
    services.photo_hide(actor=coordinator, photo=first)
    resp = client.get(reverse("web:report_detail", args=[answered.public_id]))
    html = resp.content.decode()
    assert resp.status_code == 200 and "Đã vá xong ổ gà." in html
    for bit in SECRET_BITS:
        assert bit not in html
    assert reverse("web:report_photo", args=[answered.public_id, second.pk]) in html
    assert reverse("web:report_photo", args=[answered.public_id, first.pk]) not in html
    assert client.get(reverse("web:report_photo", args=[answered.public_id, first.pk])).status_code == 404
    ok = client.get(reverse("web:report_photo", args=[answered.public_id, second.pk]))
    assert ok.status_code == 200 and ok["Content-Type"] == "image/jpeg"
    # the coordinator still sees the hidden photo
    assert login(client, coordinator).get(reverse("web:report_photo", args=[answered.public_id, first.pk])).status_code == 200


def test_agency_pages_never_show_the_reporter(client, three, staff_sxd):
    *_, answered = three
    login(client, staff_sxd["specialist"])
    for url in (reverse("web:feedback_agency_queue") + "?trang_thai=answered",
                reverse("web:feedback_agency_report", args=[answered.public_id])):
        resp = client.get(url)
        assert resp.status_code == 200 and answered.public_id in resp.content.decode()
        for bit in SECRET_BITS:
            assert bit not in resp.content.decode()


def test_coordinator_alone_sees_the_reporter(client, three, coordinator, staff_x, citizen_b):
    new, *_ = three
    url = reverse("web:feedback_coord_report", args=[new.public_id])
    assert "Nguyễn Văn An" in login(client, coordinator).get(url).content.decode()
    client.logout()
    assert login(client, citizen_b).get(url).status_code == 403
    client.logout()
    assert login(client, staff_x["leader"]).get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page


def test_other_agency_gets_404_on_a_report_not_theirs(client, three, staff_x):
    *_, answered = three
    login(client, staff_x["leader"])
    assert client.get(reverse("web:feedback_agency_report", args=[answered.public_id])).status_code == 404
    resp = client.post(reverse("web:feedback_agency_report", args=[answered.public_id]), {"action": "start"})
    assert resp.status_code == 404
    assert Report.objects.get(pk=answered.pk).state == "answered"


def test_coordinator_accepts_from_the_page(client, make_report, traffic, coordinator, so_xay_dung):
    r = make_report(traffic)
    login(client, coordinator)
    resp = client.post(reverse("web:feedback_coord_report", args=[r.public_id]), {"action": "accept"})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert (r.state, r.agency_id) == ("assigned", so_xay_dung.pk)


def test_reject_without_note_shows_errors_and_changes_nothing(client, make_report, traffic, coordinator):
    r = make_report(traffic)
    login(client, coordinator)
    resp = client.post(reverse("web:feedback_coord_report", args=[r.public_id]),
                       {"action": "reject", "reject-reason": "not_enough", "reject-note": ""})
    assert resp.status_code == 400 and "Hãy ghi rõ lý do" in resp.content.decode()
    r.refresh_from_db()
    assert r.state == "new"


def form_data(cat, **kw):
    data = {"category": cat.code, "description": "Đèn đường hỏng cả tuần nay.", "urgency": "normal", **INSIDE}
    data.update(kw)
    return data


def test_citizen_sends_a_report_with_a_photo(client, traffic, citizen_a):
    login(client, citizen_a)
    assert client.get(reverse("web:report_create")).status_code == 200
    resp = client.post(reverse("web:report_create"), form_data(traffic, photos=[photo()]))
    assert resp.status_code == 302 and resp["Location"] == reverse("web:my_reports")
    r = Report.objects.get()
    assert r.reporter == citizen_a and r.photos.count() == 1
    assert r.public_id in client.get(reverse("web:my_reports")).content.decode()


@pytest.mark.parametrize("extra,needle", [
    ({"photos": [photo("x.jpg", b"GIF89a but not really an image" * 10)]}, "không phải là ảnh"),
    ({"photos": [photo("to.jpg", jpeg_bytes() + b"\0" * (10 * 1024 * 1024 + 1))]}, "10 MB"),
    (OUTSIDE, "ngoài địa bàn tỉnh"),
    ({"description": "a" * 4001}, "4.000"),
    ({"category": "khong-ton-tai"}, "lĩnh vực"),
])
def test_bad_form_input_shows_a_clear_message_and_stores_nothing(client, traffic, citizen_a, extra, needle):
    login(client, citizen_a)
    resp = client.post(reverse("web:report_create"), form_data(traffic, **extra))
    html = resp.content.decode()
    assert resp.status_code == 400 and needle in html and "error-summary" in html
    assert Report.objects.count() == 0


def test_offline_queue_posts_json(client, traffic, citizen_a):
    login(client, citizen_a)
    url = reverse("web:report_create")
    bad = client.post(url, form_data(traffic, description=""), HTTP_X_TINHSO_OFFLINE="1")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "description"
    good = client.post(url, form_data(traffic), HTTP_X_TINHSO_OFFLINE="1")
    assert good.status_code == 201 and Report.objects.get().public_id == good.json()["public_id"]


def test_anonymous_is_sent_to_sign_in(client):
    resp = client.get(reverse("web:report_create"))
    assert resp.status_code == 302 and "/tai-khoan/" in resp["Location"]


def test_reporter_rates_and_reopens_from_my_reports(client, make_report, traffic, coordinator, staff_sxd, citizen_a, citizen_b):
    r = services.report_accept(actor=coordinator, report=make_report(traffic))
    r = services.report_answer(actor=staff_sxd["specialist"], report=r, answer="Đã xử lý.")
    login(client, citizen_b)
    assert client.post(reverse("web:report_rate", args=[r.public_id]),
                       {f"rate-{r.pk}-rating": "satisfied"}).status_code == 404
    client.logout()
    login(client, citizen_a)
    client.post(reverse("web:report_rate", args=[r.public_id]), {f"rate-{r.pk}-rating": "unsatisfied", f"rate-{r.pk}-comment": "Chưa ổn"})
    client.post(reverse("web:report_reopen", args=[r.public_id]), {f"reopen-{r.pk}-reason": "Vẫn còn hỏng"})
    r.refresh_from_db()
    assert (r.rating, r.state, r.reopened_count) == ("unsatisfied", "assigned", 1)


def test_routing_editor_is_for_the_coordinator(client, traffic, coordinator, staff_x, agency_x, communes):
    url = reverse("web:feedback_routing")
    login(client, staff_x["leader"])
    assert client.post(url, {"route-category": traffic.code, "route-commune": communes[0].code,
                             "route-agency": agency_x.pk}).status_code == 403
    client.logout()
    login(client, coordinator)
    assert client.post(url, {"route-category": traffic.code, "route-commune": communes[0].code,
                             "route-agency": agency_x.pk}).status_code == 302
    assert traffic.routes.filter(commune=communes[0], agency=agency_x).exists()


def test_pwa_service_worker_and_manifest(client):
    sw = client.get(reverse("web:feedback_sw"))
    assert sw.status_code == 200 and sw["Service-Worker-Allowed"] == "/phan-anh/"
    assert sw["Content-Type"].startswith("text/javascript")
    manifest = client.get(reverse("web:feedback_manifest"))
    assert manifest["Content-Type"] == "application/manifest+json"
    import json
    data = json.loads(manifest.content)
    assert data["scope"] == "/phan-anh/" and data["start_url"] == "/phan-anh/gui/"
    assert client.get(data["icons"][0]["src"]).status_code == 200

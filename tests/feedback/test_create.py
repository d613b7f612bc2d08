"""Creating a report: what a citizen may send, what is refused, and that a refusal stores nothing."""
from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from PIL import Image

from tinhso.feedback import services
from tinhso.feedback.models import DutyOfficer, Report, ReportEvent, ReportPhoto

from .conftest import INSIDE, OUTSIDE, jpeg_bytes, photo

pytestmark = pytest.mark.django_db


def nothing_stored():
    return Report.objects.count() == 0 and ReportPhoto.objects.count() == 0 and ReportEvent.objects.count() == 0


def test_good_report_with_pin_and_photo(make_report, traffic, citizen_a):
    r = make_report(traffic, photos=[photo()], urgency="normal", **INSIDE)
    assert r.state == "new" and r.reporter == citizen_a and r.reporter_name == "Nguyễn Văn An"
    assert r.public_id.startswith("PA-") and len(r.public_id) == len("PA-2611-000001")
    assert r.photos.count() == 1
    assert ReportEvent.objects.filter(report=r, action="created", public=False).exists()


def test_public_ids_are_distinct_and_sequential(make_report, traffic):
    a, b = make_report(traffic), make_report(traffic)
    assert a.public_id != b.public_id
    assert int(b.public_id[-6:]) == int(a.public_id[-6:]) + 1


@pytest.mark.parametrize("field,kwargs,needle", [
    ("description", {"description": "x" * 4001}, "4.000"),
    ("description", {"description": "   "}, "mô tả"),
    ("lat", OUTSIDE, "ngoài địa bàn tỉnh"),
    ("lat", {"lat": "abc", "long": "105.8"}, "Vĩ độ"),
    ("long", {"lat": "21.6"}, "cả vĩ độ và kinh độ"),
    ("category", {"category": "khong-co"}, "lĩnh vực"),
    ("urgency", {"urgency": "rat-gap"}, "mức độ"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(make_report, traffic, field, kwargs, needle):
    kwargs = dict(kwargs)
    category = kwargs.pop("category", traffic)
    with pytest.raises(ValidationError) as exc:
        make_report(category, photos=[photo()], **kwargs)
    assert field in exc.value.message_dict
    assert needle in " ".join(exc.value.message_dict[field])
    assert nothing_stored()


def test_not_an_image_is_refused(make_report, traffic):
    fake = photo("anh.jpg", b"%PDF-1.4 not an image at all" * 20)
    with pytest.raises(ValidationError) as exc:
        make_report(traffic, photos=[photo(), fake])
    assert "không phải là ảnh" in exc.value.message_dict["photos"][0]
    assert nothing_stored()


def test_oversized_photo_is_refused(make_report, traffic):
    big = photo("to.jpg", jpeg_bytes() + b"\0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        make_report(traffic, photos=[big])
    assert "10 MB" in exc.value.message_dict["photos"][0]
    assert nothing_stored()


def test_more_than_five_photos_is_refused(make_report, traffic):
    with pytest.raises(ValidationError) as exc:
        make_report(traffic, photos=[photo() for _ in range(6)])
    assert "tối đa 5 ảnh" in exc.value.message_dict["photos"][0]
    assert nothing_stored()


def test_no_location_at_all_is_refused(traffic, citizen_a):
    with pytest.raises(ValidationError) as exc:
        services.report_create(actor=citizen_a, category=traffic, description="Đèn hỏng")
    assert "location" in exc.value.message_dict
    assert nothing_stored()


def test_anonymous_cannot_report_from_the_web(traffic, communes):
    from django.contrib.auth.models import AnonymousUser
    with pytest.raises(PermissionDenied):
        services.report_create(actor=AnonymousUser(), category=traffic, description="Đèn hỏng", commune=communes[0])
    assert nothing_stored()


def test_photo_is_reencoded_without_metadata_and_resized(make_report, traffic):
    raw = jpeg_bytes(size=(3000, 1000))
    with Image.open(io.BytesIO(raw)) as before:
        assert before.getexif().get(0x010F) == "CanonTestCamera"  # the test photo does carry EXIF
    r = make_report(traffic, photos=[photo(data=raw)])
    stored = r.photos.get()
    data = stored.file.read()
    assert b"CanonTestCamera" not in data and b"Nguyen Van An" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG"
        assert not img.getexif()
        assert "exif" not in img.info and "comment" not in img.info
        assert max(img.size) == 2048 and (stored.width, stored.height) == img.size


def test_png_with_transparency_becomes_jpeg(make_report, traffic):
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(out, format="PNG")
    r = make_report(traffic, photos=[photo("a.png", out.getvalue(), "image/png")])
    assert r.photos.get().file.name.endswith(".jpg")


def test_urgent_report_alerts_the_commune_duty_officer(make_report, traffic, communes, staff_x, staff_y):
    DutyOfficer.objects.create(commune=communes[0], user=staff_x["specialist"])
    DutyOfficer.objects.create(commune=communes[1], user=staff_y["specialist"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = make_report(traffic, urgency="urgent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [staff_x["specialist"].email]
    assert r.public_id in mail.outbox[0].subject


def test_normal_report_alerts_nobody(make_report, traffic, communes, staff_x):
    DutyOfficer.objects.create(commune=communes[0], user=staff_x["specialist"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        make_report(traffic)
    assert mail.outbox == []


def test_required_attribute_and_list_values(make_report, traffic):
    from tinhso.feedback.models import CategoryAttribute
    CategoryAttribute.objects.create(category=traffic, code="loai", datatype="singlevaluelist", required=True,
                                     description="Loại sự cố", values=[{"key": "o-ga", "name": "Ổ gà"}])
    with pytest.raises(ValidationError) as exc:
        make_report(traffic)
    assert "attribute[loai]" in exc.value.message_dict
    with pytest.raises(ValidationError):
        make_report(traffic, attributes={"loai": "khong-co"})
    assert nothing_stored()
    r = make_report(traffic, attributes={"loai": "o-ga"})
    assert r.attributes == {"loai": "o-ga"}


def test_open311_needs_an_active_key(traffic, communes):
    key, raw = services.apikey_create(actor=None, name="Ứng dụng kiểm thử")
    assert key.key_hash == services.apikey_hash(raw) and raw not in key.key_hash
    with pytest.raises(PermissionDenied):
        services.report_create(actor=None, category=traffic, description="Đèn hỏng", commune=communes[0], via="open311")
    r = services.report_create(actor=None, category=traffic.code, description="Đèn hỏng", via="open311", api_key=key,
                               reporter_email="a@b.vn", reporter_name="Lê C", **INSIDE)
    assert r.reporter is None and r.via == "open311" and r.commune is None

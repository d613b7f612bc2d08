"""The fast paths of issue 5's benchmarks keep the behaviour: cached reference data is never stale (the
database's triggers change the stamp on any write), cached public pages change at once with the report
and carry nothing of a visitor, the list's count follows visible changes, report numbers
stay unique and increasing when taken apart from the creation (PostgreSQL), and large photos are decoded
smaller but still re-encoded without metadata."""
from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from PIL import Image

from tinhso.feedback import refcache, services
from tinhso.feedback.models import ApiKey, Category, CategoryAttribute, Report

from .conftest import INSIDE, jpeg_bytes, photo

pytestmark = pytest.mark.django_db


# --- reference data kept in the process -------------------------------------------------------------

def _stamp() -> str | None:
    with connection.cursor() as cur:
        cur.execute("SELECT token FROM feedback_referencestamp WHERE id = 1")
        row = cur.fetchone()
    return row[0] if row else None


def test_any_write_to_categories_or_keys_changes_the_stamp(traffic):
    before = _stamp()
    assert before  # installed after migrate
    Category.objects.filter(pk=traffic.pk).update(name="Giao thông (đổi tên)")  # a bulk update: no signal
    after_update = _stamp()
    assert after_update != before
    CategoryAttribute.objects.create(category=traffic, code="muc-do", datatype="string", description="Mức độ?")
    assert _stamp() != after_update
    with connection.cursor() as cur:  # even raw SQL
        cur.execute("DELETE FROM feedback_categoryattribute")
    assert refcache.current().attributes_of(traffic.pk) == ()


def test_a_category_withdrawn_by_a_bulk_update_is_refused_at_once(make_report, traffic):
    make_report(traffic)  # the category is now kept by this process
    Category.objects.filter(pk=traffic.pk).update(active=False)
    with pytest.raises(ValidationError) as err:
        make_report(traffic.code)
    assert "category" in err.value.message_dict


def test_a_question_added_outside_the_services_is_asked_at_once(make_report, traffic):
    make_report(traffic.code)
    CategoryAttribute.objects.create(category=traffic, code="lan-duong", datatype="string", required=True,
                                     description="Ổ gà ở làn nào?")
    with pytest.raises(ValidationError) as err:
        make_report(traffic.code)
    assert "attribute[lan-duong]" in err.value.message_dict


def test_a_revoked_api_key_is_refused_even_when_kept(client, traffic, coordinator):
    _key, raw = services.apikey_create(actor=coordinator, name="Ứng dụng kiểm thử")
    data = {"api_key": raw, "service_code": traffic.code, "description": "Ổ gà lớn", **INSIDE}
    assert client.post("/open311/v2/requests.json", data).status_code == 201
    ApiKey.objects.update(active=False)
    refused = client.post("/open311/v2/requests.json", data)
    assert refused.status_code == 403 and Report.objects.count() == 1


# --- cached public pages -----------------------------------------------------------------------------

@pytest.fixture
def public_report(make_report, traffic, coordinator):
    return services.report_accept(actor=coordinator, report=make_report(traffic, description="Ổ gà trước cổng chợ"))


def test_the_cached_list_shows_a_report_as_soon_as_it_is_accepted(client, public_report, make_report, traffic,
                                                                   coordinator):
    url = reverse("web:report_list")
    first = client.get(url).content.decode()
    assert public_report.public_id in first and "1 phản ánh" in first
    later = make_report(traffic, description="Đèn đường hỏng cả tuần")
    assert later.public_id not in client.get(url).content.decode()  # new: not public
    services.report_accept(actor=coordinator, report=later)
    html = client.get(url).content.decode()
    assert later.public_id in html and "2 phản ánh" in html


def test_the_cached_report_page_follows_the_answer_and_hidden_photos(client, make_report, traffic, coordinator,
                                                                     staff_sxd):
    report = services.report_accept(actor=coordinator, report=make_report(traffic, photos=[photo()]))
    url = reverse("web:report_detail", args=[report.public_id])
    the_photo = report.photos.get()
    photo_url = reverse("web:report_photo", args=[report.public_id, the_photo.pk])
    assert photo_url in client.get(url).content.decode()
    services.report_answer(actor=staff_sxd["specialist"], report=report, answer="Đã vá xong ổ gà.")
    services.photo_hide(actor=coordinator, photo=the_photo)
    html = client.get(url).content.decode()
    assert "Đã vá xong ổ gà." in html and photo_url not in html


def test_a_cached_page_carries_nothing_of_a_visitor(public_report, settings):
    """The cached report page is the same for every anonymous visitor: no CSRF cookie or token (its header's
    language switch is a link), and the switch works from it."""
    from django.test import Client

    url = reverse("web:report_detail", args=[public_report.public_id])
    pages = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(url)
        assert "csrftoken" not in page.cookies and "csrfmiddlewaretoken" not in page.content.decode()
        pages.append(page.content)
        switched = visitor.get(reverse("web:language", args=["en"]), HTTP_REFERER=f"http://testserver{url}")
        assert switched.status_code == 302 and switched["Location"] == url
        assert visitor.get(url).content.decode().startswith('<!doctype html>\n<html lang="en">')
    assert pages[0] == pages[1]


def test_a_page_with_a_visitors_token_is_never_shared(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from tinhso.web.feedback import public

    made = []

    def page():
        made.append(1)
        return HttpResponse('<form method="post"><input name="csrfmiddlewaretoken" value="x"></form>')

    for _ in range(2):
        request = rf.get("/phan-anh/form-test/")
        request.user = AnonymousUser()
        public._anonymous_cache(request, page)
    assert len(made) == 2  # rendered for each visitor, never served from the cache


def test_signed_in_users_never_get_the_anonymous_page(client, public_report, citizen_a):
    url = reverse("web:report_list")
    anonymous = client.get(url).content.decode()
    assert "Phản ánh của tôi" not in anonymous and citizen_a.full_name not in anonymous
    client.force_login(citizen_a)
    mine = client.get(url).content.decode()
    assert "Phản ánh của tôi" in mine and citizen_a.full_name in mine


def test_unknown_category_in_the_list_filter_shows_nothing(client, public_report):
    html = client.get(reverse("web:report_list"), {"linh_vuc": "khong-co"}).content.decode()
    assert public_report.public_id not in html and "0 phản ánh" in html


# --- numbers -------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_numbers_taken_apart_from_the_creation_stay_unique_and_in_order(citizen_a, communes):
    """Outside a transaction on PostgreSQL the number is taken in its own asynchronously committed
    statement (services._next_public_id); the connection keeps synchronous commits for everything else."""
    cat = Category.objects.create(code="den-duong-kt", name="Đèn đường (kiểm thử)")
    made = [services.report_create(actor=citizen_a, category=cat, description=f"Đèn hỏng số {n}",
                                   commune=communes[0]) for n in range(3)]
    numbers = [int(r.public_id.rsplit("-", 1)[1]) for r in made]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3 and numbers[-1] - numbers[0] == 2
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW synchronous_commit")
            assert cur.fetchone()[0] == "on"


# --- photos --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size, expected", [((4000, 3000), (2000, 1500)), ((3000, 2000), (2048, 1365)),
                                            ((1200, 900), (1200, 900))])
def test_large_photos_are_decoded_smaller_and_still_lose_their_metadata(size, expected):
    from tinhso.feedback.photos import reencode

    content, width, height = reencode(io.BytesIO(jpeg_bytes(size=size)))
    assert (width, height) == expected
    with Image.open(io.BytesIO(content.read())) as img:
        assert img.size == expected and not img.getexif() and "comment" not in img.info

"""The header's language switch is a plain link: it stores the choice and goes back to the page it was on."""
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_the_link_switches_to_english_and_back_to_the_same_page(client):
    page = client.get("/lich-lam-viec/?nam=2026&thang=2")
    assert 'href="/ngon-ngu/en/"' in page.content.decode()
    r = client.get("/ngon-ngu/en/", HTTP_REFERER="http://testserver/lich-lam-viec/?nam=2026&thang=2")
    assert r.status_code == 302 and r["Location"] == "/lich-lam-viec/?nam=2026&thang=2"
    assert r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get("/lich-lam-viec/?nam=2026&thang=2").content.decode()
    assert '<html lang="en">' in english and 'href="/ngon-ngu/vi/"' in english


def test_another_sites_address_is_never_a_destination(client):
    r = client.get("/ngon-ngu/en/", HTTP_REFERER="https://evil.example/phishing")
    assert r.status_code == 302 and r["Location"] == "/"


def test_an_unknown_language_is_404_and_sets_nothing(client):
    r = client.get("/ngon-ngu/fr/")
    assert r.status_code == 404 and settings.LANGUAGE_COOKIE_NAME not in r.cookies


def test_an_anonymous_page_carries_no_csrf_cookie_or_token(client):
    """The public pages' header is the same for every anonymous visitor: no per-visitor token."""
    r = client.get("/tra-cuu/")
    header = r.content.decode().split("<main", 1)[0]
    assert "csrfmiddlewaretoken" not in header
    assert settings.CSRF_COOKIE_NAME not in r.cookies

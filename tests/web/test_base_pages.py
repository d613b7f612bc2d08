"""The base layout: Vietnamese first, the language switch, health check, security headers."""
import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_vietnamese_even_for_an_english_browser(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html
    assert "Cổng dịch vụ công của tỉnh" in html
    assert 'href="/ngon-ngu/en/"' in html  # the switch offers English


def test_the_switch_chooses_english_and_back(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/").content.decode()


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_strict_content_security_policy_and_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_openapi_and_docs_are_served(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/places/provinces" in paths
    assert "/api/v1/calendar/due" in paths
    assert client.get("/api/docs").status_code == 200


def test_api_docs_use_no_outside_asset_and_no_inline_script(client):
    html = client.get("/api/docs").content.decode()
    assert "cdn." not in html and "https://" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "<script>" not in html

"""Security headers on every response and a strict Content-Security-Policy (ASVS V14.4): no inline
script and no event-handler attribute on any page, so that `script-src 'self'` holds without exceptions."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from tinhso.dossiers import services

from .conftest import signed_in

pytestmark = pytest.mark.django_db

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}  # data blocks the browser never executes


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_security_headers(response, what: str) -> None:
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, f"{what}: {name} = {response.headers.get(name)!r}"
    policy = response.headers.get("Permissions-Policy", "")
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=(self)" in policy, what
    csp = csp_directives(response)
    assert csp.get("default-src") == ["'self'"], what
    assert csp.get("script-src") == ["'self'"], f"{what}: script-src {csp.get('script-src')}"
    assert csp.get("object-src") == ["'none'"] and csp.get("frame-ancestors") == ["'none'"], what
    assert csp.get("base-uri") == ["'self'"] and csp.get("form-action") == ["'self'"], what
    assert not any("unsafe" in v for values in csp.values() for v in values), f"{what}: {csp}"


class ScriptAudit(HTMLParser):
    """Collects inline scripts, on* event attributes and javascript: URLs of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name.lower() in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "script" and not attrs.get("src") and (attrs.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
            self.problems.append("<script> without src")


def audit_page(response, what: str) -> None:
    assert_security_headers(response, what)
    if response.status_code == 200 and response.headers.get("Content-Type", "").startswith("text/html"):
        parser = ScriptAudit()
        parser.feed(response.content.decode("utf-8", "replace"))
        assert not parser.problems, f"{what}: {sorted(set(parser.problems))}"


def _plain_get_routes(patterns=None, prefix="", namespace=""):
    """Routes without parameters, by URL name: every page that can be opened as it is."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace) if x)
            yield from _plain_get_routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif p.name and not any(c in prefix + str(p.pattern) for c in ("<", "(?P", "^")):
            yield (f"{namespace}:{p.name}" if namespace else p.name)


SKIP = {"account_logout", "api:openapi-json"}  # logout by GET is off anyway; the schema is JSON


def test_the_pages_of_every_visitor_have_no_inline_script_and_every_header(citizen, staff, province_admin, dossier,
                                                                            procedure, category):
    received = services.dossier_receive(actor=staff["receiver"], dossier=dossier)
    visitors = {"anonymous": Client(), "citizen": signed_in(citizen), "receiver": signed_in(staff["receiver"]),
                "province_admin": signed_in(province_admin)}
    names = sorted(set(_plain_get_routes()) - SKIP)
    seen_html = 0
    for who, client in visitors.items():
        for name in names:
            url = reverse(name)
            response = client.get(url)
            assert response.status_code < 500, f"{who} GET {url}: {response.status_code}"
            audit_page(response, f"{who} GET {url}")
            seen_html += response.status_code == 200 and response["Content-Type"].startswith("text/html")
    pages_with_ids = [
        ("anonymous", reverse("web:procedure_detail", kwargs={"code": procedure.code})),
        ("anonymous", reverse("web:track_code", kwargs={"code": received.code})),
        ("anonymous", "/api/docs"),
        ("anonymous", "/quan-tri/login/"),
        ("citizen", reverse("web:my_dossier", kwargs={"pk": dossier.pk})),
        ("receiver", reverse("web:official_dossier", kwargs={"pk": dossier.pk})),
        ("province_admin", reverse("web:procedure_manage_edit", kwargs={"code": procedure.code})),
    ]
    for who, url in pages_with_ids:
        response = visitors[who].get(url)
        assert response.status_code == 200, f"{who} GET {url}: {response.status_code}"
        audit_page(response, f"{who} GET {url}")
    assert seen_html > 60  # the sweep really rendered the pages


def test_headers_on_api_open311_static_errors_and_downloads(citizen, dossier, category):
    client = signed_in(citizen)
    component = dossier.components.first()
    answers = {
        "API JSON": client.get("/api/v1/dossiers"),
        "API error": Client().get("/api/v1/people/me"),
        "Open311 XML": Client().get("/open311/v2/services.xml"),
        "static file": Client().get("/static/tinhso/css/site.css"),
        "404 page": Client().get("/khong-co-trang-nay/"),
        "CSRF refusal": Client(enforce_csrf_checks=True).post(reverse("account_login"), {}),
        "download": client.get(reverse("web:portal_component_file", kwargs={"pk": dossier.pk,
                                                                             "component_id": component.pk})),
    }
    assert answers["static file"].status_code == 200 and answers["download"].status_code == 200
    for what, response in answers.items():
        assert_security_headers(response, what)

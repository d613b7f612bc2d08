"""Fuzzing the HTTP API from its own OpenAPI schema (/api/openapi.json) with schemathesis.

Every operation gets generated requests, valid ones and invalid ones; operations that need a session are
called as a signed-in citizen (cookie + CSRF token), public ones anonymously. Whatever is sent, the API
must answer without a server error, with a status code, content type, headers and body that its schema
documents. Budget: a few examples per operation and mode, no per-example deadline (the machine is shared),
well under 2 minutes on SQLite.

(schemathesis' own pytest plugin does not run under pytest 9, so each operation is driven here with
Hypothesis from `operation.as_strategy()`: the same generation and the same checks.)
"""
from __future__ import annotations

import functools
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
# A few examples per operation and mode in CI; TINHSO_FUZZ_EXAMPLES=200 for a longer hunt by hand.
MAX_EXAMPLES = int(os.environ.get("TINHSO_FUZZ_EXAMPLES", 5))


def _cases() -> list[tuple[str, str, GenerationMode]]:
    """(method, path, mode) of every operation; invalid input only where there is input to spoil."""
    from tinhso.api.root import api

    out = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            out.append((method.upper(), path, GenerationMode.POSITIVE))
            if operation.get("parameters") or operation.get("requestBody"):
                out.append((method.upper(), path, GenerationMode.NEGATIVE))
    return out


@functools.cache
def _schema(app):
    """The schema as served at /api/openapi.json, loaded once for all the operations' tests."""
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.fixture
def wsgi_app(db):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from tinhso.wsgi import application

    # Requests run inside the test's transaction, as with Django's test client: the WSGI handler must not
    # close the connection at the end of each request (the client disconnects the same receivers).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "mode"), _cases(), ids=lambda v: str(v))
def test_api_answers_as_documented(method, path, mode, wsgi_app, citizen_dossier, citizen_session):
    operation = _schema(wsgi_app)[path][method]
    headers, cookies = citizen_session if operation.definition.raw.get("security") else ({}, {})

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip("no input of this operation can be made invalid (e.g. a single free-text path parameter)")


# --- what the fuzzing found, kept as plain regression tests -------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/dossiers", "/api/v1/catalog/procedures"])
def test_a_page_number_past_any_list_is_refused_not_a_server_error(path, citizen_dossier, citizen_session):
    """page=10**30 once reached the SQL OFFSET and the driver failed (500); now it is a 422 in the API's shape."""
    from django.test import Client

    headers, cookies = citizen_session
    client = Client()
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get(path, {"page": str(10**30)})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "page"
    assert client.get(path, {"page": "1"}).status_code == 200


@pytest.mark.django_db
def test_the_places_agencies_are_documented_with_their_own_schema():
    """Two schemas named AgencyOut (places, dossiers) collided in the OpenAPI components: /places/agencies
    was documented with the dossiers' shape (id, code, name) and every answer violated it."""
    from tinhso.api.root import api

    schema = api.get_openapi_schema()
    ref = schema["paths"]["/api/v1/places/agencies"]["get"]["responses"][200]["content"]["application/json"]
    name = ref["schema"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert {"code", "name", "kind", "parent_code", "active"} <= set(schema["components"]["schemas"][name]["properties"])

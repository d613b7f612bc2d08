"""Production settings (TINHSO_SECURE=1): secure cookies, secrets only from the environment, and
`tinhso check --deploy` without a warning (ASVS V3.4, V14.1-V14.3)."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import PASSWORD, PROJECT, settings_in_subprocess

COOKIE_SETTINGS = ["SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
                   "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "LANGUAGE_COOKIE_SECURE",
                   "LANGUAGE_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT",
                   "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER"]


def production_env(**extra) -> dict:
    return {"TINHSO_SECURE": "1", "TINHSO_SECRET_KEY": secrets.token_urlsafe(64),
            "TINHSO_ALLOWED_HOSTS": "dichvucong.thainguyen.gov.vn", **extra}


def run_tinhso(tmp_path, env: dict, *args) -> subprocess.CompletedProcess:
    # The server's own environment: not ours (the browser tests' conftest allows async-unsafe ORM calls).
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("TINHSO_") and k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    tinhso = os.path.join(os.path.dirname(sys.executable), "tinhso")
    return subprocess.run([tinhso, *args], env={**base, "TINHSO_VAR_DIR": str(tmp_path), **env},
                          capture_output=True, text=True, timeout=300, cwd=PROJECT)


@pytest.fixture(scope="module")
def secure_settings(tmp_path_factory):
    return settings_in_subprocess(tmp_path_factory.mktemp("secure"), production_env(), COOKIE_SETTINGS)


def test_secure_mode_makes_every_cookie_secure_httponly_and_samesite(secure_settings):
    s = secure_settings
    assert s["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["LANGUAGE_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_HTTPONLY"] and s["LANGUAGE_COOKIE_HTTPONLY"]
    assert s["SESSION_COOKIE_SAMESITE"] == s["CSRF_COOKIE_SAMESITE"] == s["LANGUAGE_COOKIE_SAMESITE"] == "Lax"
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] >= 31536000


@pytest.mark.django_db
def test_cookies_on_the_wire_in_secure_mode(secure_settings, settings, citizen):
    for name in COOKIE_SETTINGS:
        value = secure_settings[name]
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)
    client = Client()

    page = client.get(reverse("account_login"), secure=True)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["samesite"] == "Lax"

    signed = client.post(reverse("account_login"), {"login": citizen.username, "password": PASSWORD}, secure=True)
    assert signed.status_code == 302
    session = signed.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]  # what the __Host- prefix demands

    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"}, secure=True)
    language = switched.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert language["secure"] and language["httponly"] and language["samesite"] == "Lax"

    plain = Client().get(reverse("account_login"))  # plain HTTP is redirected to HTTPS, nothing served
    assert plain.status_code == 301 and plain["Location"].startswith("https://")


def test_secure_mode_refuses_to_start_without_a_secret_key_in_the_environment(tmp_path):
    env = production_env()
    del env["TINHSO_SECRET_KEY"]
    result = run_tinhso(tmp_path, env, "check")
    assert result.returncode != 0
    assert "TINHSO_SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no key generated on disk in production


def test_the_development_key_is_generated_once_outside_secure_mode(tmp_path):
    first = settings_in_subprocess(tmp_path, {}, ["SECRET_KEY"])["SECRET_KEY"]
    again = settings_in_subprocess(tmp_path, {}, ["SECRET_KEY"])["SECRET_KEY"]
    assert first == again and len(first) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_tinhso(tmp_path, production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr

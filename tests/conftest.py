"""Shared test set-up. Each domain keeps its own fixtures in tests/<domain>/conftest.py."""
import os
import shutil

import pytest


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium. Without it they are skipped on a developer's machine,
    but in CI (TINHSO_REQUIRE_ALL=1) a missing browser is a failure."""
    if os.path.exists("/usr/bin/chromium") or shutil.which("chromium"):
        return
    e2e = [i for i in items if "e2e" in i.keywords]
    if not e2e:
        return
    if os.environ.get("TINHSO_REQUIRE_ALL") == "1":
        raise pytest.UsageError("Chromium (/usr/bin/chromium) is missing: browser tests cannot run in CI.")
    skip = pytest.mark.skip(reason="Chromium missing: sudo apt-get install chromium")
    for item in e2e:
        item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Accounts in tests are fixtures, not the subject: hash their passwords cheaply. Tests marked
    `argon2` keep the production hashers (argon2) to check them."""
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _ensure_reference_data() -> None:
    """The national data every installation gets from its migrations (2025 provinces and communes,
    the government's calendar decisions). A transactional test starts from a flushed database, so
    the data is loaded again by the very functions the migrations run."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from tinhso.places.models import Province
    from tinhso.workcal.models import CalendarEntry
    from tinhso.workcal.selectors import calendar_cache_clear

    if not Province.objects.exists():
        importlib.import_module("tinhso.places.migrations.0003_load_2025_divisions").load(apps, SimpleNamespace(connection=connection))
    if not CalendarEntry.objects.exists():
        importlib.import_module("tinhso.workcal.migrations.0002_load_2025_2026_decisions").load(apps, SimpleNamespace(connection=connection))
    calendar_cache_clear()


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    _ensure_reference_data()


_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Rate limits and cached pages live in the cache: every test starts with none (the live server of
    browser tests runs in this process and shares it). The cache is a database table (settings.CACHES),
    so only a test that may use the database can have left anything there or clear it."""
    from django.core.cache import cache

    from tinhso.catalog.selectors import procedure_cache_clear

    if request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(request.fixturenames):
        request.getfixturevalue("_django_db_helper")  # database access first, as the test will have it
        cache.clear()
    procedure_cache_clear()  # procedures cached in this process must not outlive a rolled-back test
    from tinhso.feedback import public_version

    public_version.forget()  # nor the public reports' version read from the emptied cache
    yield

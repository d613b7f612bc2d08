"""Browser journeys: Playwright driving Debian's Chromium against a live tinhso server.

Never `playwright install`: the browser is /usr/bin/chromium from Debian's packages.
"""
import os

import pytest
from axe_playwright_python.sync_playwright import Axe

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make to set up
# data happen before the browser acts, in the same thread, which Django otherwise refuses.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TINHSO_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def axe():
    return Axe()


def serious_violations(results) -> list[str]:
    """The axe violations whose impact is serious or critical, as readable lines."""
    out = []
    for v in results.response.get("violations", []):
        if v.get("impact") in ("serious", "critical"):
            targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:5]
            out.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return out


@pytest.fixture
def assert_accessible(axe):
    def check(page):
        results = axe.run(page)
        bad = serious_violations(results)
        assert not bad, f"{page.url}: " + "; ".join(bad)

    return check

"""Fixtures of the simulation: the demo province (agencies, catalog, report categories and routing,
the demo accounts) and a helper that runs `simulate` over the first half of 2026."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UNTIL = dt.datetime(2026, 6, 30, 12, 0, tzinfo=VN)


@pytest.fixture
def demo_province(db):
    from tinhso.catalog import services as catalog
    from tinhso.demo.accounts import load_accounts
    from tinhso.feedback import services as feedback
    from tinhso.places import services as places

    places.demo_agencies_load(actor=None)
    catalog.demo_catalog_load(actor=None)
    feedback.demo_feedback_load(actor=None)
    return load_accounts()


@pytest.fixture
def run_simulation(demo_province):
    from tinhso.demo.simulate import simulate

    def run(*, dossiers=600, seed=11, reports=None, until=UNTIL, append=False):
        return simulate(year=2026, dossiers=dossiers, seed=seed, reports=reports, until=until, append=append,
                        rollups=False)
    return run

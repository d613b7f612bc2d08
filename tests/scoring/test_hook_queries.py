"""What the rollup hooks cost on the hot create paths (an online submission, a new report), counted in SQL
statements, with the rollups still equal to a rebuild afterwards."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhso.dossiers import hooks as dossier_hooks
from tinhso.dossiers import services
from tinhso.feedback import hooks as report_hooks
from tinhso.feedback import services as fb
from tinhso.scoring.models import DossierFact, ReportDaily, ReportFact
from tinhso.scoring.services import dossier_rollup_sync, report_rollup_sync, rollups_verify

from .conftest import vn

pytestmark = pytest.mark.django_db


def _measured(monkeypatch, hooks_module, hook) -> list[dict]:
    """Replace `hook` in the registry of `hooks_module` by a wrapper that records, per call, its keywords and
    the SQL statements it ran."""
    calls = []

    def wrapper(**kw):
        with CaptureQueriesContext(connection) as q:
            hook(**kw)
        calls.append({"kw": set(kw), "sql": [x["sql"] for x in q.captured_queries]})

    monkeypatch.setattr(hooks_module, "_after_change",
                        [wrapper if fn is hook else fn for fn in hooks_module._after_change])
    return calls


def test_an_online_submission_costs_the_dossier_hook_no_query(monkeypatch, journeys, staff_x):
    """A dossier not received yet has no fact (and a reception is never undone): the hook needs no query.
    Before: 2 (the dossier row re-read, the old fact read)."""
    calls = _measured(monkeypatch, dossier_hooks, dossier_rollup_sync)
    d = journeys.submit(at=vn(2026, 3, 2, 8))
    assert [len(c["sql"]) for c in calls] == [0]
    assert not DossierFact.objects.exists()
    # its reception still makes the fact (the hook reads what it needs then)
    services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 3, 2, 9))
    assert len(calls) == 2 and len(calls[1]["sql"]) > 0
    fact = DossierFact.objects.get(dossier_id=d.pk)
    assert (fact.state, fact.received, fact.open) == (2, 1, 1)
    assert rollups_verify()["ok"]


def test_withdrawn_and_refused_before_reception_leave_no_fact(monkeypatch, journeys, staff_x, citizen_a):
    calls = _measured(monkeypatch, dossier_hooks, dossier_rollup_sync)
    d1 = journeys.submit(at=vn(2026, 3, 2, 8))
    services.dossier_withdraw(actor=citizen_a, dossier=d1, at=vn(2026, 3, 2, 9))
    d2 = journeys.submit(at=vn(2026, 3, 2, 10))
    services.dossier_refuse(actor=staff_x["receiver"], dossier=d2, reason="Sai thẩm quyền", at=vn(2026, 3, 2, 11))
    assert [len(c["sql"]) for c in calls] == [0, 0, 0, 0]
    assert not DossierFact.objects.exists() and rollups_verify()["ok"]


def test_a_new_report_costs_the_report_hook_two_statements(monkeypatch, citizen_a, category, province_admin):
    """A report just created has no fact: the hook builds it from the instance the service wrote, inserts it
    and adds it to its daily row. Before: 5 (the report re-read, the old fact read, the working calendar's
    revision check inside the transaction, the insert, the upsert)."""
    calls = _measured(monkeypatch, report_hooks, report_rollup_sync)
    r = fb.report_create(actor=citizen_a, category=category, description="Ổ gà trước chợ", address="Chợ Đồng Quang")
    assert [c["kw"] for c in calls] == [{"report", "created"}]
    assert len(calls[0]["sql"]) == 2
    fact = ReportFact.objects.get(report_id=r.pk)
    assert (fact.state, fact.received, fact.open, fact.category_id) == ("new", 1, 1, category.pk)
    assert ReportDaily.objects.get().received == 1
    # the same rows as a rebuild from the report table
    assert rollups_verify()["ok"]
    # a later change is not a creation: the hook re-reads the report and its fact, and moves the rows
    fb.report_accept(actor=province_admin, report=r)
    assert calls[1]["kw"] == {"report"} and len(calls[1]["sql"]) > 2
    fact.refresh_from_db()
    r.refresh_from_db()
    # accepted, then routed to X; the due time is on the fact ("late now" of reports is read from the facts)
    assert (fact.state, fact.open, fact.agency_id) == ("assigned", 1, category.routes.get().agency_id)
    assert fact.due_at is not None and (fact.state, fact.agency_id, fact.due_at) == (r.state, r.agency_id, r.due_at)
    # the day's "no agency" row is left with every counter at 0: the same sums as a rebuild (which has none)
    assert rollups_verify()["ok"]


def test_a_hook_registered_without_created_still_runs_on_a_new_report(monkeypatch, citizen_a, category):
    seen = []

    def old_style(*, report):
        seen.append(report.pk)

    monkeypatch.setattr(report_hooks, "_after_change", [*report_hooks._after_change, old_style])
    r = fb.report_create(actor=citizen_a, category=category, description="Đèn hỏng", address="Ngõ 5")
    assert seen == [r.pk] and ReportFact.objects.filter(report_id=r.pk).exists()

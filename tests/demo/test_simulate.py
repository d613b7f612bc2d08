"""`tinhso simulate`: a simulated year is reproducible, and as consistent as if the services had written it
(codes, due times from the working calendar, pauses, steps and hand-overs, events, the audit chains)."""
from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count

from tinhso.audit.models import ChainHead, ChainLink
from tinhso.audit.verification import chain_verify
from tinhso.datastore.models import StoredDocument
from tinhso.demo import simulate as sim
from tinhso.dossiers import clock
from tinhso.dossiers import services as dossier_services
from tinhso.dossiers.models import (Apology, DailySequence, Dossier, DossierComponent, DossierEvent, DossierStep,
                                    Handover, PaymentRequest, Rating, SupplementRequest)
from tinhso.dossiers.selectors import timeliness
from tinhso.events.models import DomainEvent
from tinhso.feedback.models import Report, ReportEvent, ReportSequence
from tinhso.people.models import Official, OfficialRole, User
from tinhso.places.models import Agency
from tinhso.workcal import selectors as workcal

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")

SNAPSHOT = [Dossier, DossierStep, Handover, DossierEvent, ChainLink, ChainHead, DossierComponent, SupplementRequest,
            PaymentRequest, Apology, Rating, StoredDocument, Report, ReportEvent, User, Official, OfficialRole]


def snapshot() -> dict:
    rows = {m.__name__: list(m.objects.order_by("pk").values_list()) for m in SNAPSHOT}
    rows["DomainEvent"] = list(DomainEvent.objects.exclude(name=sim.EVENT_NAME).order_by("pk").values_list())
    rows["DailySequence"] = sorted(DailySequence.objects.values_list("agency_id", "day", "last"))
    rows["ReportSequence"] = sorted(ReportSequence.objects.values_list("period", "last"))
    return rows


def test_same_seed_writes_the_same_rows_and_another_seed_other_rows(run_simulation):
    runs = []
    for seed in (11, 11, 12):
        with transaction.atomic():
            run_simulation(dossiers=300, seed=seed)
            runs.append(snapshot())
            transaction.set_rollback(True)
    first, again, other = runs
    assert first["Dossier"], "the simulation wrote no dossier"
    for table in first:
        assert first[table] == again[table], f"{table}: the same seed gave different rows"
    assert first["Dossier"] != other["Dossier"]
    assert first["DossierEvent"] != other["DossierEvent"]


@pytest.fixture
def year(run_simulation):
    return run_simulation(dossiers=1500, seed=5, reports=150)


def test_codes_are_unique_gapless_per_agency_and_day_and_the_sequence_continues(year):
    codes = list(Dossier.objects.exclude(code=None).values_list("code", "agency__code", "received_at"))
    assert len(codes) == len({c for c, _, _ in codes}) > 1000
    groups = defaultdict(list)
    for code, agency_code, received in codes:
        prefix, number = code.rsplit("-", 1)
        local = received.astimezone(VN)
        assert prefix == f"{agency_code}-{local:%y%m%d}", code
        groups[prefix].append(int(number))
    for prefix, numbers in groups.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), prefix
    last = {(a, d.strftime("%y%m%d")): n for a, d, n in DailySequence.objects.values_list("agency__code", "day", "last")}
    for prefix, numbers in groups.items():
        agency_code, day = prefix.rsplit("-", 1)
        assert last[(agency_code, day)] == len(numbers)
    # a reception after the simulation continues the day's numbering
    prefix = max(groups, key=lambda p: len(groups[p]))
    agency_code, day = prefix.rsplit("-", 1)
    with transaction.atomic():
        code = dossier_services._next_code(Agency.objects.get(code=agency_code),
                                           dt.datetime.strptime(day, "%y%m%d").date())
        transaction.set_rollback(True)
    assert code == f"{prefix}-{len(groups[prefix]) + 1:04d}"


def test_due_times_are_the_working_calendars(year):
    cal = workcal.current_calendar()
    plain = list(Dossier.objects.filter(received_at__isnull=False, paused_total_seconds=0, reappointed=False)
                 .order_by("pk")[:1000])
    sample = random.Random(1).sample(plain, 150)
    kinds = set()
    for d in sample:
        due = cal.due(d.received_at, workcal.TimeLimit(kind=d.limit_kind, amount=d.limit_amount))
        assert (d.counting_from, d.due_at, d.original_due_at) == (due.counting_from, due.due_at, due.due_at), d.code
        steps = list(d.steps.order_by("order"))
        assert [s.due_at for s in steps] == clock.step_dues(counting_from=d.counting_from, due_at=d.due_at,
                                                            shares=[s.share_percent for s in steps])
        kinds.add(d.limit_kind)
    assert {"same_day", "working_days"} <= kinds


def test_paused_dossiers_due_time_moves_by_the_working_time_left(year):
    resumed = Dossier.objects.filter(paused_total_seconds__gt=0, reappointed=False)
    assert resumed.count() > 20
    moved = 0
    for d in resumed:
        due = d.original_due_at
        pauses = {}
        for ev in d.events.order_by("id"):
            if ev.action in ("request_supplement", "request_payment"):
                pauses["at"] = ev.at
            elif ev.action in ("supply", "pay"):
                due = workcal.due_after_resume(due_at=due, paused_at=pauses.pop("at"), resumed_at=ev.at)
        assert d.due_at == due, d.code
        assert d.due_at >= d.original_due_at
        moved += d.due_at > d.original_due_at
    assert moved > 10
    for d in Dossier.objects.filter(state__in=[5, 6]):
        assert d.paused_at is not None


def test_states_steps_handovers_and_events_agree(year):
    finished = Dossier.objects.filter(state__in=[9, 10])
    assert finished.count() > 1000
    assert not finished.filter(finished_at=None).exists()
    assert not finished.filter(result_file="").exists()
    assert not Dossier.objects.filter(state=10, returned_at=None).exists()
    assert not Dossier.objects.filter(state__in=[3, 7, 8, 10], closed_at=None).exists()
    assert StoredDocument.objects.filter(origin="tinhso").count() == finished.count()
    open_ids = set(Dossier.objects.filter(state__in=[2, 4, 5, 6]).values_list("pk", flat=True))
    active = dict(DossierStep.objects.filter(status="active").values("dossier").annotate(n=Count("id"))
                  .values_list("dossier", "n"))
    assert open_ids and all(active.get(pk) == 1 for pk in open_ids)
    done = dict(DossierStep.objects.filter(status="done").values("dossier").annotate(n=Count("id"))
                .values_list("dossier", "n"))
    slips = dict(Handover.objects.values("dossier").annotate(n=Count("id")).values_list("dossier", "n"))
    assert done == slips
    assert set(Handover.objects.values_list("timeliness", flat=True)) == {"early", "on_time", "late"}
    by_dossier = defaultdict(list)
    for ev in DossierEvent.objects.order_by("id").values("dossier_id", "from_state", "to_state", "at", "action"):
        by_dossier[ev["dossier_id"]].append(ev)
    states = dict(Dossier.objects.values_list("pk", "state"))
    for pk, events in by_dossier.items():
        assert events[0]["from_state"] is None
        for a, b in zip(events, events[1:]):
            assert b["from_state"] == a["to_state"] and b["at"] >= a["at"], (pk, a, b)
        assert events[-1]["to_state"] == states[pk]
    assert set(by_dossier) == set(states)


def test_shares_of_the_year_are_in_their_bands(year):
    received = Dossier.objects.exclude(state=1)
    total = Dossier.objects.count()
    online = Dossier.objects.filter(channel=2).count() / total
    assert sim.ONLINE_BAND[0] <= online <= sim.ONLINE_BAND[1], online
    finished = list(Dossier.objects.filter(state__in=[9, 10]))
    late = sum(timeliness(d) == "done_late" for d in finished) / len(finished)
    assert sim.LATE_BAND[0] <= late <= sim.LATE_BAND[1], late
    supplemented = received.filter(supplement_count__gte=1).count() / received.count()
    assert sim.SUPPLEMENT_BAND[0] <= supplemented <= sim.SUPPLEMENT_BAND[1], supplemented
    assert PaymentRequest.objects.filter(paid_at__isnull=False).exists()
    ratings = dict(Rating.objects.values("level").annotate(n=Count("id")).values_list("level", "n"))
    assert ratings["satisfied"] > 3 * (ratings.get("acceptable", 0) + ratings.get("unsatisfied", 0))
    assert DossierComponent.objects.filter(reuse_source="datastore", reused_from__isnull=False).exists()
    # citizens are a pool, reused: fewer applicants than dossiers
    assert Dossier.objects.values("applicant").distinct().count() < total / 2


def test_audit_chains_verify_and_foreign_keys_hold(year):
    report = chain_verify()
    assert report.ok, [p.message for p in report.problems[:5]]
    assert report.links == DossierEvent.objects.count()
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert '"ok": true' in out.getvalue()
    connection.check_constraints()


def test_citizens_reports_are_routed_answered_on_time_or_late_and_rated(year):
    reports = Report.objects.all()
    assert reports.count() == 150
    ids = list(reports.values_list("public_id", flat=True))
    assert len(set(ids)) == len(ids)
    per_month = defaultdict(list)
    for pid in ids:
        _, period, number = pid.split("-")
        per_month[period].append(int(number))
    for period, numbers in per_month.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert ReportSequence.objects.get(period=period).last == len(numbers)
    answered = reports.filter(answered_at__isnull=False)
    late = [r for r in answered if r.answered_at > r.due_at]
    assert answered.count() > 100 and 0 < len(late) < answered.count() / 4
    assert reports.exclude(rating="").exists()
    assert not answered.filter(agency=None).exists()
    assert set(ReportEvent.objects.values_list("action", flat=True)) >= {"created", "accepted", "assigned",
                                                                         "in_progress", "answered", "rated"}


def test_a_second_run_of_the_same_year_needs_append(run_simulation):
    run_simulation(dossiers=100, seed=3)
    with pytest.raises(sim.SimulationError, match="--append"):
        run_simulation(dossiers=100, seed=3)
    before = Dossier.objects.count()
    run_simulation(dossiers=100, seed=4, append=True)
    assert Dossier.objects.count() == before + 100
    assert chain_verify().ok


def test_command_prints_a_summary_and_refuses_bad_input(demo_province):
    out = io.StringIO()
    call_command("simulate", "--year", "2026", "--dossiers", "120", "--seed", "9", "--until", "31/03/2026",
                 "--no-rollups", stdout=out)
    assert "Đã mô phỏng năm 2026: 120 hồ sơ" in out.getvalue()
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("simulate", "--year", "2026", "--dossiers", "10", "--until", "2026-03-31", stdout=out)
    with pytest.raises(CommandError, match="đã có dữ liệu mô phỏng"):
        call_command("simulate", "--year", "2026", "--dossiers", "10", "--until", "31/03/2026", stdout=out)
    with pytest.raises(CommandError, match="chưa bắt đầu"):
        call_command("simulate", "--year", "2099", "--dossiers", "10", stdout=out)


@pytest.mark.django_db(transaction=True)
def test_the_demo_simulates_its_year_once_and_keeps_its_hand_made_dossiers(settings):
    # Committed for real, as `tinhso demo` runs: the scoring rollups are rebuilt after the simulation.
    from tinhso.demo.loader import load_demo

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = load_demo(simulate_dossiers=300)
    assert first["simulation"] is not None
    count = Dossier.objects.count()
    demo_citizens = Dossier.objects.filter(applicant__username__in=["019090001234", "019190004321"])
    assert demo_citizens.exists()
    second = load_demo(simulate_dossiers=300)
    assert second["simulation"] is None
    assert Dossier.objects.count() == count
    # the demo officials still hold their roles and their authenticators
    lanhdao = User.objects.get(username="lanhdao.pdp")
    assert OfficialRole.objects.filter(official__user=lanhdao, role="leader").exists()
    assert lanhdao.authenticator_set.exists()
    assert chain_verify().ok



# --- speed without changing a row: a second process generating ahead, indexes built once at the end ----------------

def _indexes() -> list[tuple]:
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cur:
        cur.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        return cur.fetchall()


def _rows_of_the_year() -> dict:
    rows = snapshot()
    rows["DomainEvent"] = [r for r in rows["DomainEvent"] if r[1] != "test.interference"]
    return rows


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("interference", [False, True])
def test_generating_in_a_second_process_writes_the_same_rows_even_when_someone_writes_meanwhile(
        demo_province, monkeypatch, interference):
    """The forked generator assumes the ids and day numbers continue from what the writer wrote; a write by
    someone else between two chunks (here a domain event) breaks that: the rest is generated in-process from the
    chunk's random state. Either way the rows are those of a run without a second process."""
    from tinhso.events.services import event_record

    monkeypatch.setattr(sim, "CHUNK", 150)
    forked = []
    real = sim._dossier_chunks_forked
    monkeypatch.setattr(sim, "_dossier_chunks_forked",
                        lambda gen, chunks, *a: forked.append((real(gen, chunks, *a), len(chunks))) or forked[-1][0])

    def progress(msg):
        if interference and "hồ sơ: " in msg and not seen:
            seen.append(msg)
            with transaction.atomic():
                event_record(actor=None, name="test.interference", subject_type="test", subject_id="1")

    def run(parallel):
        return sim.simulate(year=2026, dossiers=600, seed=21, reports=40, until=UNTIL_TEST, rollups=False,
                            progress=progress, parallel=parallel)

    before = _indexes()
    seen = []
    with transaction.atomic():  # in-process (a transaction: no fork), then rolled back
        here = run(False)
        expected = _rows_of_the_year()
        transaction.set_rollback(True)
    seen = []
    there = run(True)
    got = _rows_of_the_year()
    if connection.vendor == "sqlite":
        assert forked, "the run did not use a second process"
        first_here, chunks = forked[0]
        assert chunks > 2
        assert (first_here < chunks) if interference else (first_here == chunks)
    assert got["Dossier"] and got.keys() == expected.keys()
    for table in expected:
        assert got[table] == expected[table], f"{table}: not the rows of the in-process run"
    how = ("bulk",)  # how it was written (chunks generated ahead, seconds): not what was written
    assert ({k: v for k, v in there.stats.items() if k not in how}, there.rows) == (
        {k: v for k, v in here.stats.items() if k not in how}, here.rows)
    assert there.stats["bulk"]["chunks"] == here.stats["bulk"]["chunks"] > 2
    assert _indexes() == before
    assert chain_verify().ok


UNTIL_TEST = dt.datetime(2026, 4, 30, 12, 0, tzinfo=VN)


def test_plain_indexes_are_back_after_a_run_and_after_a_failed_one(run_simulation):
    from tinhso.demo.sim_writer import restore_missing_indexes

    before = _indexes()
    run_simulation(dossiers=200, seed=3)
    assert _indexes() == before

    during = []

    def boom(msg):
        if "hồ sơ: " in msg:
            during.append(_indexes())
            raise RuntimeError("stopped")
    with pytest.raises(RuntimeError, match="stopped"):
        sim.simulate(year=2026, dossiers=400, seed=4, until=dt.datetime(2026, 6, 30, tzinfo=VN), rollups=False,
                     append=True, progress=boom)
    if connection.vendor == "sqlite":
        assert len(during[0]) < len(before), "the plain indexes were not set aside during the load"
    assert _indexes() == before
    if connection.vendor == "sqlite":  # a killed run leaves them missing: the next run (or this) puts them back
        from tinhso.demo.sim_writer import plain_indexes

        name = plain_indexes([Dossier])[0][0]
        with connection.cursor() as cur:
            cur.execute(f'DROP INDEX "{name}"')
        assert restore_missing_indexes([Dossier]) == [name]
        assert _indexes() == before

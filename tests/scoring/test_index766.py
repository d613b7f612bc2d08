"""The bar: every index 766 indicator of a simulated year, recomputed straight from the dossier and report
tables by an independent query (plain ORM here, not the rollups), equals what the dashboard shows —
for the province, every agency and every commune, for every month, quarter and the year.

Two years are checked: the year of `tinhso simulate` (the demo province, realistic volumes) and a small
year of this directory's own factory (`bulk_year`), which makes sure every rare shape occurs (paused
with two supplement requests, reopened reports, declined reports late or on time, …)."""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import F, Q

from tinhso.catalog.models import Procedure
from tinhso.dossiers.models import Complaint, Dossier, PaymentRequest, Rating, SupplementRequest
from tinhso.feedback.models import Report
from tinhso.scoring import selectors
from tinhso.scoring.periods import period_of, scope_agency, scope_commune, scope_province
from tinhso.scoring.services import rollups_rebuild
from tinhso.workcal import selectors as workcal
from tinhso.workcal.selectors import TimeLimit

from .conftest import VN, bulk_year, vn

pytestmark = pytest.mark.django_db

YEAR = 2025
NOW = vn(2026, 1, 15, 12)
MAX = {"1.3": 2, "2.1": 20, "3.6": 6, "4.1": 6, "4.2": 4, "4.3": 2, "4.4": 4, "5.2": 6, "5.3": 6, "5.4": 6}
THRESHOLD = {"3.1": Decimal("0.8"), "3.3": Decimal("0.5"), "4.2": Decimal("0.8"), "4.3": Decimal("0.8"),
             "5.4": Decimal("0.9")}


def q2(x):
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected(code, num, den):
    """(value %, points) from a numerator and denominator, by the rules of DOMAIN.md §4."""
    if not den:
        return None, None
    rate = Decimal(num) / Decimal(den)
    if code not in MAX:
        return q2(rate * 100), None
    mx = Decimal(MAX[code])
    t = THRESHOLD.get(code)
    pts = (mx if rate >= t else rate * mx / t) if t else rate * mx
    return q2(rate * 100), q2(pts)


# --- the independent recomputation: plain ORM over the dossier, report and catalog tables --------------------

def independent(agency_ids, commune_code, period, now):
    cal = workcal.current_calendar()
    start, end = (dt.datetime.combine(period.start, dt.time(0), tzinfo=VN),
                  dt.datetime.combine(period.end, dt.time(0), tzinfo=VN))
    qs = Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    received = qs.count()
    counted = qs.exclude(state__in=[7, 8])
    finished = qs.filter(state__in=[9, 10])
    on_time = finished.filter(finished_at__lte=F("due_at"), supplement_count__lte=1).count()
    late_done = finished.count() - on_time
    running_late = Q(state__in=[2, 4], due_at__lte=now)
    open_ = qs.filter(state__in=[2, 4, 5, 6])
    open_late = open_.filter(Q(supplement_count__gt=1) | running_late).count()
    out = {}
    out["2.1"] = (on_time + open_.count() - open_late, counted.count())
    # 2.2: working time from reception to finish, pauses (supplement, payment) taken out
    seconds = 0
    pauses_of = {}
    for model, end_field in ((SupplementRequest, "answered_at"), (PaymentRequest, "paid_at")):
        for dossier_id, a, b in model.objects.filter(dossier__in=finished).values_list("dossier_id", "requested_at",
                                                                                        end_field):
            pauses_of.setdefault(dossier_id, []).append((a, b))
    for d in finished.only("id", "received_at", "finished_at"):
        total = cal.working_time_between(d.received_at, d.finished_at)
        for a, b in pauses_of.get(d.pk, []):
            if a < d.finished_at:
                b = min(b or d.finished_at, d.finished_at)
                if b > a:
                    total -= cal.working_time_between(a, b)
        seconds += max(0, int(total.total_seconds()))
    out["2.2"] = (seconds, finished.count())
    out["3.3"] = (qs.filter(channel=2).filter(Q(procedure__result_paper=False) | ~Q(result_file="")).count(), received)
    fee = qs.filter(fee_amount__gt=0)
    out["3.6"] = (fee.filter(paid_at__isnull=False).count(), fee.count())
    paper = finished.filter(procedure__result_paper=True)
    out["4.1"] = (paper.exclude(result_file="").count(), paper.count())
    out["4.2"] = (finished.exclude(result_file="").filter(components__isnull=False).exclude(components__file="")
                  .distinct().count(), finished.count())
    out["4.3"] = (qs.filter(components__reuse_source__in=["datastore", "dossier"]).distinct().count(), received)
    out["4.4"] = (qs.filter(components__reuse_source="datastore").distinct().count(), received)
    disliked = set(counted.filter(pk__in=Rating.objects.filter(level="unsatisfied").values("dossier_id"))
                   .values_list("pk", flat=True))
    disliked |= set(counted.filter(pk__in=Complaint.objects.values("dossier_id")).values_list("pk", flat=True))
    n = counted.count()
    bad = late_done + open_late + len(disliked)
    out["5.4"] = (max(n - bad, 0), n)
    # reports
    rq = Report.objects.filter(created_at__gte=start, created_at__lt=end)
    if agency_ids is not None and commune_code is None:
        rq = rq.filter(agency_id__in=agency_ids)
    if commune_code is not None:
        rq = rq.filter(commune_id=commune_code)
    ok = late = bad_reports = 0
    for r in rq:
        answered = r.state in ("answered", "closed") and r.answered_at is not None
        a_on_time = answered and (r.due_at is None or r.answered_at <= r.due_at)
        rejected = r.state == "rejected"
        r_on_time = rejected and r.closed_at <= cal.due(r.created_at, TimeLimit("working_days", 2)).due_at
        open_past_due = r.state in ("accepted", "assigned", "in_progress") and r.due_at is not None and r.due_at <= now
        ok += a_on_time or r_on_time
        late += (answered and not a_on_time) or (rejected and not r_on_time) or open_past_due
        bad_reports += bool(r.rating == "unsatisfied" or r.reopened_count or (answered and not a_on_time)
                            or (rejected and not r_on_time) or open_past_due)
    out["5.2"] = (ok, ok + late)
    out["5.3"] = (rq.count() - bad_reports, rq.count())
    # catalog (the procedures in the remit, as of now)
    procs = Procedure.objects.filter(published=True)
    if agency_ids is not None:
        from tinhso.places.models import Agency

        kinds = set(Agency.objects.filter(pk__in=agency_ids).values_list("kind", flat=True))
        remit = Q(pk__in=[])
        if "ubnd_xa" in kinds:
            remit |= Q(level="commune")
        for a in Agency.objects.filter(pk__in=agency_ids):
            remit |= Q(level="province", agency=a) | Q(level="province", agency__isnull=True, agency_kind=a.kind)
        procs = procs.filter(remit)
    complete = [p for p in procs if p.steps.exists() and p.components.exists() and p.subjects and p.name]
    out["1.3"] = (len(complete), procs.count())
    out["3.1"] = (procs.filter(online_level__in=["toan_trinh", "mot_phan"]).count(), procs.count())
    return out


def check(shown: dict, agency_ids, commune_code, period):
    want = independent(agency_ids, commune_code, period, NOW)
    by_code = {i["code"]: i for i in shown["indicators"]}
    total = Decimal(0)
    for code, (num, den) in want.items():
        got = by_code[code]
        if code == "2.2":
            value = q2(Decimal(num) / den / 3600) if den else None
            assert (got["value"], got["points"]) == (value, None), (code, shown["scope"], period.key)
            continue
        value, points = expected(code, num, den)
        assert (got["value"], got["points"]) == (value, points), (code, shown["scope"], period.key, num, den, got)
        if got["denominator"] is not None and code not in ("5.4",):
            assert (got["numerator"], got["denominator"]) == (num, den), (code, shown["scope"], period.key)
        total += points or 0
    for code in ("1.1", "1.2", "1.4"):  # tinhso does not hold their inputs
        assert by_code[code]["value"] is None and by_code[code]["points"] is None and by_code[code]["note"]
    assert shown["total"] == q2(total), (shown["scope"], period.key)


@pytest.fixture
def year(procedures, agency_x, agency_y, department, staff_x, citizen_a, citizen_b, category, communes):
    bulk_year(year=YEAR, procedures=procedures, agencies=[agency_x, agency_y, department],
              officials=[staff_x["specialist"]], citizens=[citizen_a, citizen_b], category=category,
              communes=communes, n=320, reports=140)
    rollups_rebuild()
    return {"agencies": [agency_x, agency_y, department], "communes": communes}


def periods_of_year():
    months = [period_of("month", dt.date(YEAR, m, 1)) for m in range(1, 13)]
    quarters = [period_of("quarter", dt.date(YEAR, m, 1)) for m in (1, 4, 7, 10)]
    return months + quarters + [period_of("year", dt.date(YEAR, 1, 1))]


def test_every_766_indicator_of_a_year_equals_an_independent_recomputation(year):
    assert Dossier.objects.filter(received_at__isnull=False).count() > 250
    checked = 0
    for period in periods_of_year():
        check(selectors.index766(scope_province(), period, now=NOW), None, None, period)
        for agency in year["agencies"]:
            check(selectors.index766(scope_agency(agency), period, now=NOW), [agency.pk], None, period)
        for commune in year["communes"]:
            scope = scope_commune(commune)
            check(selectors.index766(scope, period, now=NOW), list(scope.agency_ids), commune.pk, period)
        checked += 1
    assert checked == 17


def test_year_has_the_shapes_the_indicators_distinguish(year):
    """The factory must give every indicator something to count (or the test above proves little)."""
    shown = selectors.index766(scope_province(), period_of("year", dt.date(YEAR, 1, 1)), now=NOW)
    by_code = {i["code"]: i for i in shown["indicators"]}
    for code in ("1.3", "2.1", "3.1", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "5.2", "5.3", "5.4"):
        assert by_code[code]["denominator"], code
        assert 0 < by_code[code]["value"] < 100 or code in ("1.3", "4.1"), (code, by_code[code]["value"])
    assert by_code["2.1"]["inputs"]["open_late_now"] > 0 and by_code["2.1"]["inputs"]["open_within_time"] > 0
    assert by_code["3.1"]["points"] is None and "điểm tối đa" in by_code["3.1"]["note"]


def test_rankings_and_commune_table_agree_with_index766(year):
    period = period_of("quarter", dt.date(YEAR, 4, 1))
    rows = selectors.ranking("agencies", period, now=NOW)
    for row in rows:
        agency = next(a for a in year["agencies"] if a.code == row["code"])
        shown = selectors.index766(scope_agency(agency), period, now=NOW)
        prev = selectors.index766(scope_agency(agency), period.previous(), now=NOW)
        assert row["total"] == shown["total"] and row["previous_total"] == prev["total"]
        assert row["points_change"] == shown["total"] - prev["total"]
    table = {r["code"]: r for r in selectors.commune_table(period, now=NOW)}
    for commune in year["communes"]:
        shown = selectors.index766(scope_commune(commune), period, now=NOW)
        assert table[commune.pk]["index766_total"] == shown["total"]
        assert table[commune.pk]["on_time_rate"] == next(i for i in shown["indicators"] if i["code"] == "2.1")["value"]


def test_drill_down_lists_exactly_the_dossiers_a_number_counts(year):
    period = period_of("year", dt.date(YEAR, 1, 1))
    for scope in [scope_province(), scope_agency(year["agencies"][0]), scope_commune(year["communes"][1])]:
        shown = {i["code"]: i for i in selectors.index766(scope, period, now=NOW)["indicators"]}
        for code in ("2.1", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4"):
            for part, key in (("numerator", "numerator"), ("denominator", "denominator")):
                got = selectors.dossiers_counted(code, scope, period, part=part, now=NOW).count()
                assert got == shown[code][key], (scope.key, code, part)
        late = selectors.dossiers_counted("2.1", scope, period, part="late", now=NOW).count()
        assert late == shown["2.1"]["inputs"]["done_late"] + shown["2.1"]["inputs"]["open_late_now"]
        for code in ("5.2", "5.3"):
            for part in ("numerator", "denominator"):
                got = selectors.reports_counted(code, scope, period, part=part, now=NOW).count()
                assert got == shown[code][part], (scope.key, code, part)
    overview = selectors.province_overview(period, now=NOW)
    assert selectors.dossiers_counted("late_now", scope_province(), None, now=NOW).count() == overview["late_now"]
    assert selectors.dossiers_counted("paused_now", scope_province(), None, now=NOW).count() == overview["paused_now"]
    assert selectors.dossiers_counted("received", scope_province(), period, now=NOW).count() == overview["received"]


@pytest.fixture
def simulated_year(db):
    """The demo province (agencies, catalog, report categories) and a year of `tinhso simulate`, which
    rebuilds the rollups at its end."""
    from tinhso.catalog import services as catalog
    from tinhso.demo.simulate import simulate
    from tinhso.feedback import services as feedback
    from tinhso.places import services as places

    places.demo_agencies_load(actor=None)
    catalog.demo_catalog_load(actor=None)
    feedback.demo_feedback_load(actor=None)
    result = simulate(year=YEAR, dossiers=600, reports=160, seed=11)
    assert "rollups_rebuild" in result.rollups
    return result


def test_every_766_indicator_of_a_simulated_year_equals_an_independent_recomputation(simulated_year):
    from tinhso.places.models import Agency, Commune
    from tinhso.scoring.services import rollups_verify

    assert rollups_verify()["ok"]
    year = period_of("year", dt.date(YEAR, 1, 1))
    for period in periods_of_year():
        check(selectors.index766(scope_province(), period, now=NOW), None, None, period)
    agencies = list(Agency.objects.filter(active=True).order_by("code"))
    for agency in agencies:
        check(selectors.index766(scope_agency(agency), year, now=NOW), [agency.pk], None, year)
    busiest = sorted(agencies, key=lambda a: -Dossier.objects.filter(agency=a).count())[:2]
    for agency in busiest:
        for period in periods_of_year()[:12]:
            check(selectors.index766(scope_agency(agency), period, now=NOW), [agency.pk], None, period)
    communes = Commune.objects.filter(agencies__isnull=False).distinct().order_by("code")
    assert communes.count() > 50
    for commune in communes:
        scope = scope_commune(commune)
        check(selectors.index766(scope, year, now=NOW), list(scope.agency_ids), commune.pk, year)


def _late_independent(agency_ids, period, now, *, finished_too: bool) -> list[int]:
    """The late dossiers straight from the dossier table (DOMAIN.md §8), by reception time."""
    qs = Dossier.objects.filter(received_at__isnull=False)
    if period is not None:
        qs = qs.filter(received_at__gte=dt.datetime.combine(period.start, dt.time(0), tzinfo=VN),
                       received_at__lt=dt.datetime.combine(period.end, dt.time(0), tzinfo=VN))
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    late = Q(state__in=[2, 4, 5, 6], supplement_count__gt=1) | Q(state__in=[2, 4], due_at__lte=now)
    if finished_too:
        on_time = Q(finished_at__lte=F("due_at"), supplement_count__lte=1)
        late |= Q(state__in=[9, 10]) & ~on_time
    return list(qs.filter(late).order_by("received_at", "pk").values_list("pk", flat=True))


def test_late_lists_paged_from_the_facts_are_exactly_the_late_dossiers_in_order(year, ioc_viewer):
    """The late lists count and cut their pages from the facts (CountedDossiers): every page, whatever its
    size, holds exactly the late dossiers of the dossier table at its place in the order by reception time,
    and the count is theirs; the API's pages are the same."""
    from allauth.mfa.models import Authenticator
    from django.test import Client

    year_p = period_of("year", dt.date(YEAR, 1, 1))
    checked = 0
    for scope in [scope_province(), scope_agency(year["agencies"][0]), scope_commune(year["communes"][1])]:
        for period in (year_p, period_of("month", dt.date(YEAR, 6, 1)), None):
            for metric, part, finished_too in (("2.1", "late", True), ("5.4", "late", True),
                                               ("late", "numerator", True), ("late_now", "numerator", False)):
                want = _late_independent(None if scope.agency_ids is None else list(scope.agency_ids), period, NOW,
                                         finished_too=finished_too)
                pages = selectors.dossiers_counted_pages(metric, scope, period, part=part, now=NOW)
                assert pages.count() == len(want), (scope.key, metric, period)
                assert list(pages.queryset.values_list("pk", flat=True)) == want
                for size in (1, 3, 7, 50):
                    got = []
                    for start in range(0, len(want) + size, size):  # one page past the end: empty
                        rows = pages.values("id", "code")[start:start + size]
                        assert len(rows) <= size
                        got += [r["id"] for r in rows]
                    assert got == want, (scope.key, metric, part, period, size)
                checked += len(want) > 3
    assert checked > 10  # lists long enough for the pages to cut inside a reception day
    # the API's pages
    Authenticator.objects.get_or_create(user=ioc_viewer, type=Authenticator.Type.TOTP,
                                        defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}})
    client = Client()
    client.force_login(ioc_viewer)
    agency = year["agencies"][0]
    want = list(selectors.dossiers_counted("2.1", scope_agency(agency), year_p, part="late")
                .values_list("code", flat=True))
    assert len(want) > 8
    got = []
    for page in range(1, len(want) // 4 + 2):
        r = client.get("/api/v1/scoring/dossiers", {"metric": "2.1", "part": "late", "scope": f"agency:{agency.code}",
                                                     "period": str(YEAR), "page": page, "page_size": 4})
        assert r.status_code == 200
        body = r.json()
        assert body["count"] == len(want)
        got += [i["code"] for i in body["items"]]
    assert got == want


def test_lists_of_one_counter_paged_by_reception_day_equal_the_queryset(year):
    """The lists of one fact counter (received, online, 766 3.3 …, 2.1 / 5.4 denominator, 5.4 bad) count their
    dossiers from the daily rows and cut their pages by reception day: every page is the queryset's slice, the
    count the queryset's (which the test above checks against the indicators), for every scope and period."""
    lists = [(m, "numerator") for m in selectors.FACT_METRICS] + [("2.2", "denominator"), ("3.6", "denominator"),
                                                                   ("2.1", "denominator"), ("5.4", "denominator"),
                                                                   ("5.4", "bad"), ("2.1", "numerator")]
    year_p = period_of("year", dt.date(YEAR, 1, 1))
    long_lists = 0
    for scope in [scope_province(), scope_agency(year["agencies"][1]), scope_commune(year["communes"][0])]:
        for period in (year_p, period_of("quarter", dt.date(YEAR, 4, 1))):
            for metric, part in lists:
                pages = selectors.dossiers_counted_pages(metric, scope, period, part=part, now=NOW)
                assert pages.paged_by_day == ((metric, part) != ("2.1", "numerator"))
                want = list(selectors.dossiers_counted(metric, scope, period, part=part, now=NOW)
                            .values_list("pk", flat=True))
                assert pages.count() == len(want), (scope.key, metric, part, period)
                for size in (5, 50):
                    got = []
                    for start in range(0, len(want) + size, size):
                        got += [r["id"] for r in pages.values("id")[start:start + size]]
                    assert got == want, (scope.key, metric, part, period, size)
                long_lists += len(want) > 5
    assert long_lists > 30

"""What the operations centre screens read.

The figures are scoring's (`tinhso.scoring.selectors`: rollups, plus the few "right now" counts read
through indexes on open items). This module adds what the screens need on top:

- `FIGURES`: every number of the overview, with the records it counts (`dossiers_counted` /
  `reports_counted` of scoring: metric, part, and whether it is of the period, of today or current);
- `overview(scope, period)`: the overview of the province, an agency or a commune;
- `breakdown(...)`: the same number split by commune, by agency or by official (the drill-down levels:
  province → commune or agency → official → dossiers). The rows of a split always add up to the number;
- `dossier_list(...)` / `report_list(...)`: the records themselves, with the official in charge;
- `commune_rows(period, sort)`: the commune table sorted server-side by any column;
- `map_points(period, indicator)`: the communes' points (see `geo.py`) with the chosen indicator;
- `monthly_report(period)`: the one-stop report per agency (exports.py renders it).

Adapters over scoring (to be replaced if scoring exposes them): `_commune_overview` calls scoring's
private `_overview` for a commune scope; `agency_sums` groups scoring's daily agency rows by agency.

"The official in charge" of a dossier (the official level of the drill-down) is the official assigned to
its processing step ("process"), or, when it has none yet, whoever holds the dossier now; dossiers with
neither are listed under "not assigned", so that the officials' rows add up to the agency's number.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import BigIntegerField, Count, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from tinhso.dossiers.models import Dossier, DossierStep
from tinhso.feedback.models import Report
from tinhso.places.models import Agency, Commune
from tinhso.scoring import selectors as scoring
from tinhso.scoring.periods import Period, Scope, period_of, scope_agency, scope_commune, today_local

from . import geo

NOW = "now"  # the period key of "current" figures (late now, paused now, reports open now)


@dataclass(frozen=True)
class Figure:
    """One number of the overview and the records behind it."""

    key: str                 # field of the overview dict
    label: str
    metric: str              # scoring metric of dossiers_counted / reports_counted
    when: str = "period"     # period | today | now
    kind: str = "dossier"    # dossier | report
    unit: str = "count"      # count | pct | hours | points
    numerator: str = ""      # for a rate: the overview fields of its numerator and denominator
    denominator: str = ""
    parts: tuple[str, str] = ("numerator", "denominator")
    hint: str = ""


FIGURES: tuple[Figure, ...] = (
    Figure("received_today", gettext_lazy("Tiếp nhận hôm nay"), "received", when="today"),
    Figure("received", gettext_lazy("Tiếp nhận trong kỳ"), "received"),
    Figure("online_rate", gettext_lazy("Tỷ lệ nộp trực tuyến"), "online", unit="pct", numerator="online",
           denominator="received", hint=gettext_lazy("hồ sơ trực tuyến / hồ sơ tiếp nhận")),
    Figure("on_time_rate", gettext_lazy("Tỷ lệ đúng hạn"), "2.1", unit="pct",
           hint=gettext_lazy("chỉ số 766 – 2.1: đã xong đúng hạn và đang trong hạn / hồ sơ tiếp nhận")),
    Figure("late_now", gettext_lazy("Đang quá hạn"), "late_now", when="now"),
    Figure("paused_now", gettext_lazy("Đang tạm dừng"), "paused_now", when="now",
           hint=gettext_lazy("chờ bổ sung giấy tờ hoặc nộp phí")),
    Figure("open_now", gettext_lazy("Đang giải quyết"), "open_now", when="now"),
    Figure("avg_processing_days", gettext_lazy("Thời gian giải quyết trung bình"), "2.2", unit="days",
           hint=gettext_lazy("ngày làm việc (8 giờ), không tính thời gian tạm dừng")),
    Figure("satisfaction_rate", gettext_lazy("Tỷ lệ hài lòng"), "rated_satisfied", unit="pct",
           numerator="rated_satisfied", denominator="rated", hint=gettext_lazy("đánh giá “Hài lòng” / lượt đánh giá")),
    Figure("reports_open", gettext_lazy("Phản ánh đang mở"), "reports_open", when="now", kind="report"),
    Figure("reports_late", gettext_lazy("Phản ánh quá hạn"), "reports_late", when="now", kind="report"),
    Figure("index766_total", gettext_lazy("Chỉ số 766"), "", unit="points",
           hint=gettext_lazy("điểm theo Quyết định 766/QĐ-TTg")),
)
FIGURES_BY_KEY = {f.key: f for f in FIGURES}

# The metrics a drill-down may be asked for (scoring's lists), with their labels.
DOSSIER_METRIC_LABELS = {
    "received": gettext_lazy("Hồ sơ tiếp nhận"),
    "online": gettext_lazy("Hồ sơ nộp trực tuyến"),
    "finished": gettext_lazy("Hồ sơ đã giải quyết xong"),
    "done_on_time": gettext_lazy("Hồ sơ giải quyết xong đúng hạn"),
    "done_late": gettext_lazy("Hồ sơ giải quyết xong quá hạn"),
    "cancelled": gettext_lazy("Hồ sơ rút hoặc dừng xử lý"),
    "rated": gettext_lazy("Hồ sơ được đánh giá"),
    "rated_satisfied": gettext_lazy("Hồ sơ được đánh giá hài lòng"),
    "rated_unsatisfied": gettext_lazy("Hồ sơ bị đánh giá không hài lòng"),
    "complained": gettext_lazy("Hồ sơ có phản ánh, kiến nghị"),
    "late": gettext_lazy("Hồ sơ trễ hạn trong kỳ"),
    "late_now": gettext_lazy("Hồ sơ đang quá hạn"),
    "paused_now": gettext_lazy("Hồ sơ đang tạm dừng"),
    "open_now": gettext_lazy("Hồ sơ đang giải quyết"),
    "2.1": gettext_lazy("Chỉ số 2.1 – hồ sơ đúng hạn"),
    "2.2": gettext_lazy("Hồ sơ đã xong có thời gian giải quyết"),
    "3.3": gettext_lazy("Chỉ số 3.3 – hồ sơ trực tuyến"),
    "3.6": gettext_lazy("Chỉ số 3.6 – thanh toán trực tuyến"),
    "4.1": gettext_lazy("Chỉ số 4.1 – kết quả điện tử"),
    "4.2": gettext_lazy("Chỉ số 4.2 – số hóa thành phần và kết quả"),
    "4.3": gettext_lazy("Chỉ số 4.3 – tái sử dụng dữ liệu số hóa"),
    "4.4": gettext_lazy("Chỉ số 4.4 – dữ liệu từ kho dữ liệu cá nhân"),
    "5.4": gettext_lazy("Chỉ số 5.4 – mức độ hài lòng"),
}
REPORT_METRIC_LABELS = {
    "reports_received": gettext_lazy("Phản ánh tiếp nhận"),
    "reports_open": gettext_lazy("Phản ánh đang mở"),
    "reports_late": gettext_lazy("Phản ánh quá hạn"),
    "5.2": gettext_lazy("Chỉ số 5.2 – phản ánh xử lý đúng hạn"),
    "5.3": gettext_lazy("Chỉ số 5.3 – phản ánh giải quyết thỏa đáng"),
}
PART_LABELS = {
    "numerator": gettext_lazy("tử số"),
    "denominator": gettext_lazy("mẫu số"),
    "late": gettext_lazy("trễ hạn"),
    "bad": gettext_lazy("có phản ánh hoặc không hài lòng"),
}
# The parts each metric accepts (scoring's dossiers_counted / reports_counted).
METRIC_PARTS = {"2.1": ("numerator", "denominator", "late"), "5.4": ("denominator", "late", "bad"),
                "5.2": ("numerator", "denominator"), "5.3": ("numerator", "denominator", "bad")}
# 766 indicators whose inputs are dossiers or reports that can be listed.
INDICATOR_LISTS = {"2.1", "2.2", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "5.4", "5.2", "5.3"}


def metric_kind(metric: str) -> str | None:
    if metric in DOSSIER_METRIC_LABELS:
        return "dossier"
    if metric in REPORT_METRIC_LABELS:
        return "report"
    return None


def metric_label(metric: str) -> str:
    return str(DOSSIER_METRIC_LABELS.get(metric) or REPORT_METRIC_LABELS.get(metric) or metric)


def parts_of(metric: str) -> tuple[str, ...]:
    if metric in METRIC_PARTS:
        return METRIC_PARTS[metric]
    if metric in scoring.FACT_METRICS and scoring.FACT_METRICS[metric][0] != scoring.FACT_METRICS[metric][1]:
        return ("numerator", "denominator")
    return ("numerator",)


# --- periods of a figure ------------------------------------------------------------------------------

def figure_period(fig: Figure, period: Period, now: datetime) -> Period | None:
    if fig.when == "now":
        return None
    if fig.when == "today":
        return period_of("day", today_local(now))
    return period


def period_key(period: Period | None) -> str:
    return period.key if period is not None else NOW


# --- overview -----------------------------------------------------------------------------------------

def _commune_overview(commune_scope: Scope, period: Period, now: datetime) -> dict:
    # Adapter: scoring exposes province_overview and agency_overview; a commune is the same computation
    # over the commune's agencies.
    return scoring._overview(commune_scope, period, now)


def overview(scope: Scope, period: Period, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    if scope.kind == "province":
        return scoring.province_overview(period, now=now)
    if scope.kind == "agency":
        return scoring.agency_overview(Agency.objects.get(code=scope.code), period, now=now)
    return _commune_overview(scope, period, now)


@dataclass
class DrillLink:
    """A link to the records behind (part of) a number: the web and API layers turn it into a URL."""

    metric: str
    part: str
    period: str   # period key, or NOW
    scope: str
    count: int | None
    label: str


def figure_links(fig: Figure, ov: dict, scope: Scope, period: Period, now: datetime) -> list[DrillLink]:
    """The lists a figure links to: the records it counts (for a rate, its numerator and denominator)."""
    if not fig.metric:
        return []
    p = period_key(figure_period(fig, period, now))
    if fig.unit == "pct" and fig.numerator:
        return [DrillLink(fig.metric, "numerator", p, scope.key, ov.get(fig.numerator), metric_label(fig.metric)),
                DrillLink(fig.metric, "denominator", p, scope.key, ov.get(fig.denominator),
                          metric_label(fig.denominator if fig.denominator in DOSSIER_METRIC_LABELS else fig.metric))]
    if fig.metric == "2.1":
        return [DrillLink("2.1", part, p, scope.key, None, str(PART_LABELS[part]))
                for part in ("numerator", "denominator", "late")]
    if fig.metric == "2.2":
        return [DrillLink("2.2", "numerator", p, scope.key, None, metric_label("2.2"))]
    return [DrillLink(fig.metric, "numerator", p, scope.key, ov.get(fig.key), metric_label(fig.metric))]


def figure_value(fig: Figure, ov: dict):
    return ov.get(fig.key)


# --- drill-down: split a number -----------------------------------------------------------------------

def in_charge_expression():
    """The official in charge of a dossier (see the module's docstring)."""
    process_assignee = (DossierStep.objects.filter(dossier=OuterRef("pk"), kind="process", assignee__isnull=False)
                        .order_by("order").values("assignee_id")[:1])
    return Coalesce(Subquery(process_assignee), F("assignee_id"), output_field=BigIntegerField())


def records(metric: str, part: str, scope: Scope, period: Period | None, *, now: datetime) -> QuerySet:
    kind = metric_kind(metric)
    if kind == "dossier":
        return scoring.dossiers_counted(metric, scope, period, part=part, now=now)
    if kind == "report":
        return scoring.reports_counted(metric, scope, period, part=part, now=now)
    raise ValueError(metric)


PROVINCE_LEVEL = "province-level"
NOBODY = "none"


def breakdown(metric: str, part: str, scope: Scope, period: Period | None, *, by: str,
              now: datetime | None = None) -> list[dict]:
    """The records of (metric, part, scope, period) counted per commune, agency or official.
    Rows: {"key", "name", "code", "count", "scope"} — `scope` is the scope key to drill into (commune or
    agency) and `official` the official's user id (or NOBODY) at the official level. Sorted by count."""
    now = now or timezone.now()
    qs = records(metric, part, scope, period, now=now).order_by()
    kind = metric_kind(metric)
    rows: list[dict] = []
    if by == "commune":
        field = "agency__commune_id" if kind == "dossier" else "commune_id"
        counts = dict(qs.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
        names = dict(Commune.objects.filter(pk__in=[c for c in counts if c]).values_list("pk", "name"))
        for code, n in counts.items():
            if code:
                rows.append({"key": code, "code": code, "name": names.get(code, code), "count": n,
                             "scope": f"commune:{code}"})
            else:
                rows.append({"key": PROVINCE_LEVEL, "code": "", "count": n, "scope": "",
                             "name": _("Cơ quan cấp tỉnh (không thuộc xã, phường)") if kind == "dossier"
                             else _("Chưa xác định xã, phường")})
    elif by == "agency":
        counts = dict(qs.values_list("agency_id").annotate(n=Count("pk")).values_list("agency_id", "n"))
        agencies = {a.pk: a for a in Agency.objects.filter(pk__in=[a for a in counts if a])}
        for aid, n in counts.items():
            a = agencies.get(aid)
            if a is None:
                rows.append({"key": NOBODY, "code": "", "name": _("Chưa chuyển đến cơ quan xử lý"), "count": n,
                             "scope": ""})
            else:
                rows.append({"key": a.code, "code": a.code, "name": a.name, "count": n, "scope": f"agency:{a.code}"})
    elif by == "official":
        if kind != "dossier":
            raise ValueError(by)
        from tinhso.people.models import User

        counts = dict(qs.annotate(in_charge=in_charge_expression()).values_list("in_charge")
                      .annotate(n=Count("pk")).values_list("in_charge", "n"))
        users = {u.pk: u for u in User.objects.filter(pk__in=[u for u in counts if u]).select_related("official")}
        for uid, n in counts.items():
            u = users.get(uid)
            if u is None:
                rows.append({"key": NOBODY, "code": "", "name": _("Chưa phân công cán bộ"), "count": n,
                             "official": NOBODY, "title": ""})
            else:
                official = getattr(u, "official", None)
                rows.append({"key": str(u.pk), "code": u.username, "name": u.full_name or u.username, "count": n,
                             "official": str(u.pk), "title": official.title if official else ""})
    else:
        raise ValueError(by)
    rows.sort(key=lambda r: (-r["count"], str(r["name"])))
    return rows


def dossier_list(metric: str, part: str, scope: Scope, period: Period | None, *, official: str = "",
                 now: datetime | None = None) -> QuerySet[Dossier]:
    """Exactly the dossiers a number counts, optionally those of one official in charge (`official` = a
    user id, or NOBODY for the unassigned). Ordered by reception time. Without `official`, a list that
    counts and cuts its pages by reception day (scoring.CountedDossiers: fast at 10,000,000 dossiers);
    read it with `count()` and slices, as a paginator does."""
    now = now or timezone.now()
    if not official:
        return scoring.dossiers_counted_pages(metric, scope, period, part=part, now=now).shaped(
            lambda qs: qs.annotate(in_charge=in_charge_expression()).select_related("agency"))
    qs = scoring.dossiers_counted(metric, scope, period, part=part, now=now)
    qs = qs.annotate(in_charge=in_charge_expression())
    if official == NOBODY:
        qs = qs.filter(in_charge__isnull=True)
    elif official:
        qs = qs.filter(in_charge=int(official))
    return qs.select_related("agency").order_by("received_at", "pk")


def report_list(metric: str, part: str, scope: Scope, period: Period | None, *,
                now: datetime | None = None) -> QuerySet[Report]:
    now = now or timezone.now()
    return (scoring.reports_counted(metric, scope, period, part=part, now=now)
            .select_related("category", "commune", "agency").order_by("created_at", "pk"))


def names_of_users(ids) -> dict[int, str]:
    from tinhso.people.models import User

    return {u.pk: (u.full_name or u.username) for u in User.objects.filter(pk__in=[i for i in ids if i])}


# --- commune table, map, series, index ---------------------------------------------------------------

COMMUNE_COLUMNS = (
    ("name", gettext_lazy("Xã, phường")),
    ("received", gettext_lazy("Tiếp nhận")),
    ("online_rate", gettext_lazy("Trực tuyến (%)")),
    ("on_time_rate", gettext_lazy("Đúng hạn (%)")),
    ("late_now", gettext_lazy("Đang quá hạn")),
    ("paused_now", gettext_lazy("Tạm dừng")),
    ("open_now", gettext_lazy("Đang giải quyết")),
    ("avg_processing_hours", gettext_lazy("Thời gian TB (giờ)")),
    ("satisfaction_rate", gettext_lazy("Hài lòng (%)")),
    ("reports_open", gettext_lazy("Phản ánh mở")),
    ("reports_late", gettext_lazy("Phản ánh quá hạn")),
    ("index766_total", gettext_lazy("Điểm 766")),
    ("rank", gettext_lazy("Hạng")),
)
COMMUNE_SORT_KEYS = {k for k, _l in COMMUNE_COLUMNS}
# Columns whose number links to the records it counts: column -> (metric, when).
COMMUNE_LINKS = {"received": ("received", "period"), "late_now": ("late_now", "now"),
                 "paused_now": ("paused_now", "now"), "open_now": ("open_now", "now"),
                 "reports_open": ("reports_open", "now"), "reports_late": ("reports_late", "now")}
# Indicators a map may be coloured by: key -> (label, higher is better).
MAP_INDICATORS = {
    "late_now": (gettext_lazy("Hồ sơ đang quá hạn"), False),
    "on_time_rate": (gettext_lazy("Tỷ lệ đúng hạn (%)"), True),
    "online_rate": (gettext_lazy("Tỷ lệ nộp trực tuyến (%)"), True),
    "received": (gettext_lazy("Hồ sơ tiếp nhận"), True),
    "satisfaction_rate": (gettext_lazy("Tỷ lệ hài lòng (%)"), True),
    "reports_open": (gettext_lazy("Phản ánh đang mở"), False),
    "index766_total": (gettext_lazy("Điểm chỉ số 766"), True),
}


def commune_rows(period: Period, *, sort: str = "name", descending: bool = False,
                 now: datetime | None = None) -> list[dict]:
    """Scoring's commune table, sorted by `sort` (any column; empty values last whatever the direction)."""
    rows = scoring.commune_table(period, now=now or timezone.now())
    if sort not in COMMUNE_SORT_KEYS:
        sort = "name"
    from tinhso.places.text import search_key

    def key(r):
        v = r.get(sort)
        if sort == "name":
            return search_key(v or "")
        return v

    present = [r for r in rows if r.get(sort) is not None]
    missing = [r for r in rows if r.get(sort) is None]
    present.sort(key=key, reverse=descending)
    missing.sort(key=lambda r: search_key(r["name"]))
    return present + missing


def map_points(period: Period, indicator: str, *, now: datetime | None = None) -> dict:
    """The communes of the province as points (approximate centres, see geo.py) with the value of
    `indicator` and its class (0–4, 4 = worst) for colouring; communes without a known point are listed
    apart (never placed)."""
    if indicator not in MAP_INDICATORS:
        indicator = "late_now"
    now = now or timezone.now()
    if indicator == "late_now":
        # The wall screen's map: one grouped query over the late dossiers, not the whole commune table.
        late = {r["key"]: r["count"] for r in breakdown("late_now", "numerator", scoring.scope_province(), None,
                                                         by="commune", now=now)}
        communes = (Commune.objects.filter(agencies__active=True, province_id=settings.PROVINCE_CODE).distinct()
                    .values_list("code", "name"))
        rows = {code: {"code": code, "name": name, "late_now": late.get(code, 0)} for code, name in communes}
    else:
        rows = {r["code"]: r for r in scoring.commune_table(period, now=now)}
    points = geo.commune_points()
    label, higher_better = MAP_INDICATORS[indicator]
    values = sorted(float(r[indicator]) for r in rows.values() if r.get(indicator) is not None)
    breaks = _quantile_breaks(values)
    placed, unplaced = [], []
    for code, r in sorted(rows.items()):
        v = r.get(indicator)
        klass = None if v is None else _class_of(float(v), breaks, higher_better)
        item = {"code": code, "name": r["name"], "value": v, "klass": klass}
        p = points.get(code)
        if p is None:
            unplaced.append(item)
        else:
            placed.append({**item, "lat": p.lat, "lon": p.lon, "area_km2": p.area_km2})
    return {"indicator": indicator, "label": label, "higher_better": higher_better, "breaks": breaks,
            "points": placed, "unplaced": unplaced, "source": geo.SOURCE}


def _quantile_breaks(values: list[float]) -> list[float]:
    """Four upper bounds splitting the values into five classes of about equal size."""
    if not values:
        return []
    n = len(values)
    return sorted({values[min(n - 1, int(n * q))] for q in (0.2, 0.4, 0.6, 0.8)})


def _class_of(v: float, breaks: list[float], higher_better: bool) -> int:
    """0 (best) … 4 (worst)."""
    k = sum(1 for b in breaks if v > b)
    k = round(k * 4 / max(len(breaks), 1)) if breaks else 0
    return 4 - k if higher_better else k


GRANULARITIES = ("day", "week", "month")


def series_range(granularity: str, period: Period) -> tuple[date, date]:
    """The days a time series shows for a period: the period's days (at most 62) per day, the 13 weeks
    ending with the period per week, the 12 months ending with it per month."""
    last = period.last_day
    if granularity == "day":
        start = max(period.start, last - timedelta(days=61)) if period.kind != "day" else last - timedelta(days=29)
        return start, last
    if granularity == "week":
        end_week = last - timedelta(days=last.weekday())
        return end_week - timedelta(weeks=12), last
    first = date(last.year, last.month, 1)
    index = first.year * 12 + first.month - 1 - 11
    return date(index // 12, index % 12 + 1, 1), last


def series(scope: Scope, granularity: str, period: Period) -> list[dict]:
    if granularity not in GRANULARITIES:
        granularity = "day"
    start, end = series_range(granularity, period)
    return scoring.timeseries(scope, granularity, start=start, end=end)


def index766(scope: Scope, period: Period, *, now: datetime | None = None) -> dict:
    return scoring.index766(scope, period, now=now or timezone.now())


# --- the monthly one-stop report ----------------------------------------------------------------------

REPORT_COLUMNS = (
    ("received", gettext_lazy("Tiếp nhận")),
    ("online", gettext_lazy("Trong đó trực tuyến")),
    ("finished", gettext_lazy("Đã giải quyết")),
    ("done_on_time", gettext_lazy("Đúng hạn")),
    ("done_late", gettext_lazy("Quá hạn")),
    ("open", gettext_lazy("Đang giải quyết")),
    ("open_late", gettext_lazy("Trong đó quá hạn")),
    ("paused", gettext_lazy("Tạm dừng")),
    ("cancelled", gettext_lazy("Rút, dừng xử lý")),
    ("on_time_rate", gettext_lazy("Tỷ lệ đúng hạn (%)")),
    ("online_rate", gettext_lazy("Tỷ lệ trực tuyến (%)")),
)
SUMMED = ("received", "online", "finished", "done_on_time", "done_late", "open", "open_late", "paused",
          "cancelled")


def agency_sums(period: Period) -> dict[int, dict]:
    """Adapter: the dossier counters of the period per agency, from scoring's daily agency rows."""
    from tinhso.scoring.models import DossierDailyAgency

    names = ("received", "online", "finished", "done_on_time", "done_late", "open", "paused", "cancelled")
    qs = DossierDailyAgency.objects.filter(day__gte=period.start, day__lt=period.end)
    return {r["agency_id"]: {n: r[n] or 0 for n in names}
            for r in qs.values("agency_id").annotate(**{n: Sum(n) for n in names}).order_by()}


def _pct(num: int, den: int) -> Decimal | None:
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01")) if den else None


def monthly_report(period: Period, *, now: datetime | None = None) -> dict:
    """The one-stop report of a period: per agency that received dossiers in it, the dossiers received
    (online), finished (on time, late), still open (late now), paused, withdrawn or stopped; totals.
    "Late now" counts the open dossiers received in the period that are late at `now`."""
    now = now or timezone.now()
    sums = agency_sums(period)
    province = scoring.scope_province()
    late = dict(scoring.dossiers_counted("late_now", province, period, now=now).order_by()
                .values_list("agency_id").annotate(n=Count("pk")).values_list("agency_id", "n"))
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=list(sums)).select_related("commune")}
    rows = []
    for aid, s in sums.items():
        a = agencies.get(aid)
        if a is None or not s["received"]:
            continue
        row = {"code": a.code, "name": a.name, "level": "commune" if a.commune_id else "province", **s,
               "open_late": late.get(aid, 0)}
        row["on_time_rate"] = _pct(row["done_on_time"], row["finished"])
        row["online_rate"] = _pct(row["online"], row["received"])
        rows.append(row)
    rows.sort(key=lambda r: (r["level"] != "province", r["name"]))
    total = {k: sum(r[k] for r in rows) for k in SUMMED}
    total["on_time_rate"] = _pct(total["done_on_time"], total["finished"])
    total["online_rate"] = _pct(total["online"], total["received"])
    return {"period": period, "rows": rows, "total": total, "now": now,
            "columns": [(k, str(label)) for k, label in REPORT_COLUMNS]}


def scope_of_agency_code(code: str) -> Scope:
    return scope_agency(Agency.objects.get(code=code))


def scope_of_commune_code(code: str) -> Scope:
    return scope_commune(Commune.objects.get(pk=code))


__all__ = ["FIGURES", "overview", "breakdown", "dossier_list", "report_list", "commune_rows", "map_points",
           "series", "index766", "monthly_report"]

"""Scoring API (/api/v1/scoring/): index 766, the operations-centre figures, rankings, officials'
evaluation, and the records behind every number. Read-only.

Who sees what (tinhso.scoring.access): the province administrator and IOC viewers (`ioc_viewer`) see
everything; a leader or agency administrator sees their agency (and its commune), the rankings and their
officials' evaluation; any official sees their own evaluation. Not signed in: 401; a citizen or an
official without those roles: 403; an agency, commune or official you may not see: 403 / 404.
Periods: `2026`, `2026-Q1`, `2026-03`, `2026-03-05` (empty: this month). Scopes: `province`,
`agency:<agency code>`, `commune:<commune code>`. Rates are percentages with 2 decimals.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from tinhso.api.pagination import BoundedPageNumberPagination
from tinhso.places.models import Agency
from tinhso.scoring import access, selectors
from tinhso.scoring.periods import period_parse, scope_parse

router = Router(tags=["scoring"], auth=django_auth)


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- schemas ------------------------------------------------------------------------------------------

class IndicatorOut(Schema):
    code: str
    name: str
    group: int
    max_points: float | None
    threshold: float | None
    unit: str
    numerator: int | None
    denominator: int | None
    inputs: dict
    value: float | None
    points: float | None
    available: bool
    note: str


class GroupOut(Schema):
    name: str
    max: int
    points: float


class Index766Out(Schema):
    scope: str
    scope_name: str
    period: str
    period_label: str
    indicators: list[IndicatorOut]
    total: float
    max_points: float
    groups: dict[int, GroupOut]


class OverviewOut(Schema):
    scope: str
    scope_name: str
    period: str
    period_label: str
    now: datetime
    received_today: int
    received: int
    online: int
    online_rate: float | None
    on_time_rate: float | None
    finished: int
    done_on_time: int
    done_late: int
    open_now: int
    late_now: int
    paused_now: int
    avg_processing_hours: float | None
    avg_processing_days: float | None
    rated: int
    rated_satisfied: int
    rated_acceptable: int
    rated_unsatisfied: int
    satisfaction_rate: float | None
    reports_received: int
    reports_open: int
    reports_late: int
    reports_satisfaction_rate: float | None
    index766_total: float
    index766_max: float


class ProcedureRowOut(Schema):
    procedure_id: int
    code: str
    name: str
    received: int
    online: int
    done_on_time: int
    done_late: int
    open: int
    cancelled: int
    avg_processing_hours: float | None


class AgencyOut(Schema):
    id: int
    code: str
    name: str


class IndicatorsOut(Schema):
    indicators: list[IndicatorOut]
    total: float
    max_points: float
    groups: dict[int, GroupOut]


class AgencyOverviewOut(OverviewOut):
    agency: AgencyOut
    procedures: list[ProcedureRowOut]
    index766: IndicatorsOut


class CommuneRowOut(Schema):
    code: str
    name: str
    received: int
    online: int
    online_rate: float | None
    on_time_rate: float | None
    late_now: int
    paused_now: int
    open_now: int
    avg_processing_hours: float | None
    satisfaction_rate: float | None
    reports_open: int
    reports_late: int
    index766_total: float
    index766_max: float
    rank: int


class RankingRowOut(Schema):
    code: str
    name: str
    rank: int
    total: float
    max_points: float
    previous_rank: int
    previous_total: float
    rank_change: int
    points_change: float
    received: int


class SeriesRowOut(Schema):
    start: date
    received: int
    online: int
    finished: int
    done_on_time: int
    done_late: int
    open: int
    cancelled: int
    reports_received: int
    reports_answered_on_time: int
    reports_answered_late: int
    reports_open: int
    online_rate: float | None
    on_time_rate: float | None


class EvaluationOut(Schema):
    user_id: int
    username: str
    name: str
    title: str
    agency: AgencyOut | None
    period: str
    period_label: str
    dossiers_handled: int
    dossiers_received: int
    steps: int
    steps_early: int
    steps_on_time: int
    steps_late: int
    steps_on_time_rate: float | None
    supplement_requests: int
    refusals: int
    approvals: int
    returns: int
    apologies: int
    rated: int
    rated_satisfied: int
    rated_acceptable: int
    rated_unsatisfied: int
    satisfaction_rate: float | None
    complaints: int
    reports_answered: int
    reports_answered_on_time: int
    reports_on_time_rate: float | None


class CountedDossierOut(Schema):
    id: int
    code: str | None
    procedure_code: str
    procedure_name: str
    agency_id: int
    channel: int
    state: int
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    supplement_count: int


class CountedReportOut(Schema):
    public_id: str
    category_id: int
    commune_id: str | None
    agency_id: int | None
    state: str
    created_at: datetime
    due_at: datetime | None
    answered_at: datetime | None


# --- handlers -----------------------------------------------------------------------------------------

def _scope(request, text: str):
    scope = scope_parse(text)
    access.require_scope(request.user, scope)
    return scope


@router.get("/overview", response={200: OverviewOut, **ERRORS}, summary="Toàn tỉnh: số liệu tổng quan")
def overview(request, period: str = ""):
    """Received today and in the period, online rate, on-time rate (766 2.1), late now, paused now, open
    now, average processing time (766 2.2), satisfaction, reports open and late, index 766 total."""
    access.require_province(request.user)
    return selectors.province_overview(period_parse(period))


@router.get("/agencies/{code}/overview", response={200: AgencyOverviewOut, **ERRORS},
            summary="Một cơ quan: số liệu tổng quan, thủ tục, chỉ số 766")
def agency_overview(request, code: str, period: str = ""):
    agency = get_object_or_404(Agency, code=code)
    access.require_agency(request.user, agency)
    return selectors.agency_overview(agency, period_parse(period))


@router.get("/agencies/{code}/officials", response={200: list[EvaluationOut], **ERRORS},
            summary="Đánh giá cán bộ của một cơ quan")
def agency_officials(request, code: str, period: str = ""):
    agency = get_object_or_404(Agency, code=code)
    access.require_agency(request.user, agency)
    return selectors.officials_table(agency, period_parse(period, default="year"))


@router.get("/communes", response={200: list[CommuneRowOut], **ERRORS}, summary="Bảng so sánh các xã, phường")
def communes(request, period: str = ""):
    access.require_province(request.user)
    return selectors.commune_table(period_parse(period))


@router.get("/index766", response={200: Index766Out, **ERRORS}, summary="Chỉ số 766 của một phạm vi")
def index766(request, scope: str = "province", period: str = ""):
    """Every indicator with its value, points, numerator, denominator and inputs; N/A (value null) with a
    note when tinhso does not hold the inputs or the denominator is 0."""
    return selectors.index766(_scope(request, scope), period_parse(period))


@router.get("/timeseries", response={200: list[SeriesRowOut], **ERRORS}, summary="Chuỗi thời gian")
def timeseries(request, scope: str = "province", granularity: str = "day", start: date | None = None,
               end: date | None = None):
    """Per day, week or month, by reception day; default: the last 30 days."""
    s = _scope(request, scope)
    if granularity not in ("day", "week", "month"):
        raise ValidationError({"granularity": [_("Hãy chọn day (ngày), week (tuần) hoặc month (tháng).")]})
    from tinhso.scoring.periods import today_local

    end = end or today_local()
    start = start or end - timedelta(days=29)
    if start > end:
        raise ValidationError({"start": [_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.")]})
    if (end - start).days > 3 * 366:
        raise ValidationError({"start": [_("Chỉ xem được tối đa 3 năm một lần: hãy thu hẹp khoảng thời gian.")]})
    return selectors.timeseries(s, granularity, start=start, end=end)


@router.get("/rankings/{kind}", response={200: list[RankingRowOut], **ERRORS}, summary="Xếp hạng theo chỉ số 766")
def rankings(request, kind: str, period: str = ""):
    """`kind`: `agencies` or `communes`. With the rank and points of the previous period and the change."""
    access.require_rankings(request.user)
    if kind not in ("agencies", "communes"):
        raise ValidationError({"kind": [_("Hãy chọn agencies (cơ quan) hoặc communes (xã, phường).")]})
    return selectors.ranking(kind, period_parse(period))


@router.get("/officials/{user_id}/evaluation", response={200: EvaluationOut, **ERRORS},
            summary="Đánh giá một cán bộ")
def official_evaluation(request, user_id: int, period: str = ""):
    """Default period: this year. The sheet as PDF / Excel: /diem-so/can-bo/<user_id>/phieu.pdf|.xlsx."""
    target = access.official_for_viewer(request.user, user_id)
    return selectors.official_evaluation(target, period_parse(period, default="year"))


def _metric_check(metric: str, allowed, part: str):
    if metric not in allowed:
        raise ValidationError({"metric": [_("Số liệu “%(m)s” không có; hãy chọn một trong: %(all)s.")
                                          % {"m": metric[:30], "all": ", ".join(allowed)}]})
    if part not in ("numerator", "denominator", "late", "bad"):
        raise ValidationError({"part": [_("Hãy chọn numerator, denominator, late hoặc bad.")]})


@router.get("/dossiers", response={200: list[CountedDossierOut], **ERRORS}, summary="Hồ sơ sau một con số")
@paginate(BoundedPageNumberPagination, page_size=50)
def counted_dossiers(request, metric: str, scope: str = "province", period: str = "", part: str = "numerator"):
    """Exactly the dossiers a number counts (`metric`: received, online, late_now, paused_now, 2.1, 3.3 …).
    For late_now / paused_now / open_now an empty period means every dossier open now."""
    s = _scope(request, scope)
    _metric_check(metric, selectors.DOSSIER_METRICS, part)
    p = None if (metric in ("late_now", "paused_now", "open_now") and not period) else period_parse(period)
    try:
        # the late lists count and cut their page from the facts (selectors.CountedDossiers)
        return selectors.dossiers_counted_pages(metric, s, p, part=part).values(
            "id", "code", "procedure_code", "procedure_name", "agency_id", "channel", "state", "received_at",
            "due_at", "finished_at", "supplement_count")
    except ValueError:
        raise ValidationError({"part": [_("Số liệu này không có phần “%(p)s”.") % {"p": part}]}) from None


@router.get("/reports", response={200: list[CountedReportOut], **ERRORS}, summary="Phản ánh sau một con số")
@paginate(BoundedPageNumberPagination, page_size=50)
def counted_reports(request, metric: str, scope: str = "province", period: str = "", part: str = "numerator"):
    """Exactly the reports a number counts (`metric`: reports_received, reports_open, reports_late, 5.2, 5.3).
    Never who reported."""
    s = _scope(request, scope)
    _metric_check(metric, selectors.REPORT_METRICS, part)
    p = None if (metric in ("reports_open", "reports_late") and not period) else period_parse(period)
    try:
        return selectors.reports_counted(metric, s, p, part=part).values(
            "public_id", "category_id", "commune_id", "agency_id", "state", "created_at", "due_at", "answered_at")
    except ValueError:
        raise ValidationError({"part": [_("Số liệu này không có phần “%(p)s”.") % {"p": part}]}) from None


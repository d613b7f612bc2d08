"""Operations centre API (/api/v1/ioc/): the reads the IOC screens use (the live refresh polls
`overview`), for the province administrator and IOC viewers (any scope) and leaders (their agency).

Parameters: `scope` = `province` (default for province viewers) | `agency:<code>` | `commune:<code>`;
`period` = `2026` | `2026-Q1` | `2026-03` (default: this month) | `2026-03-05`, or `now` for the current
figures of drill-downs. Errors: 401 not signed in, 403 not allowed, 400 bad parameter, 404 unknown
agency or commune, all `{"detail": "..."}` in Vietnamese.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import django_auth

from tinhso.ioc import access, selectors
from tinhso.ioc.formatting import vn_int
from tinhso.scoring.periods import period_parse
from tinhso.web.ioc import links
from tinhso.web.ioc.views import figure_cards

router = Router(tags=["ioc"], auth=django_auth)
VN_FMT = "%H:%M %d/%m/%Y"


class ErrorOut(Schema):
    detail: str


class LinkOut(Schema):
    label: str
    count: str
    url: str


class CardOut(Schema):
    key: str
    label: str
    text: str
    unit: str
    sub: str
    hint: str
    url: str
    tone: str
    links: list[LinkOut]


class OverviewOut(Schema):
    scope: str
    scope_name: str
    period: str
    period_label: str
    at: datetime
    at_text: str
    figures: dict[str, Any]
    cards: list[CardOut]


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _period(text: str, *, allow_now: bool = False):
    if allow_now and text.strip() == selectors.NOW:
        return None
    return period_parse(text)


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@router.get("/overview", response={200: OverviewOut, **ERRORS}, url_name="ioc_overview",
            summary="Tổng quan trung tâm điều hành (số liệu và nơi mỗi số dẫn tới)")
def overview(request, scope: str = "", period: str = ""):
    """Every figure of the overview (raw in `figures`, as displayed in `cards`), and the page each leads to."""
    sc = access.scope_for(request.user, scope)
    p = _period(period)
    now = timezone.now()
    ov = selectors.overview(sc, p, now=now)
    figures = {k: v for k, v in ov.items() if k not in ("procedures", "index766", "agency", "now")}
    return {"scope": sc.key, "scope_name": sc.name, "period": p.key, "period_label": str(p.label), "at": now,
            "at_text": timezone.localtime(now).strftime(VN_FMT), "figures": _plain(figures),
            "cards": figure_cards(ov, sc, p, now)}


@router.get("/communes", response={200: list[dict[str, Any]], **ERRORS}, summary="Bảng xã, phường (sắp xếp được)")
def communes(request, period: str = "", sort: str = "name", descending: bool = False):
    access.require_province(request.user)
    rows = selectors.commune_rows(_period(period), sort=sort, descending=descending)
    return [_plain(r) for r in rows]


@router.get("/series", response={200: list[dict[str, Any]], **ERRORS}, summary="Diễn biến theo ngày, tuần, tháng")
def series(request, scope: str = "", period: str = "", granularity: str = "day"):
    if granularity not in selectors.GRANULARITIES:
        raise ValidationError({"granularity": [_("Hãy chọn day, week hoặc month.")]})
    return [_plain(r) for r in selectors.series(access.scope_for(request.user, scope), granularity, _period(period))]


@router.get("/index766", response={200: dict[str, Any], **ERRORS}, summary="Chỉ số 766 của một phạm vi và kỳ")
def index766(request, scope: str = "", period: str = ""):
    return _plain(selectors.index766(access.scope_for(request.user, scope), _period(period)))


def _metric(metric: str, part: str) -> tuple[str, str]:
    if selectors.metric_kind(metric) is None:
        raise ValidationError({"metric": [_("Chỉ tiêu “%(m)s” không có.") % {"m": metric[:30]}]})
    part = part or "numerator"
    if part not in selectors.parts_of(metric):
        raise ValidationError({"part": [_("Phần “%(p)s” không có ở chỉ tiêu này.") % {"p": part[:20]}]})
    return metric, part


@router.get("/breakdown", response={200: dict[str, Any], **ERRORS},
            summary="Một số liệu chia theo xã, cơ quan hoặc cán bộ")
def breakdown(request, metric: str, part: str = "numerator", scope: str = "", period: str = "",
              by: str = "commune"):
    """`by`: `commune` or `agency` (province scope), `official` (agency or commune scope, dossiers only)."""
    metric, part = _metric(metric, part)
    sc = access.scope_for(request.user, scope)
    p = _period(period, allow_now=True)
    if by not in ("commune", "agency", "official") or (by == "official") == (sc.kind == "province") \
            or (by == "official" and selectors.metric_kind(metric) != "dossier"):
        raise ValidationError({"by": [_("Toàn tỉnh chia theo commune hoặc agency; một cơ quan, xã chia theo official "
                                        "(chỉ với hồ sơ).")]})
    rows = selectors.breakdown(metric, part, sc, p, by=by)
    pkey = selectors.period_key(p)
    for r in rows:
        r["list_url"] = links.list_url(metric, part, pkey, r["scope"] if by != "official" else sc.key,
                                       official=r.get("official", "")) if (by == "official" or r["scope"]) else ""
    return {"metric": metric, "part": part, "scope": sc.key, "period": pkey, "by": by,
            "total": sum(r["count"] for r in rows), "rows": rows}


@router.get("/dossiers", response={200: dict[str, Any], **ERRORS}, summary="Đúng các hồ sơ được đếm trong một số liệu")
def dossiers(request, metric: str, part: str = "numerator", scope: str = "", period: str = "", official: str = "",
             page: int = 1, page_size: int = 50):
    metric, part = _metric(metric, part)
    if selectors.metric_kind(metric) != "dossier":
        raise ValidationError({"metric": [_("Chỉ tiêu này không phải là hồ sơ.")]})
    if official and official != selectors.NOBODY and not official.isdigit():
        raise ValidationError({"official": [_("Mã cán bộ phải là một số.")]})
    sc = access.scope_for(request.user, scope)
    p = _period(period, allow_now=True)
    page_size = max(1, min(page_size, 200))
    page = max(1, page)
    qs = selectors.dossier_list(metric, part, sc, p, official=official)
    total = qs.count()
    items = list(qs[(page - 1) * page_size: page * page_size])
    names = selectors.names_of_users({d.in_charge for d in items})
    return {"metric": metric, "part": part, "scope": sc.key, "period": selectors.period_key(p), "total": total,
            "total_text": vn_int(total), "page": page, "page_size": page_size,
            "items": [{"id": d.pk, "code": d.code, "procedure_code": d.procedure_code, "procedure_name": d.procedure_name,
                       "agency_code": d.agency.code, "state": d.state, "state_label": str(d.state_label),
                       "received_at": _plain(d.received_at), "due_at": _plain(d.due_at),
                       "finished_at": _plain(d.finished_at), "in_charge": names.get(d.in_charge, "")} for d in items]}


@router.get("/map", response={200: dict[str, Any], **ERRORS},
            summary="Xã, phường (điểm trung tâm xấp xỉ) và giá trị chỉ tiêu để tô màu")
def commune_map(request, period: str = "", indicator: str = "late_now"):
    access.require_province(request.user)
    return _plain(selectors.map_points(_period(period), indicator))

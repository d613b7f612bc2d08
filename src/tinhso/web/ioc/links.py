"""URLs of the IOC pages, built in one place (pages, the live-refresh API and the exports share them)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from tinhso.ioc import selectors


def _url(name: str, params: dict) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(name) + ("?" + urlencode(clean) if clean else "")


def overview_url(scope: str = "", period: str = "") -> str:
    return _url("web:ioc_overview", {"pham_vi": "" if scope == "province" else scope, "ky": period})


def breakdown_url(metric: str, part: str, period: str, scope: str, by: str = "") -> str:
    return _url("web:ioc_breakdown", {"chi_so": metric, "phan": "" if part == "numerator" else part, "ky": period,
                                      "pham_vi": "" if scope == "province" else scope, "theo": by})


def list_url(metric: str, part: str, period: str, scope: str, official: str = "") -> str:
    name = "web:ioc_reports" if selectors.metric_kind(metric) == "report" else "web:ioc_dossiers"
    return _url(name, {"chi_so": metric, "phan": "" if part == "numerator" else part, "ky": period,
                       "pham_vi": "" if scope == "province" else scope, "can_bo": official})


def drill_url(link: selectors.DrillLink) -> str:
    """Where a number leads: the split by commune (province) or by official (agency, commune) for dossiers;
    the split by commune, then the list, for reports."""
    if link.scope != "province" and selectors.metric_kind(link.metric) == "report":
        return list_url(link.metric, link.part, link.period, link.scope)
    return breakdown_url(link.metric, link.part, link.period, link.scope)

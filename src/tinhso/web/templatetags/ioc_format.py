"""Filters of the IOC pages: Vietnamese number formats (tinhso.ioc.formatting) and local times."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from django import template

from tinhso.ioc import formatting

register = template.Library()
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@register.filter
def vn_int(value):
    return formatting.vn_int(value)


@register.filter
def vn_dec(value):
    return formatting.vn_dec(value)


@register.filter
def vn_pct(value):
    return formatting.vn_pct(value)


@register.filter
def vn_dt(value):
    """HH:MM dd/mm/yyyy in Asia/Ho_Chi_Minh; empty for None."""
    return value.astimezone(VN).strftime("%H:%M %d/%m/%Y") if value else ""


@register.filter
def ioc_allowed(user) -> bool:
    """Whether the user may open the operations centre (for links to it); no query for anonymous users."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != "official":
        return False
    from django.core.exceptions import PermissionDenied

    from tinhso.ioc.access import require_ioc

    try:
        require_ioc(user)
    except PermissionDenied:
        return False
    return True

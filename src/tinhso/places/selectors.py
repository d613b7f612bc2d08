"""Reads of the places domain. Public data (the administrative map, the agency list) needs no scope."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .address import converter_convert
from .models import Agency, Commune, Province
from .text import search_key


@dataclass(frozen=True)
class AddressMatch:
    """One 2025 commune an old address may now belong to."""

    commune_code: str
    commune_name: str
    province_code: str
    province_name: str
    street: str
    old_text: str


def installation_province() -> Province:
    """The province this installation serves (settings.PROVINCE_CODE)."""
    return Province.objects.get(code=settings.PROVINCE_CODE)


def province_get(*, code: str) -> Province:
    try:
        return Province.objects.get(code=code)
    except Province.DoesNotExist:
        raise Http404(_("Không có tỉnh, thành phố nào mang mã “%(code)s”.") % {"code": code}) from None


def provinces_all() -> QuerySet[Province]:
    return Province.objects.order_by("code")


def communes_of_province(*, code: str) -> QuerySet[Commune]:
    province = province_get(code=code)
    return Commune.objects.filter(province=province).order_by("code")


def communes_of_installation(*, query: str = "", type: str = "") -> QuerySet[Commune]:
    """The installation's communes, optionally filtered by a diacritics-insensitive search and a type."""
    qs = Commune.objects.filter(province_id=settings.PROVINCE_CODE).order_by("code")
    key = search_key(query)
    if key:
        qs = qs.filter(search_key__contains=key)
    if type:
        qs = qs.filter(type=type)
    return qs


def agencies_of_installation(*, include_inactive: bool = True) -> QuerySet[Agency]:
    qs = Agency.objects.filter(province_id=settings.PROVINCE_CODE).select_related("parent", "commune").order_by("code")
    if not include_inactive:
        qs = qs.filter(active=True)
    return qs


def agency_get(*, code: str) -> Agency:
    try:
        return agencies_of_installation().get(code=code)
    except Agency.DoesNotExist:
        raise Http404(_("Không có cơ quan nào mang mã định danh “%(code)s”.") % {"code": code}) from None


@dataclass
class AgencyNode:
    agency: Agency
    children: list["AgencyNode"]


def agency_tree(*, include_inactive: bool = True) -> list[AgencyNode]:
    """The installation's agencies as a forest (roots first, children by code)."""
    agencies = list(agencies_of_installation(include_inactive=include_inactive))
    nodes = {a.pk: AgencyNode(a, []) for a in agencies}
    roots: list[AgencyNode] = []
    for a in agencies:
        node = nodes[a.pk]
        if a.parent_id in nodes:
            nodes[a.parent_id].children.append(node)
        else:
            roots.append(node)
    return roots


def _province_key(name: str) -> str:
    key = search_key(name)
    for prefix in ("thanh pho ", "tinh "):
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def old_address_to_commune(*, text: str) -> list[AddressMatch]:
    """Convert an old three-level address (before 1/7/2025) to the 2025 commune(s) it now belongs to.

    Several matches when the old commune was split; an empty list when the text cannot be converted.
    The converter's own codes are not ours: its results are joined to Commune by name within the province.
    """
    text = (text or "").strip()
    if not text or len(text) > 500:
        return []
    result = converter_convert(text)
    conversion = result.get("conversion") or {}
    if conversion.get("status") in (None, "not_found", "invalid_input"):
        return []
    pairs = []
    res = conversion.get("result") or {}
    if res.get("new_ward") and res.get("new_province"):
        pairs.append((res["new_province"], res["new_ward"]))
    else:
        for cand in conversion.get("candidates") or []:
            if cand.get("new_ward") and cand.get("new_province"):
                pairs.append((cand["new_province"], cand["new_ward"]))
    if not pairs:
        return []
    provinces = {_province_key(p.name): p for p in Province.objects.all()}
    street = (result.get("street_address") or "").strip()
    matches: list[AddressMatch] = []
    seen: set[str] = set()
    for new_province, new_ward in pairs:
        province = provinces.get(_province_key(new_province.get("name_with_type") or new_province.get("name") or ""))
        if province is None:
            continue
        ward_key = search_key(new_ward.get("name_with_type") or "")
        commune = Commune.objects.filter(province=province, search_key=ward_key).first()
        if commune is None or commune.code in seen:
            continue
        seen.add(commune.code)
        matches.append(
            AddressMatch(
                commune_code=commune.code,
                commune_name=commune.name,
                province_code=province.code,
                province_name=province.name,
                street=street,
                old_text=text,
            )
        )
    return matches

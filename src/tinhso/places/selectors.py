"""Reads of the places domain. Public data (the administrative map, the agency list) needs no scope."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.events.prebuilt import Rows

from .address import old_address_targets, same_spelling
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


_COMMUNE_NAME = Rows(Commune, fields=("name",), where="{code} = %s")

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


def commune_name(*, code: str) -> str:
    """A commune's name by its code ("" when unknown): one row, the statement built once (asked on every
    submission, for the applicant's address)."""
    found = _COMMUNE_NAME.values(code)
    return found[0]["name"] if found else ""


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

    Several matches when the old commune was split, or when the text fits several old communes equally
    well (e.g. "Hương Sơn, Thái Nguyên": a phường of Thành phố Thái Nguyên and a thị trấn of Phú Bình): the
    citizen chooses. An empty list when the text cannot be converted.
    The converter's own codes are not ours: its results are joined to Commune by name within the province.
    """
    text = (text or "").strip()
    if not text or len(text) > 500:
        return []
    street, pairs = old_address_targets(text)
    if not pairs:
        return []
    provinces = {_province_key(p.name): p for p in Province.objects.all()}
    matches: list[AddressMatch] = []
    seen: set[str] = set()
    for new_province, new_ward in pairs:
        province = provinces.get(_province_key(new_province.get("name_with_type") or new_province.get("name") or ""))
        if province is None:
            continue
        ward_name = new_ward.get("name_with_type") or ""
        # search_key drops diacritics, and a province may hold two such communes (Xã Văn Lang and Xã Văn
        # Lăng in Thái Nguyên): the one spelt the same, or every one of them if none is.
        communes = list(Commune.objects.filter(province=province, search_key=search_key(ward_name)).order_by("code"))
        for commune in [c for c in communes if same_spelling(c.name, ward_name)] or communes:
            if commune.code in seen:
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

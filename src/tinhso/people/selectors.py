"""Reads of the people domain, scoped by who asks."""
from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from tinhso.places.models import Agency, Commune

from .access import agency_ids_visible_to, can_manage_officials_of, is_province_admin, official_of
from .models import Official


def officials_visible_to(*, viewer) -> QuerySet[Official]:
    return (
        Official.objects.filter(agency_id__in=agency_ids_visible_to(viewer))
        .select_related("user", "agency")
        .prefetch_related("roles")
        .order_by("agency__name", "user__full_name")
    )


def agencies_manageable_by(*, user) -> QuerySet[Agency]:
    if is_province_admin(user):
        return Agency.objects.filter(active=True).order_by("name")
    official = official_of(user)
    if official is not None and can_manage_officials_of(user, official.agency):
        return Agency.objects.filter(pk=official.agency_id)
    return Agency.objects.none()


def address_candidates(*, text: str) -> list:
    """2025 communes an OLD three-level address (before 1/7/2025) may have become, best first.

    Delegates to `tinhso.places.selectors.old_address_to_commune(text=...)` (AddressMatch: commune_code,
    commune_name, province_code, province_name, street, old_text)."""
    text = " ".join((text or "").split())
    if len(text) < 3:
        return []
    from tinhso.places import selectors as places_selectors

    return list(places_selectors.old_address_to_commune(text=text))


def communes_of_installation() -> QuerySet[Commune]:
    return Commune.objects.filter(province_id=settings.PROVINCE_CODE).order_by("name")


# --- Identity checks against the national population database ----------------------------------------
from dataclasses import dataclass  # noqa: E402
import datetime as _dt  # noqa: E402


@dataclass(frozen=True)
class IdentityStatus:
    status: str  # "unchecked" | "verified" | "mismatch" | "unavailable"
    label: str  # Vietnamese, for pages
    verified: bool
    checked_at: _dt.datetime | None
    verified_at: _dt.datetime | None
    source: str  # "registry" or ""
    permanent_address: dict  # as the registry returned it (commune_code, commune_name, street, ...)


def identity_status(user) -> IdentityStatus:
    """Where this account stands with the population registry (see services.citizen_identity_check)."""
    from django.utils.translation import gettext as _

    labels = {
        "unchecked": _("Chưa kiểm tra với Cơ sở dữ liệu quốc gia về dân cư"),
        "verified": _("Đã xác thực với Cơ sở dữ liệu quốc gia về dân cư"),
        "mismatch": _("Thông tin không khớp với Cơ sở dữ liệu quốc gia về dân cư: hãy kiểm tra họ tên, ngày "
                      "sinh và số CCCD"),
        "unavailable": _("Chưa xác thực: Cơ sở dữ liệu quốc gia về dân cư chưa phản hồi, sẽ kiểm tra lại sau"),
    }
    status = getattr(user, "identity_status", "") or "unchecked"
    return IdentityStatus(
        status=status, label=labels.get(status, labels["unchecked"]), verified=status == "verified",
        checked_at=user.identity_checked_at, verified_at=user.identity_verified_at,
        source=user.identity_source, permanent_address=dict(user.registered_address or {}),
    )

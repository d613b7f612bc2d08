"""Who may read a citizen's stored papers.

- The citizen: their own store, always.
- An official: only within a dossier of that citizen that the official's agency handles (the dossier's
  agency, or the agency of one of its workflow steps), and only the papers of that dossier's applicant or
  the papers reused in that dossier. Province administrators and IOC viewers have no exception.
Every official read, allowed or refused, is written to `DataAccessLog` by `services` (never here).
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.dossiers.models import Dossier

from .models import StoredDocument


def agency_id_of(user) -> int | None:
    if getattr(user, "kind", "") != "official":
        return None
    official = getattr(user, "official", None)
    return official.agency_id if official else None


def official_handles(user, dossier: Dossier) -> bool:
    agency_id = agency_id_of(user)
    if agency_id is None:
        return False
    return dossier.agency_id == agency_id or dossier.steps.filter(agency_id=agency_id).exists()


def official_read_refusal(user, dossier: Dossier | None, document: StoredDocument | None) -> str:
    """Why this official may not read this (dossier, document); "" when allowed."""
    if getattr(user, "kind", "") != "official":
        return _("Chỉ cán bộ xử lý hồ sơ mới xem được kho dữ liệu của công dân.")
    if dossier is None or not official_handles(user, dossier):
        return _("Cơ quan của bạn không giải quyết hồ sơ nào của công dân này có liên quan; "
                 "không được mở kho dữ liệu của công dân.")
    if dossier.applicant_id is None:
        return _("Hồ sơ này không gắn với tài khoản công dân nào.")
    if document is None:
        return ""
    reused_here = dossier.components.filter(reused_from=document).exists()
    owned = document.owner_id == dossier.applicant_id and document.removed_at is None
    if not (reused_here or owned):
        return _("Giấy tờ này không thuộc người nộp hồ sơ và không được dùng trong hồ sơ này.")
    return ""

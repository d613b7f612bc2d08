"""Shared helpers of the officials' workspace: who may enter, how service errors become messages,
how dates typed dd/mm/yyyy are read, and the words and colours of a dossier's timeliness."""
from __future__ import annotations

from datetime import date, datetime
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _, gettext_lazy

from tinhso.dossiers.states import TransitionNotAllowed

TIMELINESS = {
    "on_time": (gettext_lazy("Trong hạn"), "ws-badge-ok"),
    "due_soon": (gettext_lazy("Sắp đến hạn"), "ws-badge-soon"),
    "late": (gettext_lazy("Quá hạn"), "ws-badge-late"),
    "paused": (gettext_lazy("Tạm dừng"), "ws-badge-paused"),
    "done_on_time": (gettext_lazy("Xong đúng hạn"), "ws-badge-ok"),
    "done_late": (gettext_lazy("Xong quá hạn"), "ws-badge-late"),
    "none": (gettext_lazy("Chưa tính hạn"), "ws-badge-none"),
}


def timeliness_badge(kind: str) -> dict:
    label, css = TIMELINESS.get(kind, TIMELINESS["none"])
    return {"kind": kind, "label": label, "css": css}


def official_required(view):
    """Signed-in officials only: anonymous users go to sign in, anyone else gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(user, "kind", "") != "official" or not user.is_active:
            raise PermissionDenied(_("Trang này dành cho cán bộ, công chức."))
        return view(request, *args, **kwargs)

    return wrapper


def error_messages(exc: Exception) -> list[str]:
    """The Vietnamese messages of a service error (ValidationError, PermissionDenied, TransitionNotAllowed)."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [m for msgs in exc.message_dict.values() for m in msgs]
        return list(exc.messages)
    text = str(exc)
    return [text or _("Bạn không có quyền thực hiện thao tác này.")]


def add_errors(request, exc: Exception) -> None:
    for m in error_messages(exc):
        messages.error(request, m)


SERVICE_ERRORS = (ValidationError, PermissionDenied, TransitionNotAllowed)

_TZ = ZoneInfo(settings.TIME_ZONE)


def parse_date(value: str | None) -> date | None:
    """A date typed dd/mm/yyyy (or yyyy-mm-dd from a date picker); None when empty or invalid."""
    value = (value or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def parse_datetime_vn(value: str | None) -> datetime | None:
    """A date and time typed dd/mm/yyyy HH:MM, in Asia/Ho_Chi_Minh; None when invalid."""
    value = " ".join((value or "").split())
    for fmt in ("%d/%m/%Y %H:%M", "%H:%M %d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=_TZ)
        except ValueError:
            continue
    return None

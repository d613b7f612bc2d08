"""PDF rendering mechanics shared by the dossier documents (documents.py): WeasyPrint, A4, DejaVu Sans.

Nothing is fetched from outside: the only resources a document may use are `data:` URIs (the QR codes
made by `payments.qr_svg`); any other URL is refused by the URL fetcher.
"""
from __future__ import annotations

import base64
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .payments import qr_svg

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def url_fetcher():
    """A WeasyPrint fetcher that only reads `data:` URIs: any other URL is refused, nothing goes out."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), timeout=1)


def render(template: str, context: dict, *, landscape: bool = False) -> bytes:
    """Render `dossiers/pdf/<template>` to PDF bytes (in Vietnamese, the language of the forms)."""
    from weasyprint import CSS, HTML

    with translation.override("vi"):
        html = render_to_string(f"dossiers/pdf/{template}", {**context, "landscape": landscape})
        css = render_to_string("dossiers/pdf/document.css", {"landscape": landscape})
    fetcher = url_fetcher()
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=fetcher)])


def local(at: datetime | None) -> datetime | None:
    return at.astimezone(VN) if at else None


def hour_date(at: datetime | None) -> str:
    """`09 giờ 32 phút, ngày 27/10/2023` in Asia/Ho_Chi_Minh; empty when there is no time."""
    if not at:
        return ""
    at = local(at)
    return _("%(h)s giờ %(m)s phút, ngày %(d)s") % {"h": f"{at.hour:02d}", "m": f"{at.minute:02d}",
                                                   "d": at.strftime("%d/%m/%Y")}


def day(at: datetime | None) -> str:
    return local(at).strftime("%d/%m/%Y") if at else ""


def province_name(agency) -> str:
    name = agency.province.name
    for prefix in ("Tỉnh ", "Thành phố "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def place_date(agency, at: datetime) -> str:
    """`Thái Nguyên, ngày 27 tháng 10 năm 2023` (the province of the agency, local date)."""
    at = local(at)
    return _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s") % {
        "place": province_name(agency), "d": f"{at.day:02d}", "m": f"{at.month:02d}", "y": at.year}


def number_words(n: int) -> str:
    """Vietnamese words of 0..999 (time limits, counts): 5 -> "năm", 15 -> "mười lăm", 21 -> "hai mươi mốt"."""
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        head = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
        if unit == 0:
            return head
        if unit == 5:
            return f"{head} lăm"
        if unit == 1 and tens > 1:
            return f"{head} mốt"
        if unit == 4 and tens > 1:
            return f"{head} tư"
        return f"{head} {_DIGITS[unit]}"
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = f"{_DIGITS[hundreds]} trăm"
        if rest == 0:
            return head
        if rest < 10:
            return f"{head} linh {_DIGITS[rest]}"
        return f"{head} {number_words(rest)}"
    return str(n)


def time_limit_words(kind: str, amount: int) -> str:
    """`05 (năm) ngày làm việc`, `Trong ngày làm việc`: the statutory time as the receipt states it."""
    if kind == "same_day":
        return _("Trong ngày làm việc")
    unit = {"working_days": _("ngày làm việc"), "working_hours": _("giờ làm việc"),
            "calendar_days": _("ngày")}.get(kind, kind)
    return f"{amount:02d} ({number_words(amount)}) {unit}"


def tracking_url(dossier) -> str:
    base = getattr(settings, "PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/tra-cuu/{dossier.code}/"


def qr_data_uri(data: str) -> str:
    svg = qr_svg(data).encode("utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def person_name(user) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "username", "")) if user else ""


def person_title(user) -> str:
    official = getattr(user, "official", None) if user else None
    return official.title if official else ""

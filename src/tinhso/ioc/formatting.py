"""Numbers the Vietnamese way: `1.234.567` (dot for thousands), `85,25` (comma for decimals), `85,25%`.
Used by the pages, the live-refresh API and the PDF report, so the three show the same text."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def vn_int(value) -> str:
    if value is None or value == "":
        return "–"
    return f"{int(value):,}".replace(",", ".")


def vn_dec(value, places: int = 2) -> str:
    if value is None or value == "":
        return "–"
    d = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    whole, _dot, frac = f"{abs(d):f}".partition(".")
    text = vn_int(int(whole))
    if places and frac and int(frac):
        text += "," + frac.rstrip("0") if places > 0 else ""
    return sign + text


def vn_pct(value) -> str:
    return "–" if value is None else vn_dec(value) + "%"


def display(value, unit: str) -> str:
    """The text of a figure: count, percentage, days, hours or points."""
    if unit == "count":
        return vn_int(value)
    if unit == "pct":
        return vn_pct(value)
    return vn_dec(value)

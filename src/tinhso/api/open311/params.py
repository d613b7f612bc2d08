"""Reading Open311 query and form parameters: W3C dates, comma lists, coordinates, attributes."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

MAX_SPAN = dt.timedelta(days=90)  # the specification: a date range may not span more than 90 days
W3_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


class Open311Error(Exception):
    """An error answered in the specification's error format."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = [str(d) for d in descriptions]


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def w3_datetime(value: dt.datetime | None) -> str | None:
    """A datetime in the specification's ISO 8601 subset, in Asia/Ho_Chi_Minh: 2026-05-04T08:15:30+07:00."""
    if value is None:
        return None
    return value.astimezone(local_tz()).isoformat(timespec="seconds")


def parse_w3(name: str, raw: str | None) -> dt.datetime | None:
    """A W3C date or datetime; without an offset it is read in Asia/Ho_Chi_Minh. 400 when malformed."""
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    # An unencoded "+07:00" in a query string arrives as " 07:00".
    text = re.sub(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:\d{2})$", r"\1+\2", text)
    if not W3_DATE.match(text):
        raise Open311Error(400, _("%(name)s không đúng định dạng W3C (ví dụ 2026-05-04T08:15:30+07:00).") % {"name": name})
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, _("%(name)s không phải là một ngày giờ có thật.") % {"name": name}) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_tz())
    return value


def date_range(start_raw: str | None, end_raw: str | None, *, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The [start, end] window of a search: the last 90 days by default, at most 90 days long."""
    start = parse_w3("start_date", start_raw)
    end = parse_w3("end_date", end_raw)
    if start is None and end is None:
        return now - MAX_SPAN, now
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, _("end_date phải sau start_date."))
    if end - start > MAX_SPAN:
        raise Open311Error(400, _("Khoảng từ start_date đến end_date không được dài quá 90 ngày."))
    return start, end


def comma_list(raw: str | None) -> list[str]:
    if not raw:
        return []
    return [part.strip() for part in raw.split(",") if part.strip()]


def coordinate(name: str, raw: str | None) -> Decimal | None:
    """A latitude or longitude in decimal degrees (WGS84), kept to 6 decimals. 400 when not a number."""
    if raw is None or raw.strip() == "":
        return None
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise Open311Error(400, _("%(name)s phải là một số (độ thập phân, WGS84).") % {"name": name}) from None
    if not value.is_finite():
        raise Open311Error(400, _("%(name)s phải là một số (độ thập phân, WGS84).") % {"name": name})
    limit = 90 if name == "lat" else 180
    if abs(value) > limit:
        raise Open311Error(400, _("%(name)s nằm ngoài khoảng ±%(limit)s độ.") % {"name": name, "limit": limit})
    return value.quantize(Decimal("0.000001"))


def attributes(data) -> dict[str, str | list[str]]:
    """`attribute[code]=value` and, for multi-value lists, `attribute[code][]=v1&attribute[code][]=v2`."""
    out: dict[str, str | list[str]] = {}
    for key in data.keys():
        m = ATTRIBUTE.match(key)
        if not m:
            continue
        code, many = m.group(1), bool(m.group(2))
        values = data.getlist(key)
        if many:
            existing = out.get(code)
            out[code] = (existing if isinstance(existing, list) else []) + values
        else:
            out[code] = values[-1]
    return out

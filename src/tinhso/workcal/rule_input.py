"""Parsing a due-time question (from the command line or the API) into a TimeLimit, with Vietnamese
messages that name the field."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .due import TimeLimit

RULE_FIELDS = ("working_days", "working_hours", "same_day", "calendar_days")
MAX_AMOUNT = 3650


def parse_received(value, field: str = "received") -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = (value or "").strip()
        if not text:
            raise ValidationError({field: [_("Hãy nhập thời điểm tiếp nhận (trường “%(f)s”), ví dụ 2026-02-13T10:00+07:00.") % {"f": field}]})
        try:
            parsed = dt.datetime.fromisoformat(text.replace(" ", "+", 1) if text.count(" ") == 1 and "T" in text else text)
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError({field: [_("Thời điểm “%(v)s” không hợp lệ (trường “%(f)s”): hãy viết theo ISO 8601, ví dụ 2026-02-13T10:00+07:00.") % {"v": text[:40], "f": field}]})
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValidationError({field: [_("Thời điểm ở trường “%(f)s” phải có múi giờ, ví dụ 2026-02-13T10:00+07:00.") % {"f": field}]})
    return parsed


def _amount(field: str, value) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    else:
        text = str(value).strip()
        if not text.lstrip("-").isdigit():
            raise ValidationError({field: [_("Trường “%(f)s” phải là một số nguyên không âm.") % {"f": field}]})
        n = int(text)
    if n < 0:
        raise ValidationError({field: [_("Trường “%(f)s” không được là số âm.") % {"f": field}]})
    if n > MAX_AMOUNT:
        raise ValidationError({field: [_("Trường “%(f)s” không được lớn hơn %(m)d.") % {"f": field, "m": MAX_AMOUNT}]})
    return n


def _true(field: str, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "co", "có"):
        return True
    if text in ("false", "0", "no", "khong", "không"):
        return False
    raise ValidationError({field: [_("Trường “%(f)s” chỉ nhận true hoặc false.") % {"f": field}]})


def time_limit_from(options: dict) -> TimeLimit:
    """`options` maps working_days/working_hours/same_day/calendar_days to given values (None = not given).
    Exactly one rule must be given."""
    given = [f for f in RULE_FIELDS if options.get(f) not in (None, "", False)]
    if options.get("same_day") not in (None, "", False) and not _true("same_day", options["same_day"]):
        given.remove("same_day")
    if not given:
        raise ValidationError({"rule": [_("Hãy chọn đúng một thời hạn: working_days, working_hours, same_day hoặc calendar_days.")]})
    if len(given) > 1:
        raise ValidationError({given[1]: [_("Chỉ được chọn một thời hạn, nhưng đã có %(l)s.") % {"l": ", ".join(given)}]})
    kind = given[0]
    if kind == "same_day":
        return TimeLimit("same_day", 0)
    return TimeLimit(kind, _amount(kind, options[kind]))

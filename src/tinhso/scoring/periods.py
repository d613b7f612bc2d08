"""Periods (day, month, quarter, year) and scopes (province, agency, commune) of the figures.

A period is a half-open range of local days [start, end) in Asia/Ho_Chi_Minh, written as its key:
`2026` (year), `2026-Q1` (quarter), `2026-03` (month), `2026-03-05` (day). A scope is written
`province`, `agency:<agency code>` or `commune:<commune code>`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
KINDS = ("day", "month", "quarter", "year")


def today_local(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(VN).date()


def _month_start(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str   # day | month | quarter | year
    start: date  # first day
    end: date    # the day after the last day

    @property
    def key(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("Năm %(y)s") % {"y": self.start.year}
        if self.kind == "quarter":
            return _("Quý %(q)s/%(y)s") % {"q": ROMAN[(self.start.month - 1) // 3 + 1], "y": self.start.year}
        if self.kind == "month":
            return _("Tháng %(m)s/%(y)s") % {"m": f"{self.start.month:02d}", "y": self.start.year}
        return _("Ngày %(d)s") % {"d": self.start.strftime("%d/%m/%Y")}

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        if self.kind == "day":
            return Period("day", self.start - timedelta(days=1), self.start)
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return Period(self.kind, _month_start(self.start, -months), self.start)

    def bounds(self) -> tuple[datetime, datetime]:
        """The aware instants [start, end) of the period in Asia/Ho_Chi_Minh."""
        return (datetime.combine(self.start, time(0), tzinfo=VN), datetime.combine(self.end, time(0), tzinfo=VN))

    def contains(self, d: date) -> bool:
        return self.start <= d < self.end

    def __str__(self) -> str:
        return self.key


def period_of(kind: str, d: date) -> Period:
    """The period of `kind` that contains day `d`."""
    if kind == "day":
        return Period("day", d, d + timedelta(days=1))
    if kind == "month":
        start = date(d.year, d.month, 1)
        return Period("month", start, _month_start(start, 1))
    if kind == "quarter":
        start = date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
        return Period("quarter", start, _month_start(start, 3))
    if kind == "year":
        return Period("year", date(d.year, 1, 1), date(d.year + 1, 1, 1))
    raise ValueError(kind)


_FORMS = [
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
]


def period_parse(text: str | None, *, now: datetime | None = None, default: str = "month") -> Period:
    """`2026`, `2026-Q1`, `2026-03` or `2026-03-05`; empty = the current period of kind `default`.
    Raises ValidationError (field `period`) with a Vietnamese message saying what to write."""
    text = (text or "").strip()
    if not text:
        return period_of(default, today_local(now))
    for pattern, kind in _FORMS:
        m = pattern.match(text)
        if not m:
            continue
        try:
            year = int(m.group(1))
            if kind == "year":
                d = date(year, 1, 1)
            elif kind == "quarter":
                d = date(year, (int(m.group(2)) - 1) * 3 + 1, 1)
            elif kind == "month":
                d = date(year, int(m.group(2)), 1)
            else:
                d = date(year, int(m.group(2)), int(m.group(3)))
        except ValueError:
            break
        if not 2000 <= year <= 2100:
            break
        return period_of(kind, d)
    raise ValidationError({"period": [
        _("Kỳ “%(text)s” không hợp lệ: hãy ghi năm (2026), quý (2026-Q1), tháng (2026-03) hoặc ngày (2026-03-05).")
        % {"text": text[:40]}]})


@dataclass(frozen=True)
class Scope:
    kind: str              # province | agency | commune
    code: str = ""         # agency code or commune code
    name: str = ""
    agency_ids: tuple[int, ...] | None = None  # None: every agency of the province

    @property
    def key(self) -> str:
        return "province" if self.kind == "province" else f"{self.kind}:{self.code}"

    def __str__(self) -> str:
        return self.key


def scope_province() -> Scope:
    from tinhso.places.selectors import installation_province

    province = installation_province()
    return Scope("province", province.code if province else "", province.name if province else "", None)


def scope_agency(agency) -> Scope:
    return Scope("agency", agency.code, agency.name, (agency.pk,))


def scope_commune(commune) -> Scope:
    from tinhso.places.models import Agency

    ids = tuple(Agency.objects.filter(commune_id=commune.pk).order_by("pk").values_list("pk", flat=True))
    return Scope("commune", commune.pk, commune.name, ids)


def scope_parse(text: str | None) -> Scope:
    """`province` (or empty), `agency:<code>`, `commune:<code>`. Unknown agency or commune → Http404;
    a malformed text → ValidationError (field `scope`)."""
    from django.conf import settings

    from tinhso.places.models import Agency, Commune

    text = (text or "").strip()
    if text in ("", "province"):
        return scope_province()
    kind, _sep, code = text.partition(":")
    code = code.strip()
    if kind == "agency" and code:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise Http404(_("Không tìm thấy cơ quan có mã %(code)s.") % {"code": code[:20]})
        return scope_agency(agency)
    if kind == "commune" and code:
        commune = Commune.objects.filter(pk=code, province_id=settings.PROVINCE_CODE).first()
        if commune is None:
            raise Http404(_("Không tìm thấy xã, phường có mã %(code)s trong tỉnh.") % {"code": code[:20]})
        return scope_commune(commune)
    raise ValidationError({"scope": [
        _("Phạm vi “%(text)s” không hợp lệ: hãy ghi province, agency:<mã cơ quan> hoặc commune:<mã xã>.")
        % {"text": text[:40]}]})

"""/api/v1/calendar/: due times and the days of a month (public, read-only)."""
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema

from tinhso.api.errors import ErrorOut
from tinhso.workcal import selectors
from tinhso.workcal.rule_input import parse_received, time_limit_from

router = Router(tags=["Lịch làm việc"])

DUE_PARAMS = ("received", "working_days", "working_hours", "same_day", "calendar_days")
DAYS_PARAMS = ("year", "month")


class DueOut(Schema):
    received_at: str
    counting_from: str
    due_at: str


class DayOut(Schema):
    date: dt.date
    is_working_day: bool
    reason: str
    basis: str



def _refuse_unknown(request, allowed: tuple[str, ...]) -> None:
    unknown = [k for k in request.GET if k not in allowed]
    if unknown:
        raise ValidationError({unknown[0]: [_("Tham số “%(p)s” không được hỗ trợ; chỉ dùng: %(a)s.")
                                            % {"p": unknown[0][:40], "a": ", ".join(allowed)}]})
    repeated = [k for k in request.GET if len(request.GET.getlist(k)) > 1]
    if repeated:
        raise ValidationError({repeated[0]: [_("Tham số “%(p)s” chỉ được gửi một lần.") % {"p": repeated[0]}]})


@router.get("/due", response={200: DueOut, 400: ErrorOut}, summary="Tính thời hạn giải quyết")
def due(request, received: str | None = None, working_days: str | None = None, working_hours: str | None = None,
        same_day: str | None = None, calendar_days: str | None = None):
    """Thời hạn tính từ thời điểm tiếp nhận `received` (ISO 8601 có múi giờ) theo đúng một quy tắc:
    `working_days`, `working_hours`, `same_day=true` hoặc `calendar_days`. Thời gian trả về theo giờ +07:00."""
    _refuse_unknown(request, DUE_PARAMS)
    received_at = parse_received(received, "received")
    rule = time_limit_from({"working_days": working_days, "working_hours": working_hours,
                            "same_day": same_day, "calendar_days": calendar_days})
    return selectors.due_at(received_at=received_at, rule=rule).as_json()


def _int_param(value: str | None, field: str, lo: int, hi: int) -> int:
    text = (value or "").strip()
    if not text.isdigit() or not lo <= int(text) <= hi:
        raise ValidationError({field: [_("Trường “%(f)s” phải là số nguyên từ %(lo)d đến %(hi)d.") % {"f": field, "lo": lo, "hi": hi}]})
    return int(text)


@router.get("/days", response={200: list[DayOut], 400: ErrorOut}, summary="Các ngày trong một tháng")
def days(request, year: str | None = None, month: str | None = None):
    """Mỗi ngày của tháng: có phải ngày làm việc không, và lý do (ngày lễ, ngày làm bù, cuối tuần)."""
    _refuse_unknown(request, DAYS_PARAMS)
    y = _int_param(year, "year", 1970, 2100)
    m = _int_param(month, "month", 1, 12)
    return [{"date": d.date, "is_working_day": d.working, "reason": d.reason, "basis": d.basis}
            for d in selectors.month_days(year=y, month=m)]

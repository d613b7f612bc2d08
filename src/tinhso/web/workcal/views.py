"""Pages of the working calendar: the public month view, and the province administrator's pages."""
import calendar as pycal
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from tinhso.workcal import access, selectors, services
from tinhso.workcal.models import CalendarEntry

from .forms import CalendarEntryForm, WorkingHoursForm

WEEKDAYS = [(_("T2"), _("Thứ Hai")), (_("T3"), _("Thứ Ba")), (_("T4"), _("Thứ Tư")), (_("T5"), _("Thứ Năm")),
            (_("T6"), _("Thứ Sáu")), (_("T7"), _("Thứ Bảy")), (_("CN"), _("Chủ nhật"))]


def _int(value, lo, hi, default):
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if lo <= n <= hi else default


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            for m in msgs:
                form.add_error(field if field in form.fields else None, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)


@require_safe
def calendar_month(request):
    today = timezone.localdate()
    year = _int(request.GET.get("nam"), 1970, 2100, today.year)
    month = _int(request.GET.get("thang"), 1, 12, today.month)
    days = selectors.month_days(year=year, month=month)
    lead = [None] * days[0].date.weekday()
    cells = []
    for d in days:
        cells.append({
            "info": d, "weekday": WEEKDAYS[d.date.weekday()][1],
            "css": ("makeup" if d.working and d.date.weekday() >= 5 else
                    "off" if not d.working and d.basis != "weekend" else
                    "weekend" if d.basis == "weekend" else ""),
            "tag": (_("Làm bù") if d.working and d.date.weekday() >= 5 else
                    _("Nghỉ") if not d.working and d.basis != "weekend" else ""),
            "is_today": d.date == today,
        })
    first = dt.date(year, month, 1)
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = first + dt.timedelta(days=pycal.monthrange(year, month)[1])
    special = [c for c in cells if c["tag"]]
    return render(request, "workcal/month.html", {
        "year": year, "month": month, "lead": lead, "cells": cells, "special": special,
        "weekdays": WEEKDAYS, "prev": prev, "next": nxt, "hours": selectors.working_hours(),
        "can_admin": access.can_administer_calendar(request.user),
    })


@require_safe
def calendar_admin(request):
    access.require_calendar_admin(request.user)
    year = _int(request.GET.get("nam"), 1970, 2100, timezone.localdate().year)
    return render(request, "workcal/admin_list.html", {
        "year": year, "entries": selectors.calendar_entries(year=year), "hours": selectors.working_hours(),
        "prev_year": year - 1, "next_year": year + 1,
    })


@require_http_methods(["GET", "POST"])
def calendar_entry_create(request):
    access.require_calendar_admin(request.user)
    form = CalendarEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.calendar_entry_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm ngày %(d)s vào lịch.") % {"d": entry.date.strftime("%d/%m/%Y")})
            return redirect(_admin_url(entry.date.year))
    return render(request, "workcal/entry_form.html", {"form": form, "entry": None})


@require_http_methods(["GET", "POST"])
def calendar_entry_edit(request, pk: int):
    access.require_calendar_admin(request.user)
    entry = get_object_or_404(CalendarEntry, pk=pk)
    initial = {"date": entry.date, "kind": entry.kind, "name": entry.name, "source": entry.source}
    form = CalendarEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.calendar_entry_update(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu ngày %(d)s.") % {"d": entry.date.strftime("%d/%m/%Y")})
            return redirect(_admin_url(entry.date.year))
    return render(request, "workcal/entry_form.html", {"form": form, "entry": entry})


def _admin_url(year: int) -> str:
    return f"{reverse('web:calendar_admin')}?nam={year}"


@require_http_methods(["GET", "POST"])
def calendar_entry_delete(request, pk: int):
    access.require_calendar_admin(request.user)
    entry = get_object_or_404(CalendarEntry, pk=pk)
    if request.method == "POST":
        year, label = entry.date.year, entry.date.strftime("%d/%m/%Y")
        services.calendar_entry_delete(actor=request.user, entry=entry)
        messages.success(request, _("Đã xoá ngày %(d)s khỏi lịch.") % {"d": label})
        return redirect(_admin_url(year))
    return render(request, "workcal/entry_delete.html", {"entry": entry})


@require_http_methods(["GET", "POST"])
def working_hours_edit(request):
    access.require_calendar_admin(request.user)
    hours = selectors.working_hours()
    initial = {f: getattr(hours, f) for f in WorkingHoursForm.base_fields}
    form = WorkingHoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.working_hours_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu giờ làm việc."))
            return redirect("web:calendar_admin")
    return render(request, "workcal/hours_form.html", {"form": form})

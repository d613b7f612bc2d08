"""The only write path of the working calendar. Every function runs in one transaction, records a
domain event in it, and makes every process rebuild its cached calendar.

`actor=None` means the system itself (a data migration, the command line); any other actor must be a
province administrator (see access.py)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.events.services import event_record

from . import access
from .entries_file import EntryData, load_yaml, parse_entries
from .models import DEFAULT_HOURS, CalendarEntry, WorkingHours
from .selectors import calendar_cache_clear


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _check_actor(actor) -> None:
    if actor is not None:
        access.require_calendar_admin(actor)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _calendar_changed() -> None:
    """Bump the revision every process watches, and forget this process's cached calendar."""
    hours = WorkingHours.objects.select_for_update().filter(singleton=1).first()
    if hours is None:
        WorkingHours.objects.create(**DEFAULT_HOURS)
    else:
        WorkingHours.objects.filter(pk=hours.pk).update(revision=uuid.uuid4())
    calendar_cache_clear()
    transaction.on_commit(calendar_cache_clear)


def _entry_snapshot(entry: CalendarEntry) -> dict:
    return {"date": entry.date.isoformat(), "kind": entry.kind, "name": entry.name, "source": entry.source}


def _save_entry(entry: CalendarEntry) -> None:
    try:
        entry.full_clean()
    except ValidationError as exc:
        if "date" in exc.message_dict and CalendarEntry.objects.filter(date=entry.date).exclude(pk=entry.pk).exists():
            raise ValidationError({"date": [_("Ngày %(d)s đã có trong lịch; hãy sửa mục đã có thay vì thêm mới.")
                                            % {"d": entry.date.strftime("%d/%m/%Y")}]}) from None
        raise
    entry.save()


def calendar_entry_create(*, actor, date: dt.date, kind: str, name: str, source: str) -> CalendarEntry:
    """Declare a day off or a working day (it overrides the statutory holidays)."""
    _check_actor(actor)
    with transaction.atomic():
        entry = CalendarEntry(date=date, kind=kind, name=(name or "").strip(), source=(source or "").strip(),
                              created_by=_user(actor), updated_by=_user(actor))
        _save_entry(entry)
        event_record(actor=actor, name="workcal.entry_created", subject=entry, data=_entry_snapshot(entry))
        _calendar_changed()
    return entry


def calendar_entry_update(*, actor, entry: CalendarEntry, date: dt.date, kind: str, name: str, source: str) -> CalendarEntry:
    _check_actor(actor)
    with transaction.atomic():
        entry = CalendarEntry.objects.select_for_update().get(pk=entry.pk)
        before = _entry_snapshot(entry)
        entry.date, entry.kind, entry.name, entry.source = date, kind, (name or "").strip(), (source or "").strip()
        entry.updated_by = _user(actor)
        _save_entry(entry)
        event_record(actor=actor, name="workcal.entry_updated", subject=entry,
                     data={"before": before, "after": _entry_snapshot(entry)})
        _calendar_changed()
    return entry


def calendar_entry_delete(*, actor, entry: CalendarEntry) -> None:
    _check_actor(actor)
    with transaction.atomic():
        entry = CalendarEntry.objects.select_for_update().get(pk=entry.pk)
        snapshot, pk = _entry_snapshot(entry), entry.pk
        entry.delete()
        event_record(actor=actor, name="workcal.entry_deleted", subject_type="workcal.calendarentry", subject_id=pk,
                     data=snapshot)
        _calendar_changed()


def working_hours_update(*, actor, morning_start: dt.time, morning_end: dt.time, afternoon_start: dt.time,
                         afternoon_end: dt.time, same_day_cutoff: dt.time) -> WorkingHours:
    """Set the installation's working hours (two periods a day) and the same-day cut-off."""
    _check_actor(actor)
    errors: dict[str, list[str]] = {}
    if not morning_start < morning_end:
        errors["morning_end"] = [_("Giờ kết thúc buổi sáng phải sau giờ bắt đầu buổi sáng.")]
    if not morning_end <= afternoon_start:
        errors["afternoon_start"] = [_("Giờ bắt đầu buổi chiều không được trước giờ kết thúc buổi sáng.")]
    if not afternoon_start < afternoon_end:
        errors["afternoon_end"] = [_("Giờ kết thúc buổi chiều phải sau giờ bắt đầu buổi chiều.")]
    if not (morning_start < same_day_cutoff <= afternoon_end):
        errors["same_day_cutoff"] = [_("Giờ chốt nhận hồ sơ trong ngày phải nằm trong giờ làm việc.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        hours = WorkingHours.objects.select_for_update().filter(singleton=1).first() or WorkingHours()
        before = {f: str(getattr(hours, f)) for f in DEFAULT_HOURS}
        hours.morning_start, hours.morning_end = morning_start, morning_end
        hours.afternoon_start, hours.afternoon_end = afternoon_start, afternoon_end
        hours.same_day_cutoff = same_day_cutoff
        hours.updated_by = _user(actor)
        hours.revision = uuid.uuid4()
        hours.save()
        event_record(actor=actor, name="workcal.working_hours_updated", subject=hours,
                     data={"before": before, "after": {f: str(getattr(hours, f)) for f in DEFAULT_HOURS}})
        calendar_cache_clear()
        transaction.on_commit(calendar_cache_clear)
    return hours


def calendar_entries_import(*, actor, entries: list | None = None, path: str | Path | None = None) -> ImportResult:
    """Load a list of entries `{date, kind, name, source}` (given, or read from a YAML file).

    Idempotent: the same list twice gives the same state. An entry for a date that already exists
    replaces it. Any bad entry → ValidationError naming the entry and field; nothing is written."""
    _check_actor(actor)
    if (entries is None) == (path is None):
        raise ValueError("give exactly one of entries= or path=")
    raw = load_yaml(path) if path is not None else entries
    items: list[EntryData] = parse_entries(raw)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {e.date: e for e in CalendarEntry.objects.select_for_update().filter(date__in=[i.date for i in items])}
        for item in items:
            entry = existing.get(item.date)
            if entry is None:
                entry = CalendarEntry(date=item.date, kind=item.kind, name=item.name, source=item.source,
                                      created_by=_user(actor), updated_by=_user(actor))
                _save_entry(entry)
                created += 1
            elif (entry.kind, entry.name, entry.source) != (item.kind, item.name, item.source):
                entry.kind, entry.name, entry.source, entry.updated_by = item.kind, item.name, item.source, _user(actor)
                _save_entry(entry)
                updated += 1
            else:
                unchanged += 1
        if created or updated:
            event_record(actor=actor, name="workcal.entries_imported", subject_type="workcal.calendarentry",
                         subject_id="import",
                         data={"created": created, "updated": updated, "unchanged": unchanged,
                               "source": str(path) if path is not None else ""})
            _calendar_changed()
    return ImportResult(created=created, updated=updated, unchanged=unchanged)

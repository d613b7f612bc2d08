"""Loading entries from YAML: idempotent, every malformed entry refused with its number and field,
nothing written on refusal; a new holiday is data and changes due times at once."""
import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.events.models import DomainEvent
from tinhso.workcal import selectors, services
from tinhso.workcal.models import CalendarEntry
from tinhso.workcal.selectors import TimeLimit

from .conftest import at

pytestmark = pytest.mark.django_db

GOOD = """
- {date: 2027-10-13, kind: day_off, name: "Ngày lễ mới (thử)", source: "Văn bản thử nghiệm số 1"}
- {date: 2027-10-16, kind: working_day, name: "Làm bù", source: "Văn bản thử nghiệm số 1"}
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "lich.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def state():
    return list(CalendarEntry.objects.order_by("date").values_list("date", "kind", "name", "source"))


def test_same_file_twice_gives_the_same_state(tmp_path):
    path = write(tmp_path, GOOD)
    first = services.calendar_entries_import(actor=None, path=path)
    after_first = state()
    events = DomainEvent.objects.filter(name="workcal.entries_imported").count()
    second = services.calendar_entries_import(actor=None, path=path)
    assert (first.created, first.updated) == (2, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert state() == after_first
    assert DomainEvent.objects.filter(name="workcal.entries_imported").count() == events


def test_import_replaces_an_entry_of_the_same_date(tmp_path):
    services.calendar_entries_import(actor=None, path=write(tmp_path, GOOD))
    changed = GOOD.replace("Văn bản thử nghiệm số 1\"}\n- {date: 2027-10-16", "Văn bản số 2\"}\n- {date: 2027-10-16")
    r = services.calendar_entries_import(actor=None, path=write(tmp_path, changed))
    assert (r.created, r.updated, r.unchanged) == (0, 1, 1)
    assert CalendarEntry.objects.get(date=dt.date(2027, 10, 13)).source == "Văn bản số 2"


def test_shipped_files_are_already_loaded_by_the_migration():
    data = Path(services.__file__).parent / "data"
    for name in ("2025.yaml", "2026.yaml"):
        r = services.calendar_entries_import(actor=None, path=data / name)
        assert r.created == 0 and r.updated == 0 and r.unchanged > 0


def test_a_new_holiday_added_as_data_changes_due_times_at_once(tmp_path):
    # Tuesday 12/10/2027 10:00 + 1 working day → Wednesday 13/10 10:00, unless 13/10 is a day off.
    before = selectors.due_at(received_at=at(2027, 10, 12, 10), rule=TimeLimit("working_days", 1)).due_at
    assert before == at(2027, 10, 13, 10)
    services.calendar_entries_import(actor=None, path=write(tmp_path, GOOD))
    after = selectors.due_at(received_at=at(2027, 10, 12, 10), rule=TimeLimit("working_days", 1)).due_at
    assert after == at(2027, 10, 14, 10)
    assert selectors.is_working_day(dt.date(2027, 10, 16))  # a Saturday made a working day


OK = "- {date: 2027-01-06, kind: day_off, name: X, source: Y}\n"
BAD = [
    ("date: 2027-01-01\n", "", "entries"),  # not a list
    (OK + "- just text\n", "Mục thứ 2", ""),
    (OK + "- {date: 2027-13-01, kind: day_off, name: A, source: B}\n", "Mục thứ 2", "date"),
    (OK + "- {date: 'mai', kind: day_off, name: A, source: B}\n", "Mục thứ 2", "date"),
    (OK + OK.replace("06", "07") + "- {date: 2027-01-05, kind: holiday, name: A, source: B}\n", "Mục thứ 3", "kind"),
    (OK + "- {date: 2027-01-04, kind: day_off, source: B}\n", "Mục thứ 2", "name"),
    (OK + "- {date: 2027-01-04, kind: day_off, name: A, source: ''}\n", "Mục thứ 2", "source"),
    (OK + "- {date: 2027-01-04, kind: day_off, name: A, source: B, colour: red}\n", "Mục thứ 2", "colour"),
    (OK + "- {date: 2027-01-06, kind: day_off, name: C, source: D}\n", "Mục thứ 2", "date"),
    (OK + "- {date: 2027-01-04, kind: day_off, name: [1, 2], source: B}\n", "Mục thứ 2", "name"),
    (OK + "- {date: 2027-01-04, kind: day_off, name: " + "A" * 201 + ", source: B}\n", "Mục thứ 2", "name"),
    (OK + "- {date: 2027-01-04, kind: day_off\n", "YAML", "path"),
]


@pytest.mark.parametrize("body,where,field", BAD)
def test_malformed_file_is_refused_and_nothing_is_written(tmp_path, body, where, field):
    before, events = state(), DomainEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.calendar_entries_import(actor=None, path=write(tmp_path, body))
    keys = " ".join(exc.value.message_dict)
    message = " ".join(m for ms in exc.value.message_dict.values() for m in ms)
    assert where in message
    assert field in message or field in keys
    assert state() == before
    assert DomainEvent.objects.count() == events


def test_missing_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        services.calendar_entries_import(actor=None, path="/khong/co/tep.yaml")
    assert "Không tìm thấy tệp" in exc.value.message_dict["path"][0]


def test_import_by_a_citizen_is_refused(citizen):
    before = state()
    with pytest.raises(PermissionDenied):
        services.calendar_entries_import(actor=citizen, entries=[
            {"date": "2027-01-06", "kind": "day_off", "name": "X", "source": "Y"}])
    assert state() == before


def test_import_by_the_province_admin_records_who(admin_user):
    services.calendar_entries_import(actor=admin_user, entries=[
        {"date": "2027-01-06", "kind": "day_off", "name": "Nghỉ thử", "source": "Quyết định thử"}])
    entry = CalendarEntry.objects.get(date=dt.date(2027, 1, 6))
    assert entry.created_by == admin_user
    assert DomainEvent.objects.filter(name="workcal.entries_imported", actor=admin_user).exists()

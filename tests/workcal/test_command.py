"""`tinhso calendar due` and `tinhso calendar import`."""
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tinhso.workcal.models import CalendarEntry

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


def test_due_prints_one_json_object_in_province_time():
    data = json.loads(run("due", "--received", "2026-02-13T10:00+07:00", "--working-days", "5"))
    assert data == {"received_at": "2026-02-13T10:00:00+07:00", "counting_from": "2026-02-13T10:00:00+07:00",
                    "due_at": "2026-02-27T10:00:00+07:00"}


def test_due_with_a_utc_reception_time_answers_in_plus_seven():
    data = json.loads(run("due", "--received", "2023-10-27T02:32Z", "--working-days", "5"))
    assert data["received_at"] == "2023-10-27T09:32:00+07:00"
    assert data["due_at"] == "2023-11-03T09:32:00+07:00"


@pytest.mark.parametrize("args,due_at", [
    (["--working-hours", "3"], "2026-03-04T15:30:00+07:00"),
    (["--same-day"], "2026-03-04T17:30:00+07:00"),
    (["--calendar-days", "3"], "2026-03-09T17:30:00+07:00"),  # Saturday 07/03 → end of Monday 09/03
])
def test_due_other_rules(args, due_at):
    assert json.loads(run("due", "--received", "2026-03-04T10:30+07:00", *args))["due_at"] == due_at


@pytest.mark.parametrize("args,field", [
    ([], "working_days"),  # no rule
    (["--working-days", "2", "--same-day"], "same_day"),
    (["--working-days", "-1"], "working_days"),
    (["--working-hours", "hai"], "working_hours"),
])
def test_due_refuses_bad_rules(args, field):
    with pytest.raises(CommandError) as exc:
        run("due", "--received", "2026-03-04T10:30+07:00", *args)
    assert field in str(exc.value)


@pytest.mark.parametrize("received", ["2026-03-04T10:30", "hôm qua"])
def test_due_refuses_bad_reception_time(received):
    with pytest.raises(CommandError) as exc:
        run("due", "--received", received, "--working-days", "1")
    assert "received" in str(exc.value)


def test_import_is_idempotent(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_text('- {date: 2027-10-13, kind: day_off, name: "Ngày lễ mới", source: "Văn bản thử"}\n', encoding="utf-8")
    assert json.loads(run("import", str(p))) == {"created": 1, "updated": 0, "unchanged": 0}
    assert json.loads(run("import", str(p))) == {"created": 0, "updated": 0, "unchanged": 1}
    assert CalendarEntry.objects.filter(name="Ngày lễ mới").count() == 1


def test_import_of_a_malformed_file_fails_with_entry_and_field_and_writes_nothing(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_text('- {date: 2027-10-13, kind: day_off, name: "A", source: "B"}\n- {date: 2027-10-14, kind: nghi, name: "A", source: "B"}\n',
                 encoding="utf-8")
    before = CalendarEntry.objects.count()
    with pytest.raises(CommandError) as exc:
        run("import", str(p))
    assert "Mục thứ 2" in str(exc.value) and "kind" in str(exc.value)
    assert CalendarEntry.objects.count() == before


def test_import_exit_code_is_not_zero_on_error(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_text("khong phai danh sach\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        from django.core.management import ManagementUtility
        ManagementUtility(["tinhso", "calendar", "import", str(p)]).execute()
    assert exc.value.code != 0

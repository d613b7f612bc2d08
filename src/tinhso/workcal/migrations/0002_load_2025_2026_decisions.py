"""Load the working hours' defaults and the government's 2025 and 2026 decisions (data/*.yaml) with the
same import service an administrator uses. Reversing removes only those shipped entries."""
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
FILES = ("2025.yaml", "2026.yaml")


def load(apps, schema_editor):
    from tinhso.workcal.services import calendar_entries_import

    for name in FILES:
        calendar_entries_import(actor=None, path=DATA_DIR / name)


def unload(apps, schema_editor):
    from tinhso.workcal.entries_file import load_yaml, parse_entries

    CalendarEntry = apps.get_model("workcal", "CalendarEntry")
    for name in FILES:
        dates = [e.date for e in parse_entries(load_yaml(DATA_DIR / name))]
        CalendarEntry.objects.filter(date__in=dates).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workcal", "0001_initial"),
        ("events", "0002_initial"),
    ]

    operations = [migrations.RunPython(load, unload)]

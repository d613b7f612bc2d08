"""Triggers refusing UPDATE/DELETE of the append-only tables (see tinhso/audit/triggers.py).

They are also re-created after every `migrate` (SQLite drops them when a migration rebuilds a table).
"""
from django.db import migrations


def install(apps, schema_editor):
    from tinhso.audit import triggers

    triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    from tinhso.audit import triggers

    for table in triggers.APPEND_ONLY_TABLES:
        if table in schema_editor.connection.introspection.table_names():
            triggers.drop(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("dossiers", "0001_initial"),
        ("datastore", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, remove, elidable=False)]

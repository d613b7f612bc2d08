"""The table of the shared cache (security.cache.DatabaseCache, settings.CACHES), created by migrate so that
every installation, test database and benchmark has it without a separate `createcachetable` step."""
from django.db import migrations


def create(apps, schema_editor):
    from django.core.management.commands.createcachetable import Command

    from tinhso.security.cache import TABLE

    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    from tinhso.security.cache import TABLE

    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create, drop)]

"""PostgreSQL: backup (pg_dump of one exported snapshot) and restore (pg_restore in one transaction) into a
scratch database give back every row of every table and every uploaded file."""
from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import connection

from tinhso.dossiers.models import Dossier
from tinhso.people.models import User

from .conftest import all_files, all_rows, model_tables, tinhso

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs when DATABASE_URL is postgres://"),
]

TABLES = ("SELECT table_name FROM information_schema.tables "
          "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")


def conninfo(name: str) -> dict:
    s = connection.settings_dict
    info = {"dbname": name, "user": s.get("USER"), "password": s.get("PASSWORD"), "host": s.get("HOST"),
            "port": str(s.get("PORT") or "")}
    return {k: v for k, v in info.items() if v}


def url(name: str) -> str:
    s = connection.settings_dict
    auth = s.get("USER") or ""
    if s.get("PASSWORD"):
        auth += ":" + s["PASSWORD"]
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{name}"


@pytest.fixture
def scratch_database():
    import psycopg

    name = f"{connection.settings_dict['NAME']}_khoiphuc"
    with psycopg.connect(**conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(**conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def read_everything(name: str):
    import psycopg

    with psycopg.connect(**conninfo(name)) as conn, conn.cursor() as cur:
        cur.execute(TABLES)
        tables = {r[0] for r in cur.fetchall()}
        return tables, all_rows(cur, tables)


def test_round_trip_restores_every_row_of_every_table_and_every_file(installation, media_root, tmp_path,
                                                                     scratch_database):
    backup_dir = tmp_path / "sao-luu"
    call_command("backup", str(backup_dir))
    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["vendor"] == "postgresql"
    assert manifest["database"]["file"] == "database.pgdump"
    assert manifest["database"]["tables"][Dossier._meta.db_table] == 3

    restored = tmp_path / "cai-dat-moi"
    result = tinhso("restore", str(backup_dir), "--yes", var_dir=restored, database_url=url(scratch_database))
    assert result.returncode == 0, result.stderr
    assert "Đã khôi phục" in result.stdout

    tables, before = read_everything(connection.settings_dict["NAME"])
    restored_tables, after = read_everything(scratch_database)
    assert model_tables() <= tables
    assert restored_tables == tables
    for table in sorted(tables):
        assert after[table] == before[table], f"table {table} differs after restore"
    assert len(before[Dossier._meta.db_table][1]) == 3 and len(before[User._meta.db_table][1]) >= 2

    files = all_files(media_root)
    assert len(files) == 7
    assert all_files(restored / "media") == files


def test_a_postgresql_backup_is_not_restored_into_sqlite(installation, tmp_path):
    backup_dir = tmp_path / "sao-luu"
    call_command("backup", str(backup_dir))
    target = tmp_path / "sqlite"
    result = tinhso("restore", str(backup_dir), "--yes", var_dir=target,
                    database_url=f"sqlite:///{target / 'tinhso.sqlite3'}")
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr and "SQLite" in result.stderr
    assert not (target / "tinhso.sqlite3").exists() and not (target / "media").exists()

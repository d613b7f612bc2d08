"""SQLite: `tinhso backup DIR` then `tinhso restore DIR --yes` into a fresh installation gives back every row of
every table and every uploaded file, byte for byte."""
from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tinhso.datastore.models import StoredDocument
from tinhso.dossiers.models import Dossier
from tinhso.events.models import DomainEvent
from tinhso.ops.database import sqlite_connect
from tinhso.people.models import User
from tinhso.places.models import Agency

from .conftest import all_files, all_rows, model_tables, tinhso

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite round trip (the PostgreSQL one is separate)"),
]


def sqlite_tables(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_round_trip_restores_every_row_of_every_table_and_every_file(installation, media_root, tmp_path):
    backup_dir = tmp_path / "sao-luu"
    call_command("backup", str(backup_dir))

    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == 1 and manifest["database"]["vendor"] == "sqlite"
    assert manifest["created_at"].endswith("+07:00")
    assert manifest["database"]["tables"][Dossier._meta.db_table] == 3
    assert manifest["referenced_files"] == {"count": 7, "missing": []}

    restored = tmp_path / "cai-dat-moi"
    restored_db = restored / "tinhso.sqlite3"
    result = tinhso("restore", str(backup_dir), "--yes", var_dir=restored, database_url=f"sqlite:///{restored_db}")
    assert result.returncode == 0, result.stderr
    assert "Đã khôi phục" in result.stdout

    source = sqlite_connect(connection.settings_dict["NAME"])
    target = sqlite_connect(restored_db)
    try:
        tables = sqlite_tables(source)
        assert model_tables() <= tables  # every model of every app is in the comparison
        assert sqlite_tables(target) == tables
        before, after = all_rows(source.cursor(), tables), all_rows(target.cursor(), tables)
        for table in sorted(tables):
            assert after[table] == before[table], f"table {table} differs after restore"
        assert target.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        source.close()
        target.close()
    # the comparison is not vacuous: rows of several apps were there to compare
    for model, at_least in [(Dossier, 3), (StoredDocument, 1), (User, 2), (Agency, 10), (DomainEvent, 4)]:
        assert len(before[model._meta.db_table][1]) >= at_least, model

    files_before = all_files(media_root)
    assert len(files_before) == 7
    assert all_files(restored / "media") == files_before


def test_backup_refuses_a_non_empty_directory_unless_forced(media_root, tmp_path):
    backup_dir = tmp_path / "sao-luu"
    backup_dir.mkdir()
    (backup_dir / "ghi-chu.txt").write_text("của người khác")
    with pytest.raises(CommandError, match="không trống"):
        call_command("backup", str(backup_dir))
    assert not (backup_dir / "manifest.json").exists()

    call_command("backup", str(backup_dir), "--force")
    assert (backup_dir / "manifest.json").exists()
    assert (backup_dir / "ghi-chu.txt").read_text() == "của người khác"


def test_restore_asks_for_confirmation_and_refuses_another_database_vendor(installation, tmp_path):
    dossiers_before = all_rows(connection.cursor(), [Dossier._meta.db_table])
    backup_dir = tmp_path / "sao-luu"
    call_command("backup", str(backup_dir))
    target = tmp_path / "dich"
    target_db = target / "tinhso.sqlite3"

    with pytest.raises(CommandError, match="--yes"):  # pytest's stdin is not a terminal, as in CI
        call_command("restore", str(backup_dir))

    result = tinhso("restore", str(backup_dir), "--yes", var_dir=target,
                    database_url="postgres://postgres@127.0.0.1:5432/tinhso_backup_khong_dung_toi")
    assert result.returncode != 0
    assert "SQLite" in result.stderr and "PostgreSQL" in result.stderr and "DATABASE_URL" in result.stderr
    assert not (target / "media").exists()
    assert all_rows(connection.cursor(), [Dossier._meta.db_table]) == dossiers_before

"""A backup taken while citizens keep uploading papers is consistent: the restored database is sound and
every file it names is in the backup with the content the row records."""
from __future__ import annotations

import hashlib
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from tinhso.datastore.models import StoredDocument
from tinhso.datastore.services import document_add
from tinhso.ops.database import file_columns, sqlite_connect

from .conftest import make_citizen, pdf, tinhso

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite online backup (WAL)"),
]


def test_backup_while_another_thread_keeps_uploading(installation, media_root, tmp_path):
    citizen = make_citizen("019285000777", "Lê Thị Cúc")
    stop, warmed_up, progress = threading.Event(), threading.Event(), threading.Condition()
    written: list[int] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                doc = document_add(actor=citizen, doc_type="khac", title=f"Giấy tờ {len(written)}",
                                   upload=pdf(f"giay-{len(written)}.pdf", b"%d" % len(written)))
                with progress:
                    written.append(doc.pk)
                    progress.notify_all()
                if len(written) >= 3:
                    warmed_up.set()
        except BaseException as exc:  # reported below
            errors.append(exc)
            warmed_up.set()
            with progress:
                progress.notify_all()
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert warmed_up.wait(timeout=120)
        backup_dir = tmp_path / "sao-luu"
        call_command("backup", str(backup_dir))
        in_backup_mark = len(written)
        with progress:  # let the writer go on past the snapshot (a commit may not be appended yet: +1)
            progress.wait_for(lambda: len(written) > in_backup_mark + 1 or bool(errors), timeout=120)
    finally:
        stop.set()
        thread.join(timeout=120)
    assert not errors, errors[:3]
    assert in_backup_mark >= 3

    restored = tmp_path / "khoi-phuc"
    restored_db = restored / "tinhso.sqlite3"
    result = tinhso("restore", str(backup_dir), "--yes", var_dir=restored, database_url=f"sqlite:///{restored_db}")
    assert result.returncode == 0, result.stderr

    conn = sqlite_connect(restored_db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        referenced = set()
        for table, column in file_columns():
            referenced.update(r[0] for r in conn.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> \'\''))
        docs = conn.execute(f'SELECT file, sha256 FROM "{StoredDocument._meta.db_table}"').fetchall()
    finally:
        conn.close()
    assert len(docs) >= 1 + 3  # the installation's paper and at least the three written before the backup
    for name in referenced:
        assert (restored / "media" / name).is_file(), f"{name} is named by a row but missing"
    for name, sha in docs:
        assert hashlib.sha256((restored / "media" / name).read_bytes()).hexdigest() == sha
    # the writer went on after the snapshot: the live installation has papers the backup does not
    assert StoredDocument.objects.count() > len(docs)

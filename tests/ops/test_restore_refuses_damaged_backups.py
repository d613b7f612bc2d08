"""A damaged or edited backup is refused BEFORE anything is touched: the installation stays as it was."""
from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from django.core.management import call_command
from django.db import connection

from tinhso.ops.errors import BackupError
from tinhso.ops.restore import backup_verify

from .conftest import pdf, tinhso

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup_dir(media_root, tmp_path):
    """A backup with two uploaded files."""
    from tinhso.datastore.services import document_add

    from .conftest import make_citizen

    citizen = make_citizen("019090001234", "Nguyễn Văn An")
    document_add(actor=citizen, doc_type="cccd", title="Căn cước công dân", upload=pdf("cccd.pdf", b"1"))
    document_add(actor=citizen, doc_type="khac", title="Giấy tờ khác", upload=pdf("khac.pdf", b"2"))
    directory = tmp_path / "sao-luu"
    call_command("backup", str(directory))
    return directory


def flip_a_byte(path, at: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if at is None else at
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def snapshot_of(root) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name not in {"secret_key", "huey.sqlite3"}}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="restores into a SQLite installation")
def test_a_dump_with_one_changed_byte_is_refused_and_the_installation_is_untouched(backup_dir, tmp_path):
    dump = backup_dir / "database.sqlite3"
    flip_a_byte(dump)
    target = tmp_path / "dang-chay"
    (target / "media" / "cu").mkdir(parents=True)
    (target / "media" / "cu" / "giay-to.pdf").write_bytes(b"%PDF-1.4 tep dang dung")
    existing = sqlite3.connect(target / "tinhso.sqlite3")
    existing.execute("CREATE TABLE du_lieu_dang_dung (x TEXT)")
    existing.execute("INSERT INTO du_lieu_dang_dung VALUES ('giữ nguyên')")
    existing.commit()
    existing.close()
    before = snapshot_of(target)

    result = tinhso("restore", str(backup_dir), "--yes", var_dir=target,
                    database_url=f"sqlite:///{target / 'tinhso.sqlite3'}")

    assert result.returncode != 0
    assert "database.sqlite3" in result.stderr and "sha256" in result.stderr
    assert snapshot_of(target) == before


def _media_files(backup_dir):
    return sorted(p for p in (backup_dir / "media").rglob("*") if p.is_file())


@pytest.mark.parametrize("damage, message", [
    ("byte", "sha256"),
    ("missing", "Thiếu tệp"),
    ("extra", "không có trong bản kê"),
    ("escape", "không hợp lệ"),
    ("dump_missing", "Thiếu tệp cơ sở dữ liệu"),
    ("no_manifest", "manifest.json"),
])
def test_every_kind_of_damage_is_found_before_restoring(backup_dir, damage, message):
    files = _media_files(backup_dir)
    assert len(files) == 2
    if damage == "byte":
        flip_a_byte(files[0], at=0)
    elif damage == "missing":
        files[1].unlink()
    elif damage == "extra":
        (backup_dir / "media" / "them-vao.html").write_text("<script>alert(1)</script>")
    elif damage == "escape":
        manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
        manifest["media"]["files"][0]["path"] = "../../etc/passwd"
        (backup_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    elif damage == "dump_missing":
        for name in ("database.sqlite3", "database.pgdump"):
            (backup_dir / name).unlink(missing_ok=True)
    elif damage == "no_manifest":
        (backup_dir / "manifest.json").unlink()
    with pytest.raises(BackupError, match=message):
        backup_verify(directory=backup_dir)


def test_an_intact_backup_passes_verification(backup_dir):
    manifest = backup_verify(directory=backup_dir)
    assert manifest["media"]["file_count"] == 2

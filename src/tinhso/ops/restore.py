"""`backup_verify` and `backup_restore`: check a backup completely, then restore the database, then the files."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from .checksums import file_sha256
from .database import DUMP_FILES, postgres_restore, sqlite_restore
from .errors import BackupError
from .manifest import manifest_read
from .media import MEDIA_DIR, media_restore, media_verify

VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class RestoreSummary:
    created_at: str
    vendor: str
    tables: int
    rows: int
    files: int
    bytes: int


def backup_verify(*, directory: Path | str) -> dict:
    """Check the manifest, the sha256 of the dump and of every file. Touches nothing. Return the manifest."""
    directory = Path(directory).resolve()
    if not directory.is_dir():
        raise BackupError(_("Không thấy thư mục sao lưu “%(dir)s”.") % {"dir": directory})
    manifest = manifest_read(directory)
    db = manifest.get("database") or {}
    vendor = db.get("vendor")
    if vendor not in DUMP_FILES or db.get("file") != DUMP_FILES[vendor]:
        raise BackupError(_("manifest.json không nêu đúng tệp cơ sở dữ liệu của bản sao lưu."))
    dump = directory / db["file"]
    if not dump.is_file():
        raise BackupError(_("Thiếu tệp cơ sở dữ liệu “%(file)s” trong bản sao lưu.") % {"file": db["file"]})
    if dump.stat().st_size != db.get("size") or file_sha256(dump) != db.get("sha256"):
        raise BackupError(_("Tệp cơ sở dữ liệu “%(file)s” không khớp mã kiểm tra sha256 trong manifest.json: tệp "
                            "đã bị hỏng hoặc bị sửa. Không khôi phục từ bản này.") % {"file": db["file"]})
    media_verify(directory / MEDIA_DIR, (manifest.get("media") or {}).get("files", []))
    return manifest


def backup_restore(*, directory: Path | str) -> RestoreSummary:
    """Replace the configured database and MEDIA_ROOT with the backup in `directory`.

    Everything is verified BEFORE anything is touched; a backup of another database vendor is refused.
    The platform should be stopped meanwhile (web and job workers)."""
    directory = Path(directory).resolve()
    manifest = backup_verify(directory=directory)
    db = manifest["database"]
    connection = connections["default"]
    if db["vendor"] != connection.vendor:
        raise BackupError(_("Bản sao lưu này là của cơ sở dữ liệu %(backup)s, còn cài đặt này dùng %(current)s: "
                            "không khôi phục chéo được. Hãy đặt DATABASE_URL trỏ tới một cơ sở dữ liệu %(backup)s "
                            "rồi chạy lại.") % {"backup": VENDOR_NAMES.get(db["vendor"], db["vendor"]),
                                                "current": VENDOR_NAMES.get(connection.vendor, connection.vendor)})
    settings_dict = dict(connection.settings_dict)
    connections.close_all()
    dump = directory / db["file"]
    if db["vendor"] == "sqlite":
        counts = sqlite_restore(dump, settings_dict)
    else:
        counts = postgres_restore(dump, settings_dict, dump_server_version=db.get("server_version", ""))
    expected = db.get("tables", {})
    wrong = sorted(t for t in expected if counts.get(t) != expected[t])
    if wrong:
        raise BackupError(_("Sau khi khôi phục, số dòng của bảng %(tables)s không khớp manifest.json. Hãy kiểm tra "
                            "cơ sở dữ liệu đích.") % {"tables": ", ".join(wrong[:10])})
    media = manifest.get("media") or {}
    files = media.get("files", [])
    media_restore(directory / MEDIA_DIR, files, Path(settings.MEDIA_ROOT))
    return RestoreSummary(created_at=manifest.get("created_at", ""), vendor=db["vendor"], tables=len(expected),
                          rows=sum(expected.values()), files=len(files), bytes=sum(f["size"] for f in files))

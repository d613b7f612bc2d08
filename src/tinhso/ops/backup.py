"""`backup_create`: a consistent backup of the database and the uploaded files, taken while the platform runs.

Why database first, files second is consistent: uploads are only ever ADDED, under new random names
(`uuid4().hex`), and a file is written completely BEFORE the transaction that records it commits. So
every file named by a row of the snapshot was complete on disk before the snapshot instant and is still
there when we copy the files afterwards. Files uploaded after the snapshot are copied too, as harmless
extras no row points to. The backup checks this: a file named by the snapshot but missing from the copy
(someone deleted it by hand) is reported and makes the command fail.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from .checksums import file_sha256
from .database import DUMP_FILES, postgres_snapshot, sqlite_snapshot
from .errors import BackupError
from .manifest import FORMAT, FORMAT_VERSION, MANIFEST, manifest_write, tinhso_version
from .media import MEDIA_DIR, media_copy


def _inside(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def _prepare(directory: Path, force: bool) -> None:
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if _inside(directory, media_root) or _inside(media_root, directory):
        raise BackupError(_("Thư mục sao lưu “%(dir)s” không được nằm trong thư mục tệp tải lên (MEDIA_ROOT) hoặc "
                            "chứa nó. Hãy chọn thư mục khác.") % {"dir": directory})
    if directory.exists() and not directory.is_dir():
        raise BackupError(_("“%(dir)s” là một tệp, không phải thư mục.") % {"dir": directory})
    if directory.exists() and any(directory.iterdir()):
        if not force:
            raise BackupError(_("Thư mục “%(dir)s” không trống. Hãy chọn thư mục trống hoặc thêm --force để ghi đè "
                                "bản sao lưu trong đó.") % {"dir": directory})
        (directory / MANIFEST).unlink(missing_ok=True)  # first: a half-overwritten backup is never taken as whole
        for name in DUMP_FILES.values():
            (directory / name).unlink(missing_ok=True)
        shutil.rmtree(directory / MEDIA_DIR, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)


def backup_create(*, directory: Path | str, force: bool = False) -> dict:
    """Write DIR/database.*, DIR/media/ and, last, DIR/manifest.json. Return the manifest."""
    directory = Path(directory).resolve()
    _prepare(directory, force)
    connection = connections["default"]
    vendor = connection.vendor
    if vendor not in DUMP_FILES:
        raise BackupError(_("Chưa hỗ trợ sao lưu cơ sở dữ liệu loại “%(vendor)s”.") % {"vendor": vendor})
    dump = directory / DUMP_FILES[vendor]
    snapshot_fn = sqlite_snapshot if vendor == "sqlite" else postgres_snapshot
    created_at = dt.datetime.now(ZoneInfo(settings.TIME_ZONE))
    snapshot = snapshot_fn(connection.settings_dict, dump)  # 1. the database, as of one instant
    media_root = Path(settings.MEDIA_ROOT)
    files = media_copy(media_root, directory / MEDIA_DIR)  # 2. then the files
    copied = {f["path"] for f in files}
    missing = sorted(name for name in snapshot.referenced_files if name not in copied)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tinhso_version": tinhso_version(),
        "created_at": created_at.isoformat(timespec="seconds"),
        "database": {
            "vendor": vendor,
            "server_version": snapshot.server_version,
            "file": dump.name,
            "size": dump.stat().st_size,
            "sha256": file_sha256(dump),
            "tables": snapshot.tables,
        },
        "media": {
            "directory": MEDIA_DIR,
            "file_count": len(files),
            "total_bytes": sum(f["size"] for f in files),
            "files": files,
        },
        "referenced_files": {"count": len(snapshot.referenced_files), "missing": missing},
    }
    manifest_write(directory, manifest)
    if missing:
        raise BackupError(_("Bản sao lưu đã được ghi nhưng %(n)s tệp mà cơ sở dữ liệu nhắc tới không có trong "
                            "MEDIA_ROOT (ví dụ “%(first)s”); danh sách ở manifest.json, mục referenced_files. "
                            "Hãy tìm lại các tệp này.") % {"n": len(missing), "first": missing[0]})
    return manifest

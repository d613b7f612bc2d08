"""DIR/manifest.json: what a backup holds and the checksums that let a restore trust it."""
from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path

from django.utils.translation import gettext as _

from .errors import BackupError

MANIFEST = "manifest.json"
FORMAT = "tinhso-backup"
FORMAT_VERSION = 1


def tinhso_version() -> str:
    try:
        return metadata.version("tinhso")
    except metadata.PackageNotFoundError:
        return "unknown"


def manifest_write(directory: Path, manifest: dict) -> None:
    """Written last and atomically: a directory without manifest.json is an unfinished backup."""
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(directory / MANIFEST)


def manifest_read(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(_("Không thấy %(file)s trong “%(dir)s”: đây không phải bản sao lưu tinhso hoặc bản sao lưu "
                            "chưa hoàn tất.") % {"file": MANIFEST, "dir": directory})
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise BackupError(_("Tệp %(file)s bị hỏng (không đọc được JSON).") % {"file": MANIFEST}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("Tệp %(file)s không phải bản kê của bản sao lưu tinhso.") % {"file": MANIFEST})
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(_("Bản sao lưu có định dạng phiên bản %(found)s; phiên bản tinhso này chỉ đọc được "
                            "phiên bản %(known)s.") % {"found": manifest.get("format_version"), "known": FORMAT_VERSION})
    return manifest

"""Uploaded files (MEDIA_ROOT): copied as a plain tree into DIR/media/ with a manifest of every file
(path, size, sha256), checked file by file before a restore, and swapped into place as a whole."""
from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from .checksums import copy_with_sha256, file_sha256
from .errors import BackupError

MEDIA_DIR = "media"


def _walk(root: Path) -> list[Path]:
    """Regular files under root; symbolic links are neither followed nor copied (tinhso never makes any)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return sorted(found)


def media_copy(media_root: Path, target: Path) -> list[dict]:
    """Copy every uploaded file into `target`; return the manifest entries of what was copied."""
    target.mkdir(parents=True, exist_ok=True)
    entries = []
    if not media_root.is_dir():
        return entries
    for path in _walk(media_root):
        rel = path.relative_to(media_root).as_posix()
        try:
            size, sha = copy_with_sha256(path, target / rel)
        except FileNotFoundError:
            continue  # vanished while we copied: an orphan the orphan sweep moved (no row names it), or an operator
        entries.append({"path": rel, "size": size, "sha256": sha})
    return entries


def safe_relative(rel: str) -> bool:
    p = PurePosixPath(rel)
    return bool(rel) and not p.is_absolute() and ".." not in p.parts and "\\" not in rel


def media_verify(source: Path, entries: list[dict]) -> None:
    """Every listed file is present with its size and sha256, and no unlisted file is there."""
    listed = set()
    for entry in entries:
        rel = entry["path"]
        if not safe_relative(rel):
            raise BackupError(_("Bản kê tệp có đường dẫn không hợp lệ “%(path)s”: bản sao lưu đã bị sửa.") % {"path": rel})
        listed.add(rel)
        path = source / rel
        if not path.is_file():
            raise BackupError(_("Thiếu tệp “%(path)s” trong thư mục media của bản sao lưu.") % {"path": rel})
        if path.stat().st_size != entry["size"] or file_sha256(path) != entry["sha256"]:
            raise BackupError(_("Tệp “%(path)s” trong bản sao lưu không khớp mã kiểm tra sha256: tệp đã bị hỏng hoặc "
                                "bị sửa. Không khôi phục từ bản này.") % {"path": rel})
    if source.is_dir():
        for path in _walk(source):
            rel = path.relative_to(source).as_posix()
            if rel not in listed:
                raise BackupError(_("Tệp “%(path)s” trong bản sao lưu không có trong bản kê: bản sao lưu đã bị sửa.")
                                  % {"path": rel})


def media_restore(source: Path, entries: list[dict], media_root: Path) -> None:
    """Build the restored tree beside MEDIA_ROOT, then swap it in; the old tree is removed last."""
    media_root.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    staging = media_root.with_name(f"{media_root.name}.restoring-{token}")
    staging.mkdir()
    try:
        for entry in entries:
            _size, sha = copy_with_sha256(source / entry["path"], staging / entry["path"])
            if sha != entry["sha256"]:
                raise BackupError(_("Tệp “%(path)s” thay đổi trong lúc khôi phục.") % {"path": entry["path"]})
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = None
    if media_root.exists():
        old = media_root.with_name(f"{media_root.name}.before-restore-{token}")
        media_root.rename(old)
    staging.rename(media_root)
    if old is not None:
        shutil.rmtree(old)

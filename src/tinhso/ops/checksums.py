"""sha256 of files, computed while copying so that what is recorded is exactly what was written."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

CHUNK = 1024 * 1024


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def copy_with_sha256(source: Path, target: Path) -> tuple[int, str]:
    """Copy `source` to `target` (metadata included) and return (size, sha256) of the bytes copied."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as src, open(target, "wb") as dst:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    shutil.copystat(source, target)
    return size, digest.hexdigest()

"""Orphan uploads: files under MEDIA_ROOT that no row names, moved into a quarantine and deleted later.

How a file becomes an orphan: every upload (online submission, desk registration, supplement answer,
result, report photo, data-store paper) is written to MEDIA_ROOT BEFORE the transaction that records it
commits; that order is what makes `tinhso backup` consistent (backup.py). If the transaction rolls back,
or the process is killed before the commit, the file stays on disk and no row names it: a citizen's
paper that nobody can see, back up consistently or delete (Law on Personal Data Protection: data no
longer needed is deleted).

`media_orphans_sweep` (daily job in tasks.py; `tinhso media orphans [--dry-run]`):

1. Lists the regular files under MEDIA_ROOT last modified before now - ORPHAN_GRACE_HOURS. A younger
   file may be an upload whose transaction has not committed yet: it is never touched.
2. Keeps those that no FileField column of any model names (`file_columns()`), exactly: for each batch
   of names, one `column IN (...)` query per column, on the column's index.
3. Moves each orphan into the quarantine, ORPHAN_QUARANTINE_DIR/<UTC time of the sweep>/<its path>, a
   batch at a time, in a transaction that first shuts out every writer of the file tables (SQLite: the
   write lock BEGIN IMMEDIATE takes; PostgreSQL: LOCK TABLE ... IN SHARE MODE, which waits for the
   writing transactions in flight and holds new ones until the commit) and then checks the batch again:
   a file named by a row committed since step 2 stays where it is, and no row can name a file between
   that re-check and its move. One domain event per file, `media.orphan_quarantined` (path, size and
   time of last change, never the content), in that transaction.
4. In the quarantine: a file some row names again (a path no code takes today, but a move must never
   lose a paper) is put back (`media.orphan_restored`); a file quarantined ORPHAN_QUARANTINE_DAYS ago
   or more is deleted (`media.orphan_deleted`), after the same locked re-check.

Run twice, the second run finds nothing to do. Why not race with `tinhso backup`: the backup copies,
after its database snapshot, every file a row of the snapshot names. Rows only ever ADD file names
(no code path deletes a row holding one or empties the field), so a file named at the snapshot is still
named at every later re-check and is never moved. A file the sweep moves while the backup copies is an
orphan the backup skips (media_copy ignores a file that vanished) and no row of its snapshot names.
"""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import OperationalError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.events.services import event_record

from .database import file_columns, quote
from .errors import OrphanSweepError

logger = logging.getLogger(__name__)

EVENT_QUARANTINED = "media.orphan_quarantined"
EVENT_DELETED = "media.orphan_deleted"
EVENT_RESTORED = "media.orphan_restored"
SUBJECT_TYPE = "ops.media_file"
CHECK_BATCH = 500  # names per `IN (...)` query
LOCK_BATCH = 100  # files moved or deleted per locked transaction: writers wait at most one batch
LOCK_TIMEOUT = "5s"  # PostgreSQL: give up a batch (until the next run) rather than queue writers longer
STAMP = "%Y%m%dT%H%M%SZ"
MIN_GRACE_HOURS = 1.0

QUARANTINE, DELETE, RESTORE, KEEP = "quarantine", "delete", "restore", "keep"


@dataclass
class OrphanFile:
    path: str  # relative to MEDIA_ROOT, as a FileField would hold it
    size: int
    action: str  # quarantine | delete | restore | keep (named by a row at the re-check: left alone)


@dataclass
class OrphanSweep:
    dry_run: bool
    grace_hours: float
    quarantine_days: float
    scanned: int = 0  # files under MEDIA_ROOT
    old: int = 0  # of which older than the grace period
    in_quarantine: int = 0  # files in the quarantine after the sweep (dry run: as found)
    files: list[OrphanFile] = field(default_factory=list)
    postponed: int = 0  # files left for the next run: the file tables stayed locked by others too long
    seconds: float = 0.0

    def count(self, action: str) -> int:
        return sum(1 for f in self.files if f.action == action)

    def bytes(self, action: str) -> int:
        return sum(f.size for f in self.files if f.action == action)


# --- configuration ---------------------------------------------------------------------------------

def _config() -> tuple[float, float, Path, Path]:
    grace = float(getattr(settings, "ORPHAN_GRACE_HOURS", 24))
    days = float(getattr(settings, "ORPHAN_QUARANTINE_DAYS", 7))
    if grace < MIN_GRACE_HOURS:
        raise OrphanSweepError(_(
            "TINHSO_ORPHAN_GRACE_HOURS = %(value)s quá ngắn: một tệp đang được tải lên (giao dịch chưa ghi xong) có "
            "thể bị coi là tệp mồ côi. Hãy đặt ít nhất %(min)s giờ (mặc định 24).") % {"value": grace, "min": 1})
    if days < 0:
        raise OrphanSweepError(_("TINHSO_ORPHAN_QUARANTINE_DAYS không được âm (0: xoá ngay, mặc định 7)."))
    if not isinstance(default_storage, FileSystemStorage):
        raise OrphanSweepError(_(
            "Tệp tải lên không nằm trên ổ đĩa của máy chủ (STORAGES['default'] không phải FileSystemStorage): "
            "việc dọn tệp mồ côi chỉ làm được với thư mục MEDIA_ROOT."))
    media_root = Path(settings.MEDIA_ROOT).resolve()
    quarantine = Path(getattr(settings, "ORPHAN_QUARANTINE_DIR", Path(settings.VAR_DIR) / "orphans")).resolve()
    if quarantine == media_root or media_root in quarantine.parents or quarantine in media_root.parents:
        raise OrphanSweepError(_(
            "Thư mục cách ly tệp mồ côi “%(dir)s” không được nằm trong MEDIA_ROOT hoặc chứa nó.") % {"dir": quarantine})
    if connection.vendor == "sqlite":
        mode = (connection.settings_dict.get("OPTIONS") or {}).get("transaction_mode")
        if str(mode).upper() not in {"IMMEDIATE", "EXCLUSIVE"}:
            raise OrphanSweepError(_(
                "Cơ sở dữ liệu SQLite phải mở giao dịch ở chế độ IMMEDIATE (như settings.py đặt sẵn) để việc dọn "
                "tệp mồ côi chặn được mọi thao tác ghi trong lúc kiểm tra lại."))
    elif connection.vendor != "postgresql":
        raise OrphanSweepError(_("Chưa hỗ trợ dọn tệp mồ côi với cơ sở dữ liệu loại “%(vendor)s”.")
                               % {"vendor": connection.vendor})
    return grace, days, media_root, quarantine


# --- which names rows hold -------------------------------------------------------------------------

def _storable(name: str) -> bool:
    """A name a text column can hold (a file name that is not valid UTF-8, or holds NUL, is named by no row)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in name


def _file_columns_with_directory() -> list[tuple[str, str, str]]:
    """(table, column, the directory its uploads go to: "dossiers/" for upload_to="dossiers/%Y/%m/", or "")
    of every FileField of every installed model."""
    found = set()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                upload_to = f.upload_to if isinstance(f.upload_to, str) else ""
                found.add((model._meta.db_table, f.column, upload_to.split("%", 1)[0]))
    return sorted(found)


def _lookup(cur, table: str, column: str, names: list[str]) -> set[str]:
    if not names:
        return set()
    marks = ", ".join(["%s"] * len(names))
    cur.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} IN ({marks})", names)
    return {row[0] for row in cur.fetchall()}


def referenced_names(names: Iterable[str]) -> set[str]:
    """The names among `names` that some FileField column of some row holds (exact, case-sensitive match).

    Per batch of CHECK_BATCH names: first each name in the column whose upload directory it is in (where
    nearly all are), then the names still unfound in every other column (orphans, and names a row holds by
    reference: a data-store paper attached to a dossier, a result copied into the data store). One
    `column IN (...)` query each; each file column has an index (the models' Meta.indexes), so a batch
    costs index probes, not a scan of the table."""
    columns = _file_columns_with_directory()
    found: set[str] = set()
    names = sorted({n for n in names if n and _storable(n)})
    with connection.cursor() as cur:
        for i in range(0, len(names), CHECK_BATCH):
            left = set(names[i:i + CHECK_BATCH])
            for table, column, directory in columns:
                if directory:
                    hit = _lookup(cur, table, column, sorted(n for n in left if n.startswith(directory)))
                    found |= hit
                    left -= hit
            for table, column, directory in columns:
                if not left:
                    break
                hit = _lookup(cur, table, column,
                              sorted(n for n in left if not (directory and n.startswith(directory))))
                found |= hit
                left -= hit
    return found


def _lock_out_writers() -> None:
    """Inside a transaction: no transaction can write a file table until this one ends, and every write
    committed before is visible. SQLite: BEGIN IMMEDIATE already took the database's write lock."""
    if connection.vendor == "postgresql":
        tables = sorted({table for table, _column in file_columns()})
        with connection.cursor() as cur:
            cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cur.execute(f"LOCK TABLE {', '.join(quote(t) for t in tables)} IN SHARE MODE")


# --- files -----------------------------------------------------------------------------------------

def _walk(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """(path relative to root with '/', lstat) of every regular file under root; symbolic links are neither
    followed nor listed (tinhso makes none)."""
    prefix = len(str(root)) + 1
    stack = [str(root)]
    while stack:
        directory = stack.pop()
        try:
            entries = os.scandir(directory)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue
                    yield entry.path[prefix:].replace(os.sep, "/"), st


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _move(src: Path, dst: Path) -> None:
    """Move a file without ever replacing one: atomic rename on the same file system, copy then unlink across."""
    dst.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if dst.exists():
        raise FileExistsError(errno.EEXIST, "target exists", str(dst))
    try:
        os.rename(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.copy2(src, dst)
        os.unlink(src)


def _display(rel: str) -> str:
    """The path as text that can be stored and printed (undecodable bytes shown as \\x..)."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _record(name: str, rel: str, data: dict) -> None:
    shown = _display(rel)
    subject_id = shown if len(shown) <= 60 else "sha256:" + hashlib.sha256(shown.encode()).hexdigest()[:53]
    event_record(actor=None, name=name, subject_type=SUBJECT_TYPE, subject_id=subject_id,
                 data={"path": shown, **data})


def _remove_empty_dirs(root: Path) -> None:
    if not root.is_dir():
        return
    for dirpath, _dirnames, _filenames in os.walk(root, topdown=False):
        if Path(dirpath) != root:
            try:
                os.rmdir(dirpath)
            except OSError:
                pass  # not empty


# --- the sweep -------------------------------------------------------------------------------------

def _quarantine_batch(batch: list[tuple[str, int]], *, media_root: Path, target: Path, cutoff: float,
                      result: OrphanSweep) -> None:
    moved: list[tuple[Path, Path]] = []
    done: list[OrphanFile] = []
    try:
        with transaction.atomic():
            _lock_out_writers()
            named = referenced_names(rel for rel, _size in batch)
            for rel, size in batch:
                if rel in named:
                    done.append(OrphanFile(_display(rel), size, KEEP))
                    continue
                src = media_root / rel
                try:
                    st = src.lstat()
                except FileNotFoundError:
                    continue  # another sweep moved it
                if st.st_mtime >= cutoff or os.path.lexists(target / rel):
                    continue  # written again since the listing (young), or a namesake swept this same second
                _move(src, target / rel)
                moved.append((src, target / rel))
                _record(EVENT_QUARANTINED, rel, {
                    "size": st.st_size, "quarantine": target.name,
                    "modified_at": dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc).isoformat(timespec="seconds")})
                done.append(OrphanFile(_display(rel), st.st_size, QUARANTINE))
    except BaseException:
        for src, dst in reversed(moved):  # the events rolled back: the files go back too
            try:
                _move(dst, src)
            except OSError:
                logger.exception("orphan sweep: could not put %s back after a failed batch", src)
        raise
    result.files.extend(done)


def _quarantine_settle(batch: list[tuple[Path, str, str, int]], *, media_root: Path, due: set[tuple[str, str]],
                       result: OrphanSweep) -> None:
    """Quarantined files (batch dir, path, stamp, size): put back those a row names and MEDIA_ROOT lacks, delete
    the due others (a row may name a NEW file that got the same path after the quarantine: this one stays an orphan)."""
    restored: list[tuple[Path, Path]] = []
    doomed: list[Path] = []
    done: list[OrphanFile] = []
    try:
        with transaction.atomic():
            _lock_out_writers()
            named = referenced_names(rel for _d, rel, _s, _z in batch)
            for directory, rel, stamp, size in batch:
                src, dst = directory / rel, media_root / rel
                if rel in named and not os.path.lexists(dst):
                    _move(src, dst)
                    restored.append((src, dst))
                    _record(EVENT_RESTORED, rel, {"size": size, "quarantine": stamp})
                    done.append(OrphanFile(_display(rel), size, RESTORE))
                elif (stamp, rel) in due:
                    _record(EVENT_DELETED, rel, {"size": size, "quarantine": stamp})
                    doomed.append(src)
                    done.append(OrphanFile(_display(rel), size, DELETE))
    except BaseException:
        for src, dst in reversed(restored):
            try:
                _move(dst, src)
            except OSError:
                logger.exception("orphan sweep: could not return %s to the quarantine after a failed batch", dst)
        raise
    # After the commit: the file is not at its MEDIA_ROOT path, so no row can come to name it meanwhile.
    # Killed right here, the file stays and the next run deletes it (and records it) again.
    for path in doomed:
        path.unlink(missing_ok=True)
    result.files.extend(done)


def _in_batches(items: list, size: int, apply, result: OrphanSweep) -> None:
    for i in range(0, len(items), size):
        try:
            apply(items[i:i + size])
        except OperationalError as exc:  # lock timeout (PostgreSQL) or busy (SQLite): writers come first
            result.postponed += len(items) - i
            logger.warning("orphan sweep: %s files postponed to the next run (%s)", len(items) - i, exc)
            return


def media_orphans_sweep(*, dry_run: bool = False, now: dt.datetime | None = None) -> OrphanSweep:
    """Quarantine the uploads no row names that are older than the grace period; put back the quarantined
    files a row names; delete those quarantined ORPHAN_QUARANTINE_DAYS ago. `dry_run`: report, change nothing."""
    started = time.perf_counter()
    grace, days, media_root, quarantine = _config()
    now = now or timezone.now()
    cutoff = (now - dt.timedelta(hours=grace)).timestamp()
    result = OrphanSweep(dry_run=dry_run, grace_hours=grace, quarantine_days=days)
    stamp = now.astimezone(dt.timezone.utc).strftime(STAMP)

    # 1-2. MEDIA_ROOT: the old files no row names (streamed: memory grows with the orphans only)
    orphans: list[tuple[str, int]] = []

    def old_files() -> Iterator[tuple[str, int]]:
        for rel, st in _walk(media_root):
            result.scanned += 1
            if st.st_mtime < cutoff:
                result.old += 1
                yield rel, st.st_size

    for chunk in _chunks(old_files(), CHECK_BATCH):
        named = referenced_names(rel for rel, _size in chunk)
        orphans.extend((rel, size) for rel, size in chunk if rel not in named)
    orphans.sort()

    # 3. into the quarantine, re-checked with the writers shut out
    if dry_run:
        result.files.extend(OrphanFile(_display(rel), size, QUARANTINE) for rel, size in orphans)
    elif orphans:
        quarantine.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = quarantine / stamp
        _in_batches(orphans, LOCK_BATCH, lambda batch: _quarantine_batch(
            batch, media_root=media_root, target=target, cutoff=cutoff, result=result), result)

    # 4. the quarantine: put back what a row names, delete what is due
    held = []
    if quarantine.is_dir():
        for entry in sorted(quarantine.iterdir()):
            try:
                when = dt.datetime.strptime(entry.name, STAMP).replace(tzinfo=dt.timezone.utc)
            except ValueError:
                continue  # not a sweep's directory: not ours
            if entry.is_dir() and not entry.is_symlink():
                held.extend((entry, rel, entry.name, st.st_size, when) for rel, st in _walk(entry))
    horizon = now - dt.timedelta(days=days)
    named = {rel for rel in referenced_names(h[1] for h in held) if not os.path.lexists(media_root / rel)}
    due = {(h[2], h[1]) for h in held if h[4] <= horizon and h[1] not in named}
    todo = [(d, rel, s, size) for d, rel, s, size, _when in held if rel in named or (s, rel) in due]
    if dry_run:
        result.files.extend(OrphanFile(_display(rel), size, RESTORE if rel in named else DELETE)
                            for _d, rel, _s, size in todo)
    elif todo:
        _in_batches(todo, LOCK_BATCH, lambda batch: _quarantine_settle(
            batch, media_root=media_root, due=due, result=result), result)
        _remove_empty_dirs(quarantine)
    result.in_quarantine = len(held) - (0 if dry_run else result.count(DELETE) + result.count(RESTORE))
    result.seconds = time.perf_counter() - started
    logger.info("orphan sweep%s: %s files, %s old, quarantined %s, deleted %s, restored %s, kept %s, postponed %s, "
                "%.2f s", " (dry run)" if dry_run else "", result.scanned, result.old, result.count(QUARANTINE),
                result.count(DELETE), result.count(RESTORE), result.count(KEEP), result.postponed, result.seconds)
    return result

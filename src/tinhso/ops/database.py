"""Consistent snapshots of the database and their restoration, for SQLite and PostgreSQL.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page inside ONE read
transaction, so the copy is the database as of one instant, while the platform keeps writing (WAL).
PostgreSQL: a REPEATABLE READ transaction exports its snapshot (`pg_export_snapshot()`); `pg_dump
--snapshot` dumps exactly that snapshot, and the row counts and referenced file names are read in the
same transaction, so the manifest describes the dump and nothing later.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from .errors import BackupError

SQLITE_DUMP = "database.sqlite3"
POSTGRES_DUMP = "database.pgdump"
DUMP_FILES = {"sqlite": SQLITE_DUMP, "postgresql": POSTGRES_DUMP}


@dataclass
class Snapshot:
    vendor: str
    dump: Path
    server_version: str
    tables: dict[str, int] = field(default_factory=dict)
    referenced_files: set[str] = field(default_factory=set)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def file_columns() -> list[tuple[str, str]]:
    """(table, column) of every FileField/ImageField of every installed model."""
    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                found.append((model._meta.db_table, f.column))
    return sorted(set(found))


def _counts_and_files(cursor, tables: list[str]) -> tuple[dict[str, int], set[str]]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    referenced: set[str] = set()
    for table, column in file_columns():
        if table in counts:
            cursor.execute(f"SELECT DISTINCT {quote(column)} FROM {quote(table)} "
                           f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> ''")
            referenced.update(row[0] for row in cursor.fetchall())
    return counts, referenced


# --- SQLite ----------------------------------------------------------------------------------------

def sqlite_connect(path: Path | str, **kwargs) -> sqlite3.Connection:
    """A plain sqlite3 connection with Django's SQL functions (REGEXP, ...) that CHECK constraints may call,
    so that `PRAGMA integrity_check` can evaluate them."""
    from django.db.backends.sqlite3._functions import register

    conn = sqlite3.connect(path, **kwargs)
    register(conn)
    return conn


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [r[0] for r in rows]


def sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite_connect(path, timeout=30)
    try:
        counts, _files = _counts_and_files(conn.cursor(), _sqlite_tables(conn))
        return counts
    finally:
        conn.close()


def sqlite_snapshot(settings_dict: dict, target: Path) -> Snapshot:
    source = Path(settings_dict["NAME"])
    if not source.is_file():
        raise BackupError(_("Không thấy tệp cơ sở dữ liệu SQLite “%(path)s”. Hãy kiểm tra DATABASE_URL hoặc "
                            "TINHSO_VAR_DIR.") % {"path": source})
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite_connect(target)
    try:
        src.backup(dst)  # pages=-1: every page in one step, i.e. one consistent read transaction
    finally:
        src.close()
    try:
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(_("Bản sao cơ sở dữ liệu không qua được kiểm tra toàn vẹn (PRAGMA integrity_check: "
                                "%(result)s). Không dùng bản sao lưu này.") % {"result": check})
        counts, referenced = _counts_and_files(dst.cursor(), _sqlite_tables(dst))
        version = dst.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        dst.close()
    return Snapshot("sqlite", target, version, counts, referenced)


def sqlite_restore(dump: Path, settings_dict: dict) -> dict[str, int]:
    """Copy the dump over the configured database with the backup API (holds the write lock throughout)."""
    target = Path(settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(dump)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return sqlite_counts(target)


# --- PostgreSQL ------------------------------------------------------------------------------------

def _pg_conninfo(settings_dict: dict) -> dict:
    params = {"dbname": settings_dict["NAME"], "user": settings_dict.get("USER"),
              "password": settings_dict.get("PASSWORD"), "host": settings_dict.get("HOST"),
              "port": str(settings_dict.get("PORT") or "")}
    return {k: v for k, v in params.items() if v}


def _pg_env(settings_dict: dict) -> dict:
    """Connection settings for pg_dump/pg_restore through the environment (no password on the command line)."""
    env = os.environ.copy()
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
    for key, value in _pg_conninfo(settings_dict).items():
        env[names[key]] = value
    return env


def pg_tool(name: str, server_major: int) -> str:
    """The path of a PostgreSQL client tool whose major version can read/write this server's data."""
    path = shutil.which(name)
    if not path:
        raise BackupError(_("Không tìm thấy công cụ %(tool)s của PostgreSQL trên máy này. Hãy cài gói "
                            "postgresql-client phiên bản %(major)s (cùng phiên bản chính với máy chủ) rồi chạy lại.")
                          % {"tool": name, "major": server_major})
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.\d+)", out)
    tool_major = int(match.group(1)) if match else 0
    if tool_major < server_major:
        raise BackupError(_("%(tool)s phiên bản %(tool_major)s cũ hơn máy chủ PostgreSQL %(major)s: không dùng được. "
                            "Hãy cài postgresql-client phiên bản %(major)s rồi chạy lại.")
                          % {"tool": name, "tool_major": tool_major, "major": server_major})
    return path


def _pg_connect(settings_dict: dict):
    import psycopg

    try:
        return psycopg.connect(**_pg_conninfo(settings_dict))
    except psycopg.OperationalError as exc:
        raise BackupError(_("Không kết nối được tới PostgreSQL “%(name)s”: %(error)s") %
                          {"name": settings_dict["NAME"], "error": exc}) from None


_PG_TABLES = ("SELECT table_name FROM information_schema.tables "
              "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")


def postgres_counts(settings_dict: dict) -> dict[str, int]:
    with _pg_connect(settings_dict) as conn, conn.cursor() as cur:
        cur.execute(_PG_TABLES)
        counts, _files = _counts_and_files(cur, [r[0] for r in cur.fetchall()])
        return counts


def postgres_snapshot(settings_dict: dict, target: Path) -> Snapshot:
    conn = _pg_connect(settings_dict)
    try:
        server_major = conn.info.server_version // 10000
        pg_dump = pg_tool("pg_dump", server_major)
        with conn.cursor() as cur:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot_id = cur.fetchone()[0]
            result = subprocess.run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}"],
                env=_pg_env(settings_dict), capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise BackupError(_("pg_dump thất bại: %(error)s") % {"error": result.stderr.strip()[-2000:]})
            cur.execute(_PG_TABLES)
            counts, referenced = _counts_and_files(cur, [r[0] for r in cur.fetchall()])
            cur.execute("COMMIT")
        version = str(conn.info.server_version)
    finally:
        conn.close()
    return Snapshot("postgresql", target, version, counts, referenced)


def postgres_restore(dump: Path, settings_dict: dict, *, dump_server_version: str) -> dict[str, int]:
    """pg_restore in one transaction: on any error the database is left as it was."""
    conn = _pg_connect(settings_dict)
    server_major = conn.info.server_version // 10000
    conn.close()
    pg_restore = pg_tool("pg_restore", max(server_major, int(dump_server_version or 0) // 10000))
    result = subprocess.run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
         f"--dbname={settings_dict['NAME']}", str(dump)],
        env=_pg_env(settings_dict), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(_("pg_restore thất bại, cơ sở dữ liệu giữ nguyên như trước: %(error)s")
                          % {"error": result.stderr.strip()[-2000:]})
    return postgres_counts(settings_dict)

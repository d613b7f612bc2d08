"""Bulk writes of the simulation: rows as tuples, many at a time, into the domains' own tables.

SQLite: `executemany` on the raw DB-API cursor (many rows per INSERT), one transaction per chunk, and for the duration of a
run outside any transaction (the command, the demo) `synchronous=OFF`, a large page cache, temp store in
memory and foreign-key checks off; every one is put back afterwards; for a large load the plain secondary
indexes are dropped and built once at the end (`indexes_deferred`). PostgreSQL: `COPY ... FROM STDIN`.

Ids are given explicitly (max + 1 at the start of each chunk, read under the chunk's lock), so that the
same seed on the same database writes the same rows, and so that the audit hashes, which cover the
record's id, can be computed before the rows are written. On PostgreSQL the written tables are locked
for the chunk (`SHARE ROW EXCLUSIVE`: reads go on, concurrent inserts wait) and their identity sequences
moved past the new ids; on SQLite the chunk's transaction holds the database's write lock anyway.
"""
from __future__ import annotations

import itertools
from contextlib import contextmanager

from django.db import connection, transaction


class Table:
    """One table: the columns the simulation fills, in order, and constant values for any other column
    the model has (its default, or NULL), so that a field added to a model later does not break the
    writer; a new required field without a default is refused by name."""

    def __init__(self, model, columns: list[str]):
        self.model = model
        self.name = model._meta.db_table
        by_column = {f.column: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in by_column]
        if unknown:
            raise ValueError(f"{self.name}: no column {', '.join(unknown)}")
        tail, extra = [], []
        for column, field in by_column.items():
            if column in columns:
                continue
            if field.has_default():
                value = field.get_db_prep_save(field.get_default(), connection)
            elif field.null:
                value = None
            else:
                raise ValueError(f"{self.name}.{column} is required and has no default: teach the simulation "
                                 "what to write there")
            extra.append(column)
            tail.append(value)
        self.columns = list(columns) + extra
        self.tail = tuple(tail)
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        self.insert_head = f"INSERT INTO {connection.ops.quote_name(self.name)} ({quoted}) VALUES "
        self.one_row = f"({', '.join(['?'] * len(self.columns))})"
        # SQLite: many rows per INSERT statement. Django's tables are AUTOINCREMENT, and SQLite reads and
        # writes sqlite_sequence once per statement: one row per statement costs about three times more.
        self.rows_per_statement = max(1, min(200, 30_000 // len(self.columns)))
        self.many_sql = self.insert_head + ", ".join([self.one_row] * self.rows_per_statement)
        self.insert_sql = self.insert_head + self.one_row
        self.copy_sql = f"COPY {connection.ops.quote_name(self.name)} ({quoted}) FROM STDIN"
        self.has_id = "id" in self.columns


class Writer:
    """Writes tuples into tables in the current transaction; counts what it wrote."""

    def __init__(self):
        connection.ensure_connection()
        self.postgres = connection.vendor == "postgresql"
        self.raw = connection.connection.cursor()
        self.rows_written: dict[str, int] = {}

    def write(self, table: Table, rows: list[tuple]) -> None:
        self.write_prepared(table, self.prepare(table, rows))

    def prepare(self, table: Table, rows: list[tuple]) -> tuple:
        """The parameters of the statements that write these rows (pure Python: a forked generator prepares them,
        so that the writing process only runs the statements)."""
        n = len(rows)
        if not n:
            return (0, None, None)
        if table.tail:
            tail = table.tail
            rows = [r + tail for r in rows]
        if self.postgres:
            return (n, rows, None)
        k = table.rows_per_statement
        full = n - n % k
        chain = itertools.chain.from_iterable
        many = [tuple(chain(rows[i:i + k])) for i in range(0, full, k)] if full else None
        rest = tuple(chain(rows[full:])) if full < n else None
        return (n, many, rest)

    def write_prepared(self, table: Table, prepared: tuple) -> None:
        n, many, rest = prepared
        if not n:
            return
        if self.postgres:
            with self.raw.copy(table.copy_sql) as copy:
                write_row = copy.write_row
                for row in many:
                    write_row(row)
        else:
            if many:
                self.raw.executemany(table.many_sql, many)
            if rest:
                m = len(rest) // len(table.columns)
                self.raw.execute(table.insert_head + ", ".join([table.one_row] * m), rest)
        self.rows_written[table.name] = self.rows_written.get(table.name, 0) + n

    def lock(self, tables: list[Table | str]) -> None:
        """PostgreSQL: no concurrent insert into these tables until the chunk commits."""
        if self.postgres:
            names = ", ".join(connection.ops.quote_name(t if isinstance(t, str) else t.name) for t in tables)
            with connection.cursor() as cur:
                cur.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")

    def next_ids(self, tables: list[Table]) -> dict[str, int]:
        out = {}
        with connection.cursor() as cur:
            for t in tables:
                if t.has_id:
                    cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(t.name)}")
                    out[t.name] = cur.fetchone()[0] + 1
        return out

    def sequences_past(self, next_ids: dict[str, int]) -> None:
        """PostgreSQL: the identity sequences continue after the ids written explicitly."""
        if not self.postgres:
            return
        with connection.cursor() as cur:
            for name, nxt in next_ids.items():
                cur.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [name, max(nxt, 1)])

    def total_rows(self) -> int:
        return sum(self.rows_written.values())


@contextmanager
def bulk_session():
    """SQLite outside a transaction: bulk-load settings of this connection for the duration only."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    settings = {"synchronous": "OFF", "cache_size": "-262144", "temp_store": "MEMORY", "foreign_keys": "OFF"}
    before = {}
    with connection.cursor() as cur:
        for name, value in settings.items():
            cur.execute(f"PRAGMA {name}")
            before[name] = cur.fetchone()[0]
            cur.execute(f"PRAGMA {name}={value}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            for name, value in before.items():
                cur.execute(f"PRAGMA {name}={value}")


# --- SQLite: plain secondary indexes built once after the load instead of row by row during it ------------------

def _plain(sql: str) -> bool:
    """A plain index: not UNIQUE (no constraint is lifted while it is away) and not partial."""
    return sql.startswith("CREATE INDEX ") and " WHERE " not in sql


def plain_indexes(models) -> list[tuple[str, str]]:
    """(name, CREATE INDEX ...) of the plain secondary indexes of these models' tables, as the database has them."""
    names = sorted({m._meta.db_table for m in models})
    with connection.cursor() as cur:
        cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                    f"AND tbl_name IN ({', '.join(['%s'] * len(names))}) ORDER BY tbl_name, name", names)
        return [(name, sql) for name, sql in cur.fetchall() if _plain(sql)]


def restore_missing_indexes(models) -> list[str]:
    """Create any plain index the models declare that the database lacks (a run killed while its indexes were
    away); returns their names. SQLite only."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        have = {name for (name,) in cur.fetchall()}
    missing = []
    # Not entered as a context: SQLite's schema editor would switch the foreign-key checks back on at its exit.
    editor = connection.schema_editor(collect_sql=True)
    for model in models:
        for statement in editor._model_indexes_sql(model):
            sql = str(statement)
            name = getattr(statement, "parts", {}).get("name")
            name = str(name).strip('"') if name is not None else None
            if name and name not in have and _plain(sql):
                missing.append((name, sql))
    if missing:
        with transaction.atomic(), connection.cursor() as cur:
            for _name, sql in missing:
                cur.execute(sql)
    return [name for name, _sql in missing]


@contextmanager
def indexes_deferred(models, enabled: bool = True):
    """SQLite, a large load: drop the plain secondary indexes of these tables for the duration and build them
    again at the end (one sort per index instead of one B-tree descent per row and index: at 100,000 dossiers
    the load with the indexes in place took ~1.5 times as long). Only plain indexes: every UNIQUE index (and
    so every constraint) and every partial index stays and is checked row by row. Whatever happens in the block,
    the indexes are built again before leaving it (a killed process leaves them missing:
    `restore_missing_indexes`, which `simulate` calls at its start, puts them back)."""
    if not enabled or connection.vendor != "sqlite":
        yield []
        return
    dropped = plain_indexes(models)
    with transaction.atomic(), connection.cursor() as cur:
        for name, _sql in dropped:
            cur.execute(f'DROP INDEX "{name}"')
    try:
        yield dropped
    finally:
        with transaction.atomic(), connection.cursor() as cur:
            for name, sql in dropped:
                cur.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))

"""Database triggers refusing UPDATE and DELETE of append-only tables.

- PostgreSQL: BEFORE UPDATE OR DELETE, row level, raising SQLSTATE 23000 (an IntegrityError in
  Django). TRUNCATE (used by `flush` and by test teardown) is not affected.
- SQLite: BEFORE UPDATE only. `flush` empties tables with DELETE FROM in no fixed order, so a DELETE
  trigger would break test teardown and `tinhso flush`; deletion is refused by the ORM there.
  SQLite drops a table's triggers when a migration rebuilds the table, so they are re-created after
  every `migrate` (post_migrate), idempotently.

Triggers stop mistakes and casual edits, not an owner of the database: `tinhso audit verify` detects
tampering done after dropping them.
"""
from __future__ import annotations

from django.db import connection as default_connection

# table -> also refuse DELETE (PostgreSQL); ChainHead is updated (it moves forward), never deleted.
APPEND_ONLY_TABLES: dict[str, tuple[bool, bool]] = {}  # table -> (refuse_update, refuse_delete)


def protect_table(table: str, *, update: bool = True, delete: bool = True) -> None:
    APPEND_ONLY_TABLES[table] = (update, delete)


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION tinhso_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = '23000';
END $$;
"""


def _name(table: str, op: str) -> str:
    return f"tinhso_audit_no_{op}_{table}"[:63]


def _table_exists(connection, table: str) -> bool:
    with connection.cursor() as cur:
        return table in connection.introspection.table_names(cur)


def install(connection=None) -> list[str]:
    """Create (or re-create) the triggers of every protected table that exists. Returns their names."""
    connection = connection or default_connection
    made = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(PG_FUNCTION)
        for table, (update, delete) in APPEND_ONLY_TABLES.items():
            if not _table_exists(connection, table):
                continue
            qt = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                ops = [op for op, on in (("update", update), ("delete", delete)) if on]
                for op in ops:
                    name = _name(table, op)
                    cur.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {qt}')
                    cur.execute(f'CREATE TRIGGER "{name}" BEFORE {op.upper()} ON {qt} '
                                f"FOR EACH ROW EXECUTE FUNCTION tinhso_audit_refuse_change()")
                    made.append(name)
            elif connection.vendor == "sqlite" and update:
                name = _name(table, "update")
                cur.execute(f'CREATE TRIGGER IF NOT EXISTS "{name}" BEFORE UPDATE ON {qt} BEGIN '
                            f"SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused'); END")
                made.append(name)
    return made


def drop(connection, table: str) -> None:
    """Remove the triggers of one table (used by the tests that simulate an attacker; never in code)."""
    qt = connection.ops.quote_name(table)
    with connection.cursor() as cur:
        for op in ("update", "delete"):
            name = _name(table, op)
            if connection.vendor == "postgresql":
                cur.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {qt}')
            else:
                cur.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def install_after_migrate(sender, using, **kwargs):
    from django.db import connections

    install(connections[using])

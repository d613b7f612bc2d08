"""Reference data of reports kept in each process: categories with their questions, and Open311 API keys.

Creating a report needs its API key, its category and the category's questions: three ORM queries that
cost about half of the request. They are read once per process and kept. Every use checks one stamp
row (`ReferenceStamp`, one raw SELECT of a primary key) whose token the DATABASE changes, by triggers,
on any INSERT, UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) of the categories, their questions, the
routing rules and the API keys, whoever writes (services, admin, a bulk update, raw SQL, another
process). A new token: everything is read again at the next use. So a revoked key or a withdrawn
category is refused at once by every process, and nothing depends on one process.

Tokens are random (never a counter), so a rolled-back change can never bring back a token that names
other data. No stamp row (a flushed database, until the next `migrate`): nothing is kept, every use
reads the tables.

The objects are shared by every request of the process: read them, never change them.

SQLite drops a table's triggers when a migration rebuilds the table, so `install_triggers` runs after
every `migrate` (post_migrate, idempotent), like the audit's triggers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection as default_connection

from .models import ApiKey, Category, CategoryAttribute, ReferenceStamp

WATCHED_TABLES = ("feedback_category", "feedback_categoryattribute", "feedback_routingrule", "feedback_apikey")
STAMP_TABLE = "feedback_referencestamp"
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tinhso_feedback_reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {STAMP_TABLE} SET token = gen_random_uuid()::text WHERE id = 1;
  RETURN NULL;
END $$;
"""
# An UPDATE, not an upsert: SQLite applies the conflict policy of the statement that fired the trigger
# (INSERT OR IGNORE would silently skip an upsert here).
SQLITE_NEW_TOKEN = f"UPDATE {STAMP_TABLE} SET token = lower(hex(randomblob(16))) WHERE id = 1"


@dataclass(frozen=True)
class Reference:
    categories: dict[str, Category] = field(default_factory=dict)  # by code, active or not
    attributes: dict[int, tuple[CategoryAttribute, ...]] = field(default_factory=dict)  # by category id, in order
    api_keys: dict[str, ApiKey] = field(default_factory=dict)  # by SHA-256 of the raw key, active or not
    token: str = ""  # the stamp's token these were read under ("": no stamp row, not kept)

    def category(self, code: str) -> Category | None:
        """The ACTIVE category with this code."""
        cat = self.categories.get(code)
        return cat if cat is not None and cat.active else None

    def attributes_of(self, category_id: int) -> tuple[CategoryAttribute, ...]:
        return self.attributes.get(category_id, ())

    def api_key(self, key_hash: str) -> ApiKey | None:
        """The ACTIVE key with this hash."""
        key = self.api_keys.get(key_hash)
        return key if key is not None and key.active else None


_current: tuple[str, Reference] | None = None  # (token, data); replaced whole, never changed in place


def _stamp(connection) -> str | None:
    with connection.cursor() as cur:
        cur.execute(f"SELECT token FROM {STAMP_TABLE} WHERE id = 1")
        row = cur.fetchone()
    return row[0] if row else None


def _load() -> Reference:
    categories = {c.code: c for c in Category.objects.all()}
    attributes: dict[int, list[CategoryAttribute]] = {}
    for a in CategoryAttribute.objects.order_by("category_id", "order", "id"):
        attributes.setdefault(a.category_id, []).append(a)
    keys = {k.key_hash: k for k in ApiKey.objects.all()}
    return Reference(categories=categories, attributes={k: tuple(v) for k, v in attributes.items()}, api_keys=keys)


def current() -> Reference:
    """The reference data as the database has it now (one small query when nothing changed)."""
    global _current
    token = _stamp(default_connection)
    kept = _current
    if token is not None and kept is not None and kept[0] == token:
        return kept[1]
    data = _load()
    if token is not None:
        data = Reference(categories=data.categories, attributes=data.attributes, api_keys=data.api_keys, token=token)
        _current = (token, data)
    return data


def kept() -> Reference:
    """What this process kept, WITHOUT checking the stamp (`current()` when nothing is kept). Only for a
    writer that checks the stamp in its own transaction (`GUARD_SQL`, see feedback.services.report_create)
    and, on `Stale`, starts again with `current()`."""
    held = _current
    return held[1] if held is not None else current()


def is_current(ref: Reference) -> bool:
    """Is `ref` still what the database holds (one small query)?"""
    return bool(ref.token) and _stamp(default_connection) == ref.token


class Stale(Exception):
    """The reference data changed between the check of a request and its write: nothing was written."""


# A statement that fails when the stamp's token is no longer %s (PostgreSQL: the text cast of the ELSE
# branch depends on the row, so it is evaluated, and fails, only then). Sent first in a one-round-trip
# creation (tinhso.events.batch.guard): the whole creation is then written or refused against one token.
STALE_MARK = "tinhso-reference-changed"
GUARD_SQL = (f"SELECT CASE WHEN token = %s THEN 1 ELSE ('{STALE_MARK} ' || token)::integer END "
             f"FROM {STAMP_TABLE} WHERE id = 1")


def is_stale_error(exc: BaseException) -> bool:
    """Did the write fail on GUARD_SQL?"""
    return STALE_MARK in str(exc)


def clear() -> None:
    """Forget what this process kept (tests; never needed for correctness)."""
    global _current
    _current = None


# --- the triggers ----------------------------------------------------------------------------------------

def _trigger_name(table: str, op: str) -> str:
    return f"tinhso_fb_ref_{op}_{table}"[:63]


def install_triggers(connection=None) -> list[str]:
    """Create (or re-create) the triggers that change the stamp, and the stamp row. Idempotent."""
    connection = connection or default_connection
    made: list[str] = []
    with connection.cursor() as cur:
        tables = set(connection.introspection.table_names(cur))
        if STAMP_TABLE not in tables:
            return made
        if connection.vendor == "postgresql":
            cur.execute(PG_FUNCTION)
            for table in WATCHED_TABLES:
                if table not in tables:
                    continue
                for ops, level, suffix in (("INSERT OR UPDATE OR DELETE", "STATEMENT", "change"),
                                           ("TRUNCATE", "STATEMENT", "truncate")):
                    name = _trigger_name(table, suffix)
                    cur.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
                    cur.execute(f'CREATE TRIGGER "{name}" AFTER {ops} ON "{table}" FOR EACH {level} '
                                f"EXECUTE FUNCTION tinhso_feedback_reference_changed()")
                    made.append(name)
            cur.execute(f"INSERT INTO {STAMP_TABLE} (id, token) VALUES (1, gen_random_uuid()::text) "
                        f"ON CONFLICT (id) DO NOTHING")
        elif connection.vendor == "sqlite":
            for table in WATCHED_TABLES:
                if table not in tables:
                    continue
                for op in ("INSERT", "UPDATE", "DELETE"):
                    name = _trigger_name(table, op.lower())
                    cur.execute(f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {op} ON "{table}" '
                                f"FOR EACH ROW BEGIN {SQLITE_NEW_TOKEN}; END")
                    made.append(name)
            cur.execute(f"INSERT OR IGNORE INTO {STAMP_TABLE} (id, token) VALUES (1, lower(hex(randomblob(16))))")
    return made


def install_after_migrate(sender, using, **kwargs):
    from django.db import connections

    install_triggers(connections[using])


__all__ = ["Reference", "ReferenceStamp", "current", "clear", "install_triggers"]

"""Writes of one change sent to PostgreSQL in one round trip.

Creating a citizen report wrote five rows (the report, its history row, the domain event, scoring's fact
and its daily sum) with a statement each, between a BEGIN and a COMMIT, after taking the report's number
in its own transaction: nine round trips to the database, which were most of the request's time
(bench/reports_create.py). Inside `one_round_trip()` on PostgreSQL, `insert()` and `execute()` do not
send their statement: they collect it, and the block's end sends everything as ONE query of several
statements, in explicit transactions:

    BEGIN; SET LOCAL synchronous_commit TO off; <first>; COMMIT;    -- optional: e.g. take a number
    BEGIN; <guard>; <the collected writes>; COMMIT;                 -- the change: all or nothing
    SELECT nextval(...)                                             -- ids for this thread's next block

A failing statement abandons the rest of the query: the change's transaction is rolled back (nothing of it
is written, and its domain event goes with it). `first` runs in its own transaction, committed without
waiting for the disk, so that a counter row it updates is not locked through the change's commit (the
change's own commit waits for the disk, and PostgreSQL flushes its log in order: a change that survives a
crash has its `first` flushed before it). Its row is `trip.first_row` after the block. A later statement
may use what `first` left in a session setting (`current_setting(...)`) through `Sql` values.

What this asks of the code inside the block:
- nothing may need an answer from the database. A new row of a model named in `ids_for` takes an id from
  this thread's pool (prefetched by the previous block's last statement; the first block of a connection
  reserves one with a round trip of its own), so that the code can use `obj.pk`; a new row of any other
  model gets its id from the database and the instance does not learn it. A prefetched id is used once or
  dropped (a failed block drops the thread's ids); ids are unique but, across processes, not in commit order;
- a field's value may be `Sql("expression")`, written into the statement as is (a JSON field: a top-level
  key's value, merged in with `jsonb_build_object`), e.g. a number taken by `first`;
- nothing may read what the block wrote (it is not written yet): reads of other rows are fine;
- work to do after the commit (mail) goes after the block, not to `transaction.on_commit`;
- `guard(sql, params)` puts first in the change a statement that must raise when what the caller checked
  has changed since (e.g. the reference data a report was validated against): then nothing is written.

Everywhere else (SQLite, or already inside a transaction, or no block) `insert()` and `execute()` run at
once, and the caller's `transaction.atomic()` is the transaction. `available()` says which applies.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from threading import local

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import signals

_state = local()  # .trip: the open block; .pool: {"conn": <psycopg connection id>, "ids": {label: [ids]}}
_INSERTS: dict[tuple[str, str, bool], tuple[str, list]] = {}


class Sql(str):
    """A value written into a statement as SQL (an expression), not as a parameter. Only inside a block."""


class Trip:
    """What one `one_round_trip()` block collects, and (after it) what came back."""

    def __init__(self, ids_for: tuple):
        self.ids_for = {m._meta.label: m for m in ids_for}
        self.statements: list[tuple[str, list]] = []
        self.guards: list[tuple[str, list]] = []
        self.taken: set[str] = set()
        self.first_row: tuple | None = None

    def add(self, sql: str, params) -> None:
        self.statements.append((sql, list(params)))

    def take_id(self, model) -> int:
        label = model._meta.label
        ids = _pool().setdefault(label, [])
        if not ids:
            ids.append(_next_id(model))  # the connection's first block: one round trip
        self.taken.add(label)
        return ids.pop(0)


def current() -> Trip | None:
    """The block collecting this thread's writes, if any."""
    return getattr(_state, "trip", None)


def available() -> bool:
    """Can the next writes go in one round trip? PostgreSQL, outside any transaction and any block."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block and current() is None


def nextval_sql(model) -> str:
    """An SQL expression taking the next id of `model`'s table (its identity sequence)."""
    table, column = model._meta.db_table, model._meta.pk.column
    return f"nextval(pg_get_serial_sequence('{table}', '{column}'))"


def _pool() -> dict[str, list[int]]:
    """This thread's prefetched ids, valid for its current database connection only."""
    conn_id = id(connection.connection)
    pool = getattr(_state, "pool", None)
    if pool is None or pool["conn"] != conn_id:
        pool = _state.pool = {"conn": conn_id, "ids": {}}
    return pool["ids"]


def _prepared_names() -> dict | None:
    """{"names": {statement text: name}, "counter": n} of the statements this thread prepared on its current
    connection, or None where statements are not prepared (not PostgreSQL, or TINHSO_PG_PREPARED=0: a
    connection pooler in transaction mode). A name is never used twice on a connection: one prepared in a
    round trip that failed is forgotten (it may or may not exist) and its statement prepared anew under a
    new name."""
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        return None
    conn_id = id(connection.connection)
    prepared = getattr(_state, "prepared", None)
    if prepared is None or prepared["conn"] != conn_id:
        prepared = _state.prepared = {"conn": conn_id, "names": {}, "counter": 0}
    return prepared


def _numbered(sql: str) -> str:
    """`%s` placeholders as PostgreSQL's `$1`, `$2`... (the texts here hold no other `%`)."""
    pieces = sql.split("%s")
    return "".join(piece + (f"${i}" if i < len(pieces) else "") for i, piece in enumerate(pieces, start=1))


def forget_ids() -> None:
    """Drop the prefetched ids (after a failed block: they are not used again)."""
    _state.pool = None


def _prefetch_sql(models_: list) -> str:
    return "SELECT " + ", ".join(nextval_sql(m) for m in models_)


def _next_id(model) -> int:
    with connection.cursor() as cur:
        cur.execute(_prefetch_sql([model]))
        return cur.fetchone()[0]


@contextmanager
def one_round_trip(*, first: tuple[str, list] | None = None, ids_for: tuple = ()):
    """Collect the writes of the block and send them as one query at its end (see the module). `first`:
    (sql, params) run before, in its own transaction; its row is `trip.first_row` afterwards. `ids_for`:
    the models whose new rows need their id in Python. Must be entered only when `available()`; an
    exception inside sends nothing."""
    if not available():
        raise RuntimeError("one_round_trip: only on PostgreSQL outside a transaction (see available())")
    trip = Trip(ids_for)
    _state.trip = trip
    try:
        yield trip
    finally:
        _state.trip = None
    parts = []
    if first is not None:
        parts += [("BEGIN", None), ("SET LOCAL synchronous_commit TO off", None), first, ("COMMIT", None)]
    parts += [("BEGIN", None), *trip.guards, *trip.statements, ("COMMIT", None)]
    refill = [trip.ids_for[label] for label in sorted(trip.taken)]
    if refill:
        parts.append((_prefetch_sql(refill), None))
    rows = []
    with connection.cursor() as cur:
        raw = cur.cursor
        prepared = _prepared_names()
        new: dict[str, str] = {}
        try:
            # Each statement bound on the client (psycopg keeps the parsing of each statement's text), then
            # all of them as one query, sent as it is (no parameters: nothing in it is parsed again). Where the
            # server may keep prepared statements (settings: TINHSO_PG_PREPARED), each statement's text is
            # prepared once per connection and EXECUTEd with its values: planning a report's INSERT cost
            # more than running it.
            texts = []
            for sql, params in parts:
                if not params:
                    texts.append(sql)
                elif prepared is None:
                    texts.append(raw.mogrify(sql, params))
                else:
                    name = prepared["names"].get(sql) or new.get(sql)
                    if name is None:
                        prepared["counter"] += 1
                        name = new[sql] = f"tinhso_batch_{prepared['counter']}"
                    texts.append(raw.mogrify(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params))
            if new:  # right after the first BEGIN: prepared inside the query's first transaction
                texts[1:1] = [f"PREPARE {name} AS {_numbered(sql)}" for sql, name in new.items()]
            cur.execute(";\n".join(texts))
            while True:
                if raw.description is not None:
                    rows.append(raw.fetchone())
                if not raw.nextset():
                    break
        except Exception:
            forget_ids()
            if connection.connection is not None and connection.connection.info.transaction_status:
                connection.connection.rollback()  # the abandoned transaction block (autocommit connection)
            raise
    if prepared is not None:
        prepared["names"].update(new)
    if first is not None:
        trip.first_row = rows[0]
    if refill:
        pool = _pool()
        for model, value in zip(refill, rows[-1]):
            pool.setdefault(model._meta.label, []).append(value)


def guard(sql: str, params=()) -> None:
    """A statement, sent first in the block's change, that raises (and so writes nothing) when what the caller
    relied on has changed since."""
    trip = current()
    if trip is None:
        raise RuntimeError("batch.guard: only inside a one_round_trip() block")
    trip.guards.append((sql, list(params)))


def execute(sql: str, params=()) -> None:
    """A write that needs no answer: collected inside a block, run at once elsewhere."""
    trip = current()
    if trip is not None:
        trip.add(sql, params)
        return
    with connection.cursor() as cur:
        cur.execute(sql, params)


# Fields whose value, when it is already of this exact type (or None), is what their `get_db_prep_save` would
# return: their conversion is skipped (it was a fifth of building a report's statements).
_PLAIN_TYPES = ((models.AutoField, int), (models.BooleanField, bool), (models.IntegerField, int),
                (models.CharField, str), (models.TextField, str), (models.ForeignKey, int))


def _plain_type(field):
    if field.get_db_prep_save.__func__ is not models.Field.get_db_prep_save and not isinstance(field, models.ForeignKey):
        return None  # a field with its own save conversion: always converted
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        return int if isinstance(target, (models.AutoField, models.IntegerField)) and _plain_type(target) else None
    for kind, python_type in _PLAIN_TYPES:
        if isinstance(field, kind):
            return python_type
    return None


def _insert_sql(model, with_pk: bool) -> tuple[str, list]:
    key = (connection.vendor, model._meta.label, with_pk)
    if key not in _INSERTS:
        q = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        sql = (f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        _INSERTS[key] = (sql, [(f, _plain_type(f)) for f in fields])
    return _INSERTS[key]


def _prep(field, plain, value, conn):
    if value is None and plain is not None:
        return None
    if plain is not None and type(value) is plain:
        return value
    return field.get_db_prep_save(value, conn)


def _collect(sql: str, fields: list, obj, conn) -> None:
    """Add an INSERT to the open block, with `Sql` values written in place of their parameter."""
    values, marks = [], []
    for f, plain in fields:
        value = f.pre_save(obj, True)
        if isinstance(value, Sql):
            marks.append(str(value))
        elif isinstance(value, dict) and isinstance(f, models.JSONField) and any(isinstance(v, Sql) for v in value.values()):
            plain = {k: v for k, v in value.items() if not isinstance(v, Sql)}
            exprs = {k: v for k, v in value.items() if isinstance(v, Sql)}
            if not all(k.isidentifier() for k in exprs):
                raise ValueError(f"one_round_trip: a JSON key with an Sql value must be an identifier: {list(exprs)}")
            merged = ", ".join(f"'{k}', {v}" for k, v in exprs.items())
            values.append(json.dumps(plain, cls=f.encoder, ensure_ascii=False))
            marks.append(f"(%s::jsonb || jsonb_build_object({merged}))")
        else:
            values.append(_prep(f, plain, value, conn))
            marks.append("%s")
    if all(m == "%s" for m in marks):
        current().add(sql, values)
        return
    head = sql[: sql.rindex("VALUES (") + len("VALUES (")]
    current().add(head + ", ".join(marks) + ")", values)


def insert(obj: models.Model) -> models.Model:
    """Save a NEW instance with an INSERT built once per model and process: the same columns, values and
    conversions as `Model.objects.create` (each field's `pre_save` and `get_db_prep_save`), without the ORM
    compiling the statement for every row. Inside a block the statement is collected (see the module for
    ids). A model with save signals (e.g. the audit chain's) has them sent around its INSERT, as `save()` would,
    and so may not be written inside a block (its receivers may need answers). A model's own `save()` method is
    not called: use it for models whose `save()` adds nothing to a new row (ChainLink's only refuses updates)."""
    model = type(obj)
    trip = current()
    conn = connections[DEFAULT_DB_ALIAS]  # the connection itself: each field's conversion asks it several things
    signalled = signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)
    if signalled:
        if trip is not None:
            raise RuntimeError(f"one_round_trip: {model._meta.label} has save signals; write it outside the block")
        if model._meta.parents:
            obj.save(force_insert=True)
            return obj
        # As Model.save_base does for a new row: its receivers (e.g. the audit chain's) run around the INSERT.
        signals.pre_save.send(sender=model, instance=obj, raw=False, using=conn.alias, update_fields=None, origin=obj)
        _insert_now(obj, model, conn)
        signals.post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False,
                               using=conn.alias, origin=obj)
        return obj
    if trip is not None and obj.pk is None and model._meta.label in trip.ids_for:
        obj.pk = trip.take_id(model)
    with_pk = obj.pk is not None
    sql, fields = _insert_sql(model, with_pk)
    if trip is not None:
        _collect(sql, fields, obj, conn)
        obj._state.adding, obj._state.db = False, conn.alias
        return obj
    return _insert_now(obj, model, conn)


def _insert_now(obj: models.Model, model, conn) -> models.Model:
    pk_field = model._meta.pk
    with_pk = obj.pk is not None
    sql, fields = _insert_sql(model, with_pk)
    values = [_prep(f, plain, f.pre_save(obj, True), conn) for f, plain in fields]
    with conn.cursor() as cur:
        if with_pk:
            cur.execute(sql, values)
        elif conn.features.can_return_columns_from_insert:
            cur.execute(f"{sql} RETURNING {conn.ops.quote_name(pk_field.column)}", values)
            obj.pk = cur.fetchone()[0]
        else:
            cur.execute(sql, values)
            obj.pk = conn.ops.last_insert_id(cur, model._meta.db_table, pk_field.column)
    obj._state.adding, obj._state.db = False, conn.alias
    return obj

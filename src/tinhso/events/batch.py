"""Writes of one change sent to PostgreSQL in one round trip.

Creating a citizen report wrote five rows (the report, its history row, the domain event, scoring's fact
and its daily sum) with a statement each, between a BEGIN and a COMMIT: seven round trips to the
database, which were most of the request's time (bench/reports_create.py). Inside `one_round_trip()` on
PostgreSQL, `insert()` and `execute()` do not send their statement: they collect it, and the block's end
sends every collected statement as ONE query of several statements. PostgreSQL runs such a query as one
implicit transaction (the simple query protocol, autocommit): every row is written, or none is. So the
writes keep their all-or-nothing transaction, and their domain event is still written with them.

What this asks of the code inside the block:
- no statement may need an answer: ids come from `reserve()`, taken before the block (`nextval` of the
  tables' identity sequences, in the round trip the caller needs anyway, e.g. the report's number);
  `insert()` gives each new row the next reserved id of its model;
- nothing may read what the block wrote (it is not written yet): reads of other rows are fine;
- work to do after the commit (mail) goes after the block, not to `transaction.on_commit`;
- `guard(sql, params)` adds a statement that must raise when what the caller checked has changed since
  (e.g. the reference data the report was validated against): then nothing is written.

Everywhere else (SQLite, or already inside a transaction, or no block) `insert()` and `execute()` run at
once, and the caller's `transaction.atomic()` is the transaction. `available()` says which applies.
"""
from __future__ import annotations

from contextlib import contextmanager
from threading import local

from django.db import connection, models
from django.db.models import signals

_state = local()
_INSERTS: dict[tuple[str, str, bool], tuple[str, list]] = {}


class Trip:
    """The statements collected by one `one_round_trip()` block, and the ids reserved for it."""

    def __init__(self, ids: dict[str, list[int]]):
        self.ids = {label: list(values) for label, values in ids.items()}
        self.statements: list[str] = []
        self.params: list = []

    def add(self, sql: str, params) -> None:
        self.statements.append(sql)
        self.params.extend(params)

    def take_id(self, model) -> int:
        pool = self.ids.get(model._meta.label)
        if not pool:
            raise RuntimeError(f"one_round_trip: no id reserved for a new {model._meta.label} (see reserve())")
        return pool.pop(0)


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


def reserve(counts: dict, *, head_sql: str = "", head_params=()) -> tuple[tuple, dict[str, list[int]]]:
    """Reserve `counts[model]` ids of each model in one statement (PostgreSQL). `head_sql`: a statement
    returning one row (e.g. an upsert ... RETURNING) run in the same round trip as a CTE; its row is
    returned first. Returns (head row, {model label: [ids]})."""
    exprs, labels = [], []
    for model, n in counts.items():
        for _ in range(n):
            exprs.append(nextval_sql(model))
            labels.append(model._meta.label)
    select = ", ".join(exprs) or "NULL"
    if head_sql:
        sql, params = f"WITH head AS ({head_sql}) SELECT head.*, {select} FROM head", list(head_params)
    else:
        sql, params = f"SELECT {select}", []
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    width = len(row) - (len(exprs) or 1)
    head, values = tuple(row[:width]), row[width:]
    ids: dict[str, list[int]] = {}
    for label, value in zip(labels, values):
        ids.setdefault(label, []).append(value)
    return head, ids


@contextmanager
def one_round_trip(ids: dict[str, list[int]]):
    """Collect the writes of the block and send them as one query at its end (see the module). Must be
    entered only when `available()`; an exception inside sends nothing."""
    if not available():
        raise RuntimeError("one_round_trip: only on PostgreSQL outside a transaction (see available())")
    trip = Trip(ids)
    _state.trip = trip
    try:
        yield trip
    finally:
        _state.trip = None
    if trip.statements:
        with connection.cursor() as cur:
            # Django's psycopg cursors bind parameters on the client: several statements, one query.
            cur.execute(";\n".join(trip.statements), trip.params)


def guard(sql: str, params=()) -> None:
    """Inside a block: a statement, sent first, that raises (and so writes nothing) when what the caller
    relied on has changed. Outside a block: run at once."""
    trip = current()
    if trip is None:
        with connection.cursor() as cur:
            cur.execute(sql, params)
        return
    trip.statements.insert(0, sql)
    trip.params[:0] = list(params)


def execute(sql: str, params=()) -> None:
    """A write that needs no answer: collected inside a block, run at once elsewhere."""
    trip = current()
    if trip is not None:
        trip.add(sql, params)
        return
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _insert_sql(model, with_pk: bool) -> tuple[str, list]:
    key = (connection.vendor, model._meta.label, with_pk)
    if key not in _INSERTS:
        q = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        sql = (f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        _INSERTS[key] = (sql, fields)
    return _INSERTS[key]


def insert(obj: models.Model) -> models.Model:
    """Save a NEW instance with an INSERT built once per model and process: the same columns, values and
    conversions as `Model.objects.create` (each field's `pre_save` and `get_db_prep_save`), without the ORM
    compiling the statement for every row. Inside a block the row takes a reserved id (when it has none)
    and is collected. A model with save signals (e.g. the audit chain's) always goes through `save()`,
    and so may not be written inside a block."""
    model = type(obj)
    trip = current()
    if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        if trip is not None:
            raise RuntimeError(f"one_round_trip: {model._meta.label} has save signals; write it outside the block")
        obj.save(force_insert=True)
        return obj
    conn = connection
    pk_field = model._meta.pk
    if trip is not None and obj.pk is None and isinstance(pk_field, models.AutoField):
        obj.pk = trip.take_id(model)
    with_pk = obj.pk is not None
    sql, fields = _insert_sql(model, with_pk)
    values = [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]
    if trip is not None:
        trip.add(sql, values)
    elif with_pk:
        with conn.cursor() as cur:
            cur.execute(sql, values)
    else:
        returning = conn.features.can_return_columns_from_insert
        with conn.cursor() as cur:
            cur.execute(sql + (f" RETURNING {conn.ops.quote_name(pk_field.column)}" if returning else ""), values)
            obj.pk = cur.fetchone()[0] if returning else conn.ops.last_insert_id(cur, model._meta.db_table,
                                                                                  pk_field.column)
    obj._state.adding, obj._state.db = False, conn.alias
    return obj

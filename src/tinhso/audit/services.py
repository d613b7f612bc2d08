"""The only write path of the chains.

`chain_append` is infrastructure, called by the `post_save` receiver of every chained model (see
`signals.py`) in the transaction that created the record: it takes no actor and records no
DomainEvent (the link IS the record of the record). `chain_backfill` is an administrative act and
is itself recorded with `event_record`.
"""
from __future__ import annotations

from django.db import connection, models, transaction
from django.utils import timezone

from tinhso.events import batch
from tinhso.events.prebuilt import Rows
from tinhso.events.services import event_record

from . import hashing, registry
from .models import ChainHead, ChainLink


_READS: dict[str, Rows] = {}


def _hashed_values(entry: registry.Chained, pk) -> dict:
    """The record's hashed fields as the database holds them (not as the Python object has them): what
    `.values(*fields).get(pk=pk)` gives, read by a statement built once per chained model."""
    rows = _READS.get(entry.label)
    if rows is None:
        rows = _READS[entry.label] = Rows(entry.model, fields=entry.fields, where="{%s} = %%s" % entry.model._meta.pk.attname)
    found = rows.values(pk)
    if len(found) != 1:
        raise entry.model.DoesNotExist(f"{entry.label} {pk} is not in the database")
    return found[0]


def _head_for_append(stream: str) -> tuple[int, str]:
    """The stream's head (created at seq 0 if new), locked until the end of the transaction.

    One upsert instead of SELECT ... FOR UPDATE + get_or_create: `ON CONFLICT DO UPDATE` takes the row
    lock on PostgreSQL (a second first-append waits, then sees the first one's committed head), and
    SQLite's IMMEDIATE transactions already hold the write lock."""
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (stream, seq, link_hash, updated_at) VALUES (%s, 0, '', %s) "
            "ON CONFLICT (stream) DO UPDATE SET updated_at = excluded.updated_at RETURNING seq, link_hash",
            [stream, now])
        seq, link_hash = cursor.fetchone()
    return int(seq), link_hash or ""


def _head_update_sql() -> str:
    q = connection.ops.quote_name
    return f"UPDATE {q(ChainHead._meta.db_table)} SET {q('seq')} = %s, {q('link_hash')} = %s WHERE {q('stream')} = %s"


def chain_append(*, record: models.Model) -> ChainLink:
    """Append `record` to the end of its stream. Must run in the transaction that created it."""
    entry = registry.for_model(type(record))
    if entry is None:
        raise ValueError(f"{record._meta.label_lower} is not chained")
    # No savepoint: a failure here must fail the caller's whole transaction anyway (the record with it).
    with transaction.atomic(savepoint=False):
        values = _hashed_values(entry, record.pk)
        stream = entry.stream_of(values)
        last_seq, last_hash = _head_for_append(stream)
        seq = last_seq + 1
        prev = last_hash or hashing.GENESIS
        rec_hash = hashing.record_hash(entry.label, record.pk, values)
        link = batch.insert(ChainLink(
            stream=stream, seq=seq, record_type=entry.label, record_id=record.pk, record_hash=rec_hash,
            prev_hash=prev, link_hash=hashing.link_hash(prev, rec_hash, seq, stream)))
        with connection.cursor() as cursor:  # as ChainHead.objects.filter(stream=...).update(...), built once
            cursor.execute(_head_update_sql(), [seq, link.link_hash, stream])
        return link


def chain_backfill(*, actor=None, batch: int = 1000) -> dict[str, int]:
    """Chain every registered record that has no link yet, oldest first (installations upgraded from
    before the audit app). Run once after the upgrade: it would also bless a forged row inserted
    since, so run `tinhso audit verify` first and read its report."""
    counts: dict[str, int] = {}
    for entry in registry.chained():
        model = entry.model
        linked = ChainLink.objects.filter(record_type=entry.label).values("record_id")
        done = 0
        while True:
            with transaction.atomic():
                rows = list(model._base_manager.exclude(pk__in=linked).order_by("pk")[:batch])
                for row in rows:
                    chain_append(record=row)
                done += len(rows)
            if len(rows) < batch:
                break
        counts[entry.label] = done
    if any(counts.values()):
        with transaction.atomic():
            event_record(actor=actor, name="audit.chain_backfilled", subject_type="audit.chain",
                         subject_id="all", data=counts)
    return counts

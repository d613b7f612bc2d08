"""The only write path of events: every domain service calls `event_record` inside its transaction (or inside a\n`batch.one_round_trip()` block, which is one transaction)."""
from __future__ import annotations

from typing import Any

from django.db import transaction

from . import batch
from .models import DomainEvent


def event_record(*, actor: Any, name: str, subject: Any = None, subject_type: str = "", subject_id: Any = "",
                 data: dict | None = None) -> DomainEvent:
    """Write a domain event. Must be called inside the transaction of the change it records."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block and batch.current() is None:
        raise RuntimeError("event_record must run inside the transaction of the change it records")
    if subject is not None:
        subject_type = subject_type or subject._meta.label_lower
        subject_id = subject_id or subject.pk
    return batch.insert(DomainEvent(
        name=name,
        actor=actor if getattr(actor, "pk", None) else None,
        subject_type=subject_type,
        subject_id=str(subject_id),
        data=data or {},
    ))

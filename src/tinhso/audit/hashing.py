"""How a record and a link are hashed: canonical JSON of what the database holds, then SHA-256.

The record hash covers the record's type, its id and the registered fields as read back from the
database (so that what is hashed at write time is exactly what `verify` reads later, whatever the
driver does to datetimes or JSON). The link hash binds a record hash to its place in a stream:
    link_hash = sha256(prev_hash | record_hash | seq | stream)
"""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from typing import Any

GENESIS = "0" * 64  # the prev_hash of the first link of every stream


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    raise TypeError(f"cannot hash a value of type {type(value).__name__}")


def canonical_json(record_type: str, record_id: int, fields: dict[str, Any]) -> str:
    return json.dumps({"type": record_type, "id": record_id, "fields": fields}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"), default=_plain)


def record_hash(record_type: str, record_id: int, fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(record_type, record_id, fields).encode()).hexdigest()


def link_hash(prev_hash: str, rec_hash: str, seq: int, stream: str) -> str:
    return hashlib.sha256(f"{prev_hash}|{rec_hash}|{seq}|{stream}".encode()).hexdigest()

"""Which records are chained, into which stream, over which fields.

Adding a chained model is one `register(...)` line in `apps.AuditConfig.ready`. The field list is part
of the hash: never change it for a model that already has links (existing hashes would no longer
match); add a new field to the list only together with a migration that re-chains under a new scheme.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Chained:
    label: str          # "dossiers.dossierevent" (app_label.model_name): the record_type of its links
    prefix: str         # the stream prefix: "dossier" gives streams "dossier:<id>"
    stream_field: str   # the attribute whose value completes the stream name: "dossier_id"
    fields: tuple[str, ...]  # what is hashed (attnames: "actor_id", not "actor")

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def stream_of(self, values: dict) -> str:
        return f"{self.prefix}:{values[self.stream_field]}"


_BY_LABEL: dict[str, Chained] = {}
_BY_PREFIX: dict[str, Chained] = {}


def register(label: str, *, prefix: str, stream_field: str, fields: tuple[str, ...]) -> Chained:
    label = label.lower()
    if stream_field not in fields:
        raise ValueError("the stream field must be one of the hashed fields")
    entry = Chained(label=label, prefix=prefix, stream_field=stream_field, fields=tuple(fields))
    existing = _BY_LABEL.get(label)
    if existing is not None and existing != entry:
        raise ValueError(f"{label} is already chained differently")
    if _BY_PREFIX.get(prefix, entry) != entry:
        raise ValueError(f"stream prefix {prefix!r} is already used")
    _BY_LABEL[label] = entry
    _BY_PREFIX[prefix] = entry
    return entry


def chained() -> list[Chained]:
    return list(_BY_LABEL.values())


def for_model(model: type[models.Model]) -> Chained | None:
    return _BY_LABEL.get(model._meta.label_lower)


def for_stream(stream: str) -> Chained | None:
    return _BY_PREFIX.get(stream.split(":", 1)[0])

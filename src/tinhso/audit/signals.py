"""Receivers connected to every chained model by `apps.AuditConfig.ready`.

Why signals and not calls in the domain services: chaining is an infrastructure concern (like the
database's own journal), it must cover every write path including future ones, and it must not be
forgettable by the author of a new service. `post_save` runs inside the `Model.save()` call, hence in
the caller's transaction: if the link cannot be written, the record is not written either.
Rows loaded raw (fixtures, a restore with `loaddata`) are not re-chained: their links come with them.
"""
from __future__ import annotations

from .models import AppendOnlyError
from .services import chain_append


def chain_on_create(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        chain_append(record=instance)


def refuse_update(sender, instance, raw=False, **kwargs):
    if not raw and not instance._state.adding:
        raise AppendOnlyError(f"{sender._meta.label} is append-only: it cannot be changed")


def refuse_delete(sender, instance, **kwargs):
    raise AppendOnlyError(f"{sender._meta.label} is append-only: it cannot be deleted")

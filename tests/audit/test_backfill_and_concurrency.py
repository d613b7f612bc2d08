"""Installations upgraded from before the audit app chain their old rows once; appends to one stream from
concurrent requests never share a number."""
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from tinhso.audit.models import ChainLink
from tinhso.datastore import services as datastore
from tinhso.datastore.models import DataAccessLog
from tinhso.dossiers.models import DossierEvent
from tinhso.events.models import DomainEvent

from .conftest import run_verify, sql


@pytest.mark.django_db
def test_backfill_chains_rows_written_before_the_upgrade(processed_dossier):
    d = processed_dossier
    for note in ("Sự kiện cũ 1", "Sự kiện cũ 2"):  # rows of an installation that had no chains yet
        sql("INSERT INTO dossiers_dossierevent (dossier_id, actor_id, at, action, from_state, to_state, step, note,"
            " attachments, data) VALUES (%s, NULL, %s, 'assign', 3, 3, NULL, %s, '[]', '{}')",
            [d.pk, connection.ops.adapt_datetimefield_value(d.received_at), note])
    assert run_verify().summary["problems"]["inserted"] == 2

    call_command("audit", "backfill", stdout=io.StringIO())

    old = DossierEvent.objects.filter(note__startswith="Sự kiện cũ").order_by("id")
    seqs = [ChainLink.objects.get(record_type="dossiers.dossierevent", record_id=e.pk).seq for e in old]
    assert seqs == [4, 5]
    assert run_verify().code == 0
    assert DomainEvent.objects.get(name="audit.chain_backfilled").data["dossiers.dossierevent"] == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_reads_of_one_citizen_get_distinct_consecutive_numbers(processed_dossier, staff_x, citizen_a):
    threads, per_thread, errors = 4, 5, []
    start = threading.Barrier(threads)

    def reader():
        try:
            start.wait()
            for _ in range(per_thread):
                datastore.documents_read_for_dossier(actor=staff_x["specialist"], dossier_pk=processed_dossier.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=reader) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    assert errors == []
    assert DataAccessLog.objects.filter(citizen=citizen_a).count() == threads * per_thread
    seqs = list(ChainLink.objects.filter(stream=f"citizen:{citizen_a.pk}").order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads * per_thread + 1))
    assert run_verify().code == 0

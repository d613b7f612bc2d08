"""Every read of a citizen's data store by an official (allowed or refused) is chained per citizen: the
log the citizen sees on “who used my data” cannot be quietly rewritten or trimmed."""
import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from tinhso.audit.models import AppendOnlyError, ChainLink
from tinhso.datastore import services as datastore
from tinhso.datastore.models import DataAccessLog

from .conftest import drop_guards, run_verify, sql

pytestmark = pytest.mark.django_db

LOGS = "datastore_dataaccesslog"


@pytest.fixture
def reads(processed_dossier, staff_x, staff_y):
    """Citizen A's store read by the specialist handling the dossier, then refused to agency Y's leader."""
    datastore.documents_read_for_dossier(actor=staff_x["specialist"], dossier_pk=processed_dossier.pk)
    with pytest.raises(PermissionDenied):
        datastore.documents_read_for_dossier(actor=staff_y["leader"], dossier_pk=processed_dossier.pk)
    return list(DataAccessLog.objects.order_by("id"))


def test_reads_allowed_and_refused_are_chained_per_citizen(reads, citizen_a):
    assert [log.allowed for log in reads] == [True, False]
    links = list(ChainLink.objects.filter(stream=f"citizen:{citizen_a.pk}").order_by("seq"))
    assert [(link.seq, link.record_id) for link in links] == [(1, reads[0].pk), (2, reads[1].pk)]
    assert links[1].prev_hash == links[0].link_hash
    assert run_verify().code == 0


def test_refusal_rewritten_as_allowed_is_reported_naming_the_citizen(reads, citizen_a):
    drop_guards(LOGS)
    sql(f"UPDATE {LOGS} SET allowed = %s, reason = '' WHERE id = %s", [True, reads[1].pk])

    result = run_verify()
    assert result.code == 1 and result.summary["problems"]["edited"] == 1
    [message] = result.messages
    assert f"công dân #{citizen_a.pk}" in message and "mắt xích số 2" in message and "đã bị sửa" in message


def test_read_erased_from_the_log_is_reported(reads, citizen_a):
    drop_guards(LOGS)
    sql(f"DELETE FROM {LOGS} WHERE id = %s", [reads[0].pk])

    result = run_verify("--stream", f"citizen:{citizen_a.pk}")
    assert result.code == 1 and result.summary["problems"]["deleted"] == 1
    assert f"công dân #{citizen_a.pk}" in result.messages[0] and "mắt xích số 1" in result.messages[0]


def test_log_rows_cannot_be_changed_or_deleted_through_the_orm(reads):
    log = reads[1]
    with pytest.raises((AppendOnlyError, RuntimeError)), transaction.atomic():
        log.delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        DataAccessLog.objects.filter(pk=log.pk).delete()
    assert DataAccessLog.objects.filter(pk=log.pk, allowed=False).exists()

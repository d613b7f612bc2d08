"""A dossier's history is hash-chained: any edit, deletion or insertion made behind the application's back
(raw SQL, triggers dropped) is found by `tinhso audit verify`, which names the dossier and the link."""
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tinhso.audit.hashing import GENESIS, link_hash
from tinhso.audit.models import AppendOnlyError, ChainHead, ChainLink
from tinhso.dossiers.models import DossierEvent

from .conftest import db_time, drop_guards, run_verify, sql

pytestmark = pytest.mark.django_db

EVENTS = "dossiers_dossierevent"


def event(dossier, seq) -> DossierEvent:
    link = ChainLink.objects.get(stream=f"dossier:{dossier.pk}", seq=seq)
    return DossierEvent.objects.get(pk=link.record_id)


def test_events_of_a_dossier_form_one_valid_chain(processed_dossier):
    d = processed_dossier
    events = list(DossierEvent.objects.filter(dossier=d).order_by("id"))
    links = list(ChainLink.objects.filter(stream=f"dossier:{d.pk}").order_by("seq"))
    assert [link.seq for link in links] == [1, 2, 3]
    assert [link.record_id for link in links] == [e.pk for e in events]
    assert links[0].prev_hash == GENESIS
    for before, after in zip(links, links[1:]):
        assert after.prev_hash == before.link_hash
    for link in links:
        assert link.link_hash == link_hash(link.prev_hash, link.record_hash, link.seq, link.stream)
    head = ChainHead.objects.get(stream=f"dossier:{d.pk}")
    assert (head.seq, head.link_hash) == (3, links[-1].link_hash)

    result = run_verify()
    assert result.code == 0 and result.messages == []
    assert result.summary["ok"] is True and result.summary["links"] == result.summary["records"] >= 3


def test_note_edited_with_raw_sql_is_reported_as_edited(processed_dossier):
    d = processed_dossier
    target = event(d, 3)
    drop_guards(EVENTS)
    sql(f"UPDATE {EVENTS} SET note = %s WHERE id = %s", ["Không đủ điều kiện", target.pk])

    result = run_verify()
    assert result.code == 1
    assert result.summary["problems"]["edited"] == 1 and result.summary["ok"] is False
    [message] = result.messages
    assert f"dossier:{d.pk}" in message and f"hồ sơ #{d.pk}" in message
    assert "mắt xích số 3" in message and "đã bị sửa" in message


def test_event_deleted_with_raw_sql_is_reported_as_deleted(processed_dossier):
    d = processed_dossier
    target = event(d, 2)
    drop_guards(EVENTS)
    sql(f"DELETE FROM {EVENTS} WHERE id = %s", [target.pk])

    result = run_verify()
    assert result.code == 1 and result.summary["problems"]["deleted"] == 1
    [message] = result.messages
    assert f"hồ sơ #{d.pk}" in message and "mắt xích số 2" in message and "đã bị xoá" in message


def test_event_deleted_together_with_its_link_is_reported_as_a_gap(processed_dossier):
    d = processed_dossier
    target = event(d, 2)
    drop_guards(EVENTS, "audit_chainlink")
    sql(f"DELETE FROM {EVENTS} WHERE id = %s", [target.pk])
    sql("DELETE FROM audit_chainlink WHERE stream = %s AND seq = 2", [f"dossier:{d.pk}"])

    result = run_verify()
    assert result.code == 1 and result.summary["problems"]["gap"] == 1
    assert any(f"hồ sơ #{d.pk}" in m and "thiếu mắt xích số 2" in m for m in result.messages)


def test_last_event_deleted_together_with_its_link_is_reported_by_the_head(processed_dossier):
    d = processed_dossier
    target = event(d, 3)
    drop_guards(EVENTS, "audit_chainlink")
    sql(f"DELETE FROM {EVENTS} WHERE id = %s", [target.pk])
    sql("DELETE FROM audit_chainlink WHERE stream = %s AND seq = 3", [f"dossier:{d.pk}"])

    result = run_verify()
    assert result.code == 1 and result.summary["problems"]["head"] == 1
    [message] = result.messages
    assert f"hồ sơ #{d.pk}" in message and "số 3" in message


def test_forged_event_inserted_with_raw_sql_is_reported_as_inserted(processed_dossier):
    d = processed_dossier
    sql(f"INSERT INTO {EVENTS} (dossier_id, actor_id, at, action, from_state, to_state, step, note, attachments, data)"
        " VALUES (%s, NULL, %s, 'approve', 4, 6, NULL, 'Đã duyệt', '[]', '{}')", [d.pk, db_time(timezone.now())])

    result = run_verify()
    assert result.code == 1 and result.summary["problems"]["inserted"] == 1
    forged = DossierEvent.objects.filter(dossier=d).order_by("-id").first()
    [message] = result.messages
    assert f"hồ sơ #{d.pk}" in message and f"#{forged.pk}" in message and "không có mắt xích" in message


def test_link_forged_to_cover_an_edit_breaks_the_chain(processed_dossier):
    """Re-hashing the edited record is not enough: the next link still points at the old hash."""
    d = processed_dossier
    target = event(d, 2)
    drop_guards(EVENTS, "audit_chainlink")
    sql(f"UPDATE {EVENTS} SET note = 'Sửa lén' WHERE id = %s", [target.pk])
    from tinhso.audit import hashing, registry
    entry = registry.for_model(DossierEvent)
    values = DossierEvent.objects.filter(pk=target.pk).values(*entry.fields).get()
    new_hash = hashing.record_hash(entry.label, target.pk, values)
    sql("UPDATE audit_chainlink SET record_hash = %s WHERE stream = %s AND seq = 2", [new_hash, f"dossier:{d.pk}"])

    result = run_verify()
    assert result.code == 1 and result.summary["problems"]["broken"] >= 1
    assert any(f"hồ sơ #{d.pk}" in m and "mắt xích số 2" in m for m in result.messages)


def test_verify_of_one_dossier_reports_only_that_dossier(processed_dossier, citizen_b, birth_procedure, agency_x):
    from tinhso.dossiers import services

    from .conftest import pdf
    other = services.dossier_submit_online(
        actor=citizen_b, procedure=birth_procedure, agency=agency_x,
        form_data={"ho_ten_tre": "Trần Minh Anh", "ngay_sinh_tre": "02/02/2026"},
        files={"to_khai": [pdf()], "giay_chung_sinh": [pdf()]})
    drop_guards(EVENTS)
    sql(f"UPDATE {EVENTS} SET note = 'Sửa lén' WHERE id = %s", [event(processed_dossier, 1).pk])

    assert run_verify("--stream", f"dossier:{other.pk}").code == 0
    tampered = run_verify("--stream", f"dossier:{processed_dossier.pk}")
    assert tampered.code == 1 and tampered.summary["problems"]["edited"] == 1


def test_orm_refuses_to_change_or_delete_an_event(processed_dossier):
    d = processed_dossier
    target = event(d, 3)
    original = target.note

    target.note = "Không đủ điều kiện"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        target.save()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        target.delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        DossierEvent.objects.filter(pk=target.pk).delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        d.delete()  # the history of a dossier cannot be cascaded away either
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierEvent.objects.filter(pk=target.pk).update(note="Không đủ điều kiện")  # refused by the trigger

    assert DossierEvent.objects.get(pk=target.pk).note == original
    assert DossierEvent.objects.filter(dossier=d).count() == 3
    assert run_verify().code == 0


def test_database_refuses_raw_changes_while_the_guards_are_in_place(processed_dossier):
    target = event(processed_dossier, 1)
    link = ChainLink.objects.get(stream=f"dossier:{processed_dossier.pk}", seq=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        sql(f"UPDATE {EVENTS} SET note = 'Sửa lén' WHERE id = %s", [target.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("UPDATE audit_chainlink SET record_hash = %s WHERE id = %s", ["0" * 64, link.pk])
    with pytest.raises(AppendOnlyError), transaction.atomic():
        link.delete()
    if connection.vendor == "postgresql":  # SQLite keeps DELETE open for `flush` (see audit/triggers.py)
        with pytest.raises(IntegrityError), transaction.atomic():
            sql(f"DELETE FROM {EVENTS} WHERE id = %s", [target.pk])
        with pytest.raises(IntegrityError), transaction.atomic():
            sql("DELETE FROM audit_chainlink WHERE id = %s", [link.pk])
    assert DossierEvent.objects.get(pk=target.pk).note == target.note
    assert ChainLink.objects.get(pk=link.pk).record_hash == link.record_hash
    assert run_verify().code == 0

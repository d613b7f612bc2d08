"""Creating a report in one round trip (tinhso.events.batch, PostgreSQL outside a transaction) writes exactly
what the transaction of other paths writes, all or nothing, and never on reference data that changed after the
request was checked: a key revoked, a question added or a category withdrawn between the check and the write
is seen by the write, on every database."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhso.events import batch
from tinhso.events.models import DomainEvent
from tinhso.feedback import hooks, refcache, services
from tinhso.feedback.models import Category, CategoryAttribute, Report, ReportEvent, ReportPhoto
from tinhso.scoring.models import ReportDaily, ReportFact

from .conftest import INSIDE, photo

pytestmark = pytest.mark.django_db(transaction=True)
TRICKY = "Đèn sáng 50%s; 'tắt' \"bật\" -- %(x)s ;\n COMMIT; DROP TABLE feedback_report; 100%"


def _open311():
    key, _raw = services.apikey_create(actor=None, name="kiểm thử")
    cat = Category.objects.get_or_create(code="o-ga-kt", defaults={"name": "Ổ gà (kiểm thử)"})[0]
    return key, cat


def _counts():
    return (Report.objects.count(), ReportEvent.objects.count(), ReportPhoto.objects.count(),
            DomainEvent.objects.filter(name="feedback.report_created").count(), ReportFact.objects.count())


def test_a_creation_writes_the_report_its_history_event_and_rollups_together(citizen_a, communes):
    cat = Category.objects.create(code="den-hong-kt", name="Đèn hỏng (kiểm thử)")
    ref = refcache.current()  # read before, as the Open311 view's process keeps it (refcache.kept)
    services.report_create(actor=citizen_a, category=cat.code, description="Đèn đường hỏng", **INSIDE, reference=ref)
    with CaptureQueriesContext(connection) as q:
        report = services.report_create(actor=citizen_a, category=cat.code, description=TRICKY, **INSIDE,
                                        photos=[photo()], reference=ref)
    report.refresh_from_db()
    assert report.description == TRICKY  # written as sent: quotes, %, ; and -- are values, never SQL
    assert report.state == Report.State.NEW and report.reporter == citizen_a and report.public_id.startswith("PA-")
    assert list(report.events.values_list("action", flat=True)) == ["created"]
    assert report.photos.count() == 1 and report.photos.get().file.storage.exists(report.photos.get().file.name)
    ev = DomainEvent.objects.get(name="feedback.report_created", subject_id=str(report.pk))
    assert ev.subject_type == "feedback.report" and ev.data["public_id"] == report.public_id
    fact = ReportFact.objects.get(report_id=report.pk)
    assert fact.received == 1
    assert sum(ReportDaily.objects.filter(category_id=cat.pk).values_list("received", flat=True)) == 2
    if connection.vendor == "postgresql":
        # the number, the rows (after the stamp's check) and the next report's id: one query
        assert len(q.captured_queries) == 1, [x["sql"][:80] for x in q.captured_queries]
        assert q.captured_queries[0]["sql"].split(";\n").count("COMMIT") == 2  # the number's transaction, the report's
    numbers = sorted(int(p.rsplit("-", 1)[1]) for p in Report.objects.values_list("public_id", flat=True))
    assert numbers[-1] == int(report.public_id.rsplit("-", 1)[1]) and numbers[-1] - numbers[-2] == 1


@pytest.mark.parametrize("prepared", [True, False])
def test_creations_with_and_without_prepared_statements_write_the_same(citizen_a, communes, prepared, monkeypatch):
    """Where the server keeps prepared statements the creation's statements are prepared once per connection
    and executed; with TINHSO_PG_PREPARED=0 (a pooler in transaction mode) they are sent as text."""
    if connection.vendor == "postgresql" and not prepared:
        monkeypatch.setitem(connection.settings_dict["OPTIONS"], "prepare_threshold", None)
    cat = Category.objects.create(code=f"cay-do-{prepared}", name="Cây đổ (kiểm thử)")
    made = [services.report_create(actor=citizen_a, category=cat.code, description=f"Cây đổ số {n}", **INSIDE)
            for n in range(3)]
    for n, report in enumerate(made):
        row = Report.objects.get(pk=report.pk)
        assert (row.public_id, row.description, row.category_id) == (report.public_id, f"Cây đổ số {n}", cat.pk)
        assert DomainEvent.objects.get(name="feedback.report_created", subject_id=str(row.pk)).data["public_id"] == row.public_id
    assert ReportFact.objects.filter(report_id__in=[r.pk for r in made]).count() == 3
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'tinhso_batch_%%'")
            assert (cur.fetchone()[0] > 0) == prepared


def test_a_failure_inside_the_creation_writes_nothing(citizen_a, communes, monkeypatch):
    cat = Category.objects.create(code="rac-kt", name="Rác (kiểm thử)")
    before = _counts()

    def broken(*, report, created=False):
        raise RuntimeError("hook hỏng")

    monkeypatch.setattr(hooks, "_after_change", [*hooks._after_change, broken])
    with pytest.raises(RuntimeError):
        services.report_create(actor=citizen_a, category=cat.code, description="Rác thải", **INSIDE)
    assert _counts() == before


def test_a_write_refused_by_the_database_writes_nothing(citizen_a, communes, monkeypatch):
    """The last statement of the creation fails (a daily row that cannot be written): the report, its
    history and its event written before it in the same query are not kept either."""
    from tinhso.scoring import services as scoring

    cat = Category.objects.create(code="nuoc-kt", name="Nước (kiểm thử)")
    before = _counts()
    real_add = scoring._add

    def bad_add(model, key, delta):
        real_add(model, {**key, "no_such_column": 1}, delta)

    monkeypatch.setattr(scoring, "_add", bad_add)
    with pytest.raises(Exception):
        services.report_create(actor=citizen_a, category=cat.code, description="Mất nước", **INSIDE)
    assert _counts() == before


def test_a_key_revoked_after_the_check_is_refused_by_the_write(communes, coordinator):
    key, cat = _open311()
    kept = refcache.current()  # what a process read before the revocation, and keeps
    kept_key = kept.api_key(key.key_hash)
    services.apikey_revoke(actor=coordinator, key=key)
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.report_create(actor=None, category=kept.category(cat.code), description="Ổ gà", **INSIDE,
                               via="open311", api_key=kept_key, reference=kept)
    assert _counts() == before


def test_a_question_added_after_the_check_is_asked_by_the_write(communes):
    key, cat = _open311()
    kept = refcache.current()
    CategoryAttribute.objects.create(category=cat, code="lan", datatype="string", required=True,
                                     description="Làn nào?")
    before = _counts()
    with pytest.raises(ValidationError) as err:
        services.report_create(actor=None, category=kept.category(cat.code), description="Ổ gà", **INSIDE,
                               via="open311", api_key=kept.api_key(key.key_hash), reference=kept)
    assert "attribute[lan]" in err.value.message_dict
    assert _counts() == before
    # answered, it is accepted, with the new reference data
    report = services.report_create(actor=None, category=cat.code, description="Ổ gà", **INSIDE, via="open311",
                                    api_key=key, attributes={"lan": "phải"}, reference=kept)
    assert report.attributes == {"lan": "phải"}


def test_a_category_withdrawn_after_the_check_is_refused_by_the_write(communes):
    key, cat = _open311()
    kept = refcache.current()
    Category.objects.filter(pk=cat.pk).update(active=False)
    before = _counts()
    with pytest.raises(ValidationError):
        services.report_create(actor=None, category=kept.category(cat.code), description="Ổ gà", **INSIDE,
                               via="open311", api_key=kept.api_key(key.key_hash), reference=kept)
    assert _counts() == before


def test_the_open311_post_finds_a_key_created_after_its_process_kept_the_keys(client, communes):
    _key, cat = _open311()
    refcache.current()  # this process keeps the keys as they are now
    _new_key, raw = services.apikey_create(actor=None, name="khóa mới")
    r = client.post("/open311/v2/requests.json", {"api_key": raw, "service_code": cat.code, "description": "Ổ gà",
                                                    **INSIDE})
    assert r.status_code == 201, r.content
    assert Report.objects.filter(public_id=r.json()[0]["service_request_id"], api_key=_new_key).exists()


def test_one_round_trip_only_where_it_can_be_one_transaction():
    from django.db import transaction

    with transaction.atomic():
        assert not batch.available()
        with pytest.raises(RuntimeError):
            with batch.one_round_trip():
                pass
    assert batch.available() == (connection.vendor == "postgresql")

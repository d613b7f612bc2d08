"""Orphan uploads: a file written by a request whose transaction rolled back (or was killed) is a citizen's
paper that no row names. The sweep moves it into the quarantine once older than the grace period (never
before), deletes it after the quarantine days, records each step as a domain event (path and size, never
the content), never touches a file a row names (even a row committed while the sweep runs), and changes
nothing on a dry run or on a second run."""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from tinhso.datastore.services import results_deliver
from tinhso.dossiers.models import Dossier, DossierComponent
from tinhso.dossiers.services import dossier_submit_online
from tinhso.events.models import DomainEvent
from tinhso.ops import services, tasks
from tinhso.ops.database import file_columns
from tinhso.ops.errors import OrphanSweepError

from .conftest import PDF, all_files, pdf, png

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
EVENTS = (services.EVENT_QUARANTINED, services.EVENT_DELETED, services.EVENT_RESTORED)


class Boom(Exception):
    pass


@pytest.fixture
def quarantine(settings, tmp_path) -> Path:
    settings.ORPHAN_QUARANTINE_DIR = tmp_path / "cach-ly"
    settings.ORPHAN_GRACE_HOURS = 24
    settings.ORPHAN_QUARANTINE_DAYS = 7
    return settings.ORPHAN_QUARANTINE_DIR


def sweep_events():
    return list(DomainEvent.objects.filter(name__in=EVENTS).order_by("id"))


def rolled_back_submission(installation, media_root: Path) -> set[str]:
    """A citizen submits a dossier with two papers, and the transaction rolls back after the files are written
    (what a failure later in the request, or a killed process, leaves). Returns the files it left."""
    before = set(all_files(media_root))
    with pytest.raises(Boom), transaction.atomic():
        dossier_submit_online(
            actor=installation["citizens"][0], procedure=installation["procedure"], agency=installation["agency"],
            form_data={"ho_ten_tre": "Nguyễn Thị Hoa"},
            files={"to_khai": [pdf("to-khai-hoa.pdf", b"hoa")],
                   "giay_chung_sinh": [SimpleUploadedFile("chung-sinh-hoa.png", png(7), content_type="image/png")]})
        raise Boom
    left = set(all_files(media_root)) - before
    assert len(left) == 2 and not DossierComponent.objects.filter(file__in=left).exists()
    return left


def age(media_root: Path, names, days: float) -> None:
    """Make files look written `days` ago (for the command, which sweeps as of the real clock)."""
    when = time.time() - days * 86400
    for name in names:
        os.utime(media_root / name, (when, when))


@pytest.mark.django_db
def test_rolled_back_uploads_quarantined_after_the_grace_period_then_deleted(installation, media_root, quarantine):
    referenced = set(all_files(media_root))
    orphans = rolled_back_submission(installation, media_root)
    sizes = {name: (media_root / name).stat().st_size for name in orphans}
    now = timezone.now()

    for later in (dt.timedelta(0), 23 * HOUR):  # younger than 24 hours: maybe an upload in progress
        result = services.media_orphans_sweep(now=now + later)
        assert result.files == [] and result.old == 0
        assert set(all_files(media_root)) == referenced | orphans
    assert sweep_events() == []

    swept_at = now + 25 * HOUR
    result = services.media_orphans_sweep(now=swept_at)
    assert {(f.path, f.action) for f in result.files} == {(name, "quarantine") for name in orphans}
    assert set(all_files(media_root)) == referenced  # the papers rows name are all still there
    stamp = swept_at.astimezone(dt.timezone.utc).strftime(services.STAMP)
    assert set(all_files(quarantine)) == {f"{stamp}/{name}" for name in orphans}
    events = sweep_events()
    assert [e.name for e in events] == [services.EVENT_QUARANTINED] * 2
    assert {e.data["path"]: e.data["size"] for e in events} == sizes
    assert all(set(e.data) == {"path", "size", "quarantine", "modified_at"} for e in events)  # never the content

    assert services.media_orphans_sweep(now=swept_at + 6 * DAY).files == []  # still in the quarantine
    assert set(all_files(quarantine)) == {f"{stamp}/{name}" for name in orphans}

    result = services.media_orphans_sweep(now=swept_at + 7 * DAY + HOUR)
    assert {(f.path, f.action) for f in result.files} == {(name, "delete") for name in orphans}
    assert all_files(quarantine) == {}
    deleted = [e for e in sweep_events() if e.name == services.EVENT_DELETED]
    assert {e.data["path"]: e.data["size"] for e in deleted} == sizes
    assert set(all_files(media_root)) == referenced

    count = len(sweep_events())  # idempotent: a second run finds nothing and records nothing
    again = services.media_orphans_sweep(now=swept_at + 7 * DAY + 2 * HOUR)
    assert again.files == [] and again.old == len(referenced) and len(sweep_events()) == count


@pytest.mark.django_db
def test_no_file_a_row_names_is_ever_touched(installation, media_root, quarantine):
    """Component uploads, a data-store paper, a result (named by the dossier AND, by reference, by the
    data-store copy of each person it concerns) and a report photo: ten years later, all are still there."""
    from tinhso.feedback.models import Category, ReportPhoto, RoutingRule
    from tinhso.feedback.services import report_create
    from tinhso.places.models import Commune

    dossier = installation["dossiers"][0]
    result_name = default_storage.save("results/2026/11/ket-qua.pdf", ContentFile(PDF + b"ket qua"))
    Dossier.objects.filter(pk=dossier.pk).update(result_file=result_name, result_name="Giấy khai sinh")
    assert results_deliver(actor=None, dossier=Dossier.objects.get(pk=dossier.pk))  # by reference, no copy
    category = Category.objects.create(code="ve-sinh-kt", name="Vệ sinh (kiểm thử)", deadline_working_days=5)
    RoutingRule.objects.create(category=category, commune=None, agency=installation["agency"])
    report_create(actor=installation["citizens"][1], category=category, description="Rác chưa được thu gom",
                  commune=Commune.objects.filter(province_id="19").order_by("code").first(),
                  photos=[SimpleUploadedFile("rac.png", png(3), content_type="image/png")])
    assert ReportPhoto.objects.count() == 1
    files = all_files(media_root)
    assert {name.split("/")[0] for name in files} == {"dossiers", "datastore", "results", "reports"}

    for dry_run in (True, False):
        result = services.media_orphans_sweep(now=timezone.now() + 3650 * DAY, dry_run=dry_run)
        assert result.old == len(files) and result.files == []
    assert all_files(media_root) == files  # same names, same bytes
    assert sweep_events() == [] and not quarantine.exists()


@pytest.mark.django_db
def test_dry_run_changes_nothing(installation, media_root, quarantine):
    orphans = rolled_back_submission(installation, media_root)
    swept_at = timezone.now() + 25 * HOUR
    result = services.media_orphans_sweep(now=swept_at, dry_run=True)
    assert {(f.path, f.action) for f in result.files} == {(name, "quarantine") for name in orphans}
    assert orphans <= set(all_files(media_root)) and not quarantine.exists() and sweep_events() == []

    services.media_orphans_sweep(now=swept_at)  # now quarantined; a dry run when they are due deletes nothing
    held = all_files(quarantine)
    result = services.media_orphans_sweep(now=swept_at + 8 * DAY, dry_run=True)
    assert {(f.path, f.action) for f in result.files} == {(name, "delete") for name in orphans}
    assert all_files(quarantine) == held
    assert [e.name for e in sweep_events()] == [services.EVENT_QUARANTINED] * 2


@pytest.mark.django_db
def test_quarantined_file_a_row_names_again_is_put_back_not_deleted(installation, media_root, quarantine):
    orphans = sorted(rolled_back_submission(installation, media_root))
    swept_at = timezone.now() + 25 * HOUR
    services.media_orphans_sweep(now=swept_at)
    DossierComponent.objects.create(dossier=installation["dossiers"][0], key="to_khai", name="Tờ khai", file=orphans[0])

    result = services.media_orphans_sweep(now=swept_at + 8 * DAY)
    assert {(f.path, f.action) for f in result.files} == {(orphans[0], "restore"), (orphans[1], "delete")}
    assert (media_root / orphans[0]).is_file() and all_files(quarantine) == {}
    latest = {e.data["path"]: e.name for e in sweep_events()[2:]}
    assert latest == {orphans[0]: services.EVENT_RESTORED, orphans[1]: services.EVENT_DELETED}
    assert services.media_orphans_sweep(now=swept_at + 30 * DAY).files == []  # named again: stays for good


@pytest.mark.django_db
def test_quarantined_orphan_whose_path_a_new_upload_took_is_still_deleted(installation, media_root, quarantine):
    """A result named after the dossier code: the orphan of a rolled-back approval is quarantined, then a later
    approval writes a new result under the same, now free, path. The row names the NEW file: the quarantined
    one is still an orphan, and is deleted when due; the new one is never touched."""
    dossier = installation["dossiers"][0]
    with pytest.raises(Boom), transaction.atomic():
        name = default_storage.save("results/2026/11/ket-qua.pdf", ContentFile(PDF + b"ban cu"))
        Dossier.objects.filter(pk=dossier.pk).update(result_file=name)
        raise Boom
    swept_at = timezone.now() + 25 * HOUR
    assert [f.action for f in services.media_orphans_sweep(now=swept_at).files] == ["quarantine"]
    assert default_storage.save(name, ContentFile(PDF + b"ban moi")) == name  # the path is free again
    Dossier.objects.filter(pk=dossier.pk).update(result_file=name)

    assert services.media_orphans_sweep(now=swept_at + DAY).files == []  # neither put back nor deleted yet
    result = services.media_orphans_sweep(now=swept_at + 8 * DAY)
    assert [(f.path, f.action) for f in result.files] == [(name, "delete")]
    assert (media_root / name).read_bytes() == PDF + b"ban moi" and all_files(quarantine) == {}


@pytest.mark.django_db(transaction=True)
def test_file_named_by_a_row_committed_between_listing_and_deletion_survives(
        installation, media_root, quarantine, monkeypatch):
    orphans = sorted(rolled_back_submission(installation, media_root))
    late = orphans[0]
    original = services._quarantine_batch

    def commit_a_row_first(batch, **kwargs):
        assert transaction.get_autocommit()  # really committed, as by another request
        DossierComponent.objects.create(dossier=installation["dossiers"][0], key="to_khai", name="Tờ khai", file=late)
        return original(batch, **kwargs)

    monkeypatch.setattr(services, "_quarantine_batch", commit_a_row_first)
    result = services.media_orphans_sweep(now=timezone.now() + 25 * HOUR)
    assert {(f.path, f.action) for f in result.files} == {(late, "keep"), (orphans[1], "quarantine")}
    assert (media_root / late).is_file()
    assert [e.data["path"] for e in sweep_events()] == [orphans[1]]


@pytest.mark.django_db(transaction=True)
def test_writer_still_in_its_transaction_when_the_sweep_rechecks(installation, media_root, quarantine, monkeypatch):
    """A request that names the file in a transaction it has not committed yet when the sweep re-checks: the
    sweep waits for it (SQLite: the write lock; PostgreSQL: LOCK TABLE ... IN SHARE MODE), then sees the row."""
    orphans = sorted(rolled_back_submission(installation, media_root))
    late = orphans[0]
    inserted, listed = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    waited = {}

    def writer() -> None:
        try:
            with transaction.atomic():
                DossierComponent.objects.create(dossier_id=installation["dossiers"][0].pk, key="to_khai",
                                                name="Tờ khai", file=late)
                inserted.set()
                assert listed.wait(timeout=60)
                time.sleep(0.5)  # the sweep is now waiting for the lock
                waited["committed_at"] = time.monotonic()
        except BaseException as exc:  # reported below
            errors.append(exc)
            inserted.set()
        finally:
            connection.close()

    original = services._quarantine_batch

    def after_listing(batch, **kwargs):
        listed.set()
        original(batch, **kwargs)
        waited["done_at"] = time.monotonic()

    monkeypatch.setattr(services, "_quarantine_batch", after_listing)
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert inserted.wait(timeout=60)
        result = services.media_orphans_sweep(now=timezone.now() + 25 * HOUR)
    finally:
        listed.set()
        thread.join(timeout=60)
    assert not errors, errors
    assert waited["done_at"] > waited["committed_at"]  # the re-check ran after the writer's commit
    assert {(f.path, f.action) for f in result.files} == {(late, "keep"), (orphans[1], "quarantine")}
    assert (media_root / late).is_file()


@pytest.mark.django_db
def test_command_and_job(installation, media_root, quarantine, capsys):
    orphans = sorted(rolled_back_submission(installation, media_root))
    call_command("media", "orphans", "--dry-run")
    out = capsys.readouterr().out
    assert "Sẽ chuyển vào khu cách ly" not in out and "0 tệp mồ côi" in out  # too young

    age(media_root, orphans, days=2)
    call_command("media", "orphans", "--dry-run")
    out = capsys.readouterr().out
    assert all(f"Sẽ chuyển vào khu cách ly: {name} (" in out for name in orphans) and "Chạy thử" in out
    assert set(orphans) <= set(all_files(media_root))

    call_command("media", "orphans")
    out = capsys.readouterr().out
    assert all(f"Đã chuyển vào khu cách ly: {name} (" in out for name in orphans)
    assert "đã chuyển 2 tệp mồ côi" in out and not set(orphans) & set(all_files(media_root))

    tasks.sweep_media_orphans.call_local()  # the daily job: nothing left to do
    assert len(sweep_events()) == 2


@pytest.mark.django_db
def test_a_grace_period_under_one_hour_is_refused(settings, media_root, quarantine):
    settings.ORPHAN_GRACE_HOURS = 0.5
    with pytest.raises(OrphanSweepError, match="ít nhất 1 giờ"):
        services.media_orphans_sweep()
    with pytest.raises(CommandError, match="TINHSO_ORPHAN_GRACE_HOURS"):
        call_command("media", "orphans", "--dry-run")


@pytest.mark.django_db
def test_every_file_column_is_indexed():
    """Each batch of names is looked up with `column IN (...)`: without an index, every batch would read the
    whole table (minutes for a million uploads instead of seconds)."""
    with connection.cursor() as cur:
        for table, column in file_columns():
            constraints = connection.introspection.get_constraints(cur, table)
            assert any(c["index"] and c["columns"][:1] == [column] for c in constraints.values()), (table, column)

"""Warning e-mails under failures: one stable Message-ID per warning, claims of a dead sender taken over
after their lease, a mail server failure releases what was not sent, and a worker killed mid-sweep does
not leave the sweep locked for ever (tests/faults/ kills real processes)."""
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from tinhso.dossiers import services
from tinhso.dossiers.models import Warning
from tinhso.dossiers.warnings import warning_message_id, warnings_email, warnings_sweep

from .conftest import vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = services.dossier_submit_online(actor=citizen_a, procedure=birth_procedure, agency=agency_x,
                                       form_data=good_form, files=good_files(), at=vn(2026, 3, 2, 8, 0))
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 3, 2, 8, 0))
    d = services.dossier_assign(actor=staff_x["leader"], dossier=d, assignee=staff_x["specialist"],
                                at=vn(2026, 3, 2, 9, 0))
    warnings_sweep(now=vn(2026, 3, 9, 8, 1))
    assert Warning.objects.count() >= 3
    return d


def test_each_warning_email_carries_its_own_stable_message_id(late):
    sent = warnings_email()
    assert sent == Warning.objects.count() == len(mail.outbox)
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert ids == {warning_message_id(pk) for pk in Warning.objects.values_list("pk", flat=True)}
    assert all(m.message()["Message-ID"] == m.extra_headers["Message-ID"] for m in mail.outbox)


def test_claims_of_a_dead_sender_are_taken_over_after_the_lease_only(late, settings):
    now = timezone.now()
    first = Warning.objects.order_by("pk").first()
    Warning.objects.filter(pk=first.pk).update(email_claimed_at=now)  # a sender died holding it
    others = Warning.objects.count() - 1
    assert warnings_email(now=now) == others
    assert Warning.objects.get(pk=first.pk).emailed_at is None
    assert warnings_email(now=now + timedelta(seconds=settings.WARNINGS_EMAIL_LEASE_SECONDS - 1)) == 0
    assert warnings_email(now=now + timedelta(seconds=settings.WARNINGS_EMAIL_LEASE_SECONDS + 1)) == 1
    assert len(mail.outbox) == others + 1 and Warning.objects.filter(emailed_at__isnull=True).count() == 0


def test_a_mail_server_failure_releases_the_unsent_and_sends_nothing_twice(late):
    real_send, calls = EmailMessage.send, []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionRefusedError("mail server down")
        return real_send(self, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", flaky), pytest.raises(ConnectionRefusedError):
        warnings_email()
    assert len(mail.outbox) == 1
    assert Warning.objects.filter(emailed_at__isnull=False).count() == 1
    assert Warning.objects.filter(emailed_at__isnull=True, email_claimed_at__isnull=False).count() == 0
    rest = warnings_email()
    assert rest == Warning.objects.count() - 1
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == len(mail.outbox) == Warning.objects.count()


def test_a_starting_worker_releases_the_sweep_locks_a_killed_one_left():
    from huey.contrib.djhuey import HUEY

    from tinhso.dossiers.tasks import SWEEP_LOCK, release_locks_of_a_dead_worker

    locks = [HUEY.lock_task(SWEEP_LOCK), HUEY.lock_task("feedback-warnings-sweep")]
    for lock in locks:
        lock.acquire()  # what a worker killed mid-sweep leaves behind
    try:
        assert all(lock.is_locked() for lock in locks)
        release_locks_of_a_dead_worker()
        assert not any(lock.is_locked() for lock in locks)
    finally:
        for lock in locks:
            lock.clear()

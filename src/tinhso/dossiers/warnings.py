"""The warning sweep: one working day before a dossier's or a step's due time, and when it becomes
late, warn the official handling it and the leaders of their agency (in the app, then by e-mail).

Idempotent: a warning is a row unique on (dossier, step, kind, recipient), and the dossier/step keeps
a flag once warned; run twice, the sweep writes and sends nothing twice. Set-based: it reads only the
dossiers within one working day of their due time that were not yet warned (index on state, due_at),
in batches, without loading model instances. Each batch commits its warnings together with the
flags, so a sweep killed midway (SIGKILL, power cut) loses nothing and the next one finishes the job.
E-mails go out after the sweep, claimed in short transactions and marked sent one by one
(`warnings_email`).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.people.models import OfficialRole, Role

from . import clock
from .models import Dossier, DossierStep, Warning
from .states import PAUSED_STATES, State

log = logging.getLogger(__name__)
BATCH = 5000
ACTIVE_STATES = [State.RECEIVED, State.PROCESSING]  # paused dossiers (5, 6) have no running clock


def _role_holders() -> tuple[dict[int, list[int]], dict[tuple[int, str], list[int]]]:
    leaders: dict[int, list[int]] = defaultdict(list)
    by_role: dict[tuple[int, str], list[int]] = defaultdict(list)
    for agency_id, user_id, role in OfficialRole.objects.filter(official__user__is_active=True).values_list(
            "official__agency_id", "official__user_id", "role"):
        by_role[(agency_id, role)].append(user_id)
        if role == Role.LEADER:
            leaders[agency_id].append(user_id)
    return leaders, by_role


def _recipients(agency_id: int, assignee_id: int | None, role: str, leaders, by_role) -> set[int]:
    people = set(leaders.get(agency_id, []))
    if assignee_id:
        people.add(assignee_id)
    else:
        people.update(by_role.get((agency_id, role), []))
    return people


def _insert_warnings(rows: list[tuple]) -> None:
    """Insert (dossier_id, step, kind, recipient_id, created_at, due_at) rows, skipping those that
    exist (the unique constraint makes the sweep idempotent). Raw executemany: no model instances."""
    if not rows:
        return
    table = Warning._meta.db_table
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} (dossier_id, step, kind, recipient_id, created_at, due_at) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            rows,
        )


def _sweep(model, qs, columns: tuple[str, ...], to_rows, now: datetime, horizon: datetime) -> int:
    """One pass per kind: read every owed row once (a single indexed query), then write in batches."""
    created = 0
    for kind, flag, owed in (
        (Warning.Kind.LATE, "warned_late", qs.filter(due_at__lte=now, warned_late=False)),
        (Warning.Kind.DUE_SOON, "warned_due_soon", qs.filter(due_at__gt=now, due_at__lte=horizon, warned_due_soon=False)),
    ):
        pending = list(owed.order_by("pk").values_list(*columns))
        for i in range(0, len(pending), BATCH):
            batch = pending[i:i + BATCH]
            rows = [row for item in batch for row in to_rows(item, kind, now)]
            update = {flag: True}
            if kind == Warning.Kind.LATE:
                update["warned_due_soon"] = True
            with transaction.atomic():
                _insert_warnings(rows)
                model.objects.filter(pk__in=[item[0] for item in batch]).update(**update)
            created += len(rows)
    return created


def _sweep_dossiers(now: datetime, horizon: datetime, leaders, by_role) -> int:
    def to_rows(item, kind, at):
        pk, agency_id, assignee_id, due = item
        return [(pk, 0, kind, uid, at, due) for uid in _recipients(agency_id, assignee_id, Role.RECEIVER, leaders, by_role)]

    qs = Dossier.objects.filter(state__in=ACTIVE_STATES, due_at__isnull=False)
    return _sweep(Dossier, qs, ("pk", "agency_id", "assignee_id", "due_at"), to_rows, now, horizon)


def _sweep_steps(now: datetime, horizon: datetime, leaders, by_role) -> int:
    def to_rows(item, kind, at):
        _pk, dossier_id, order, agency_id, assignee_id, role, due = item
        return [(dossier_id, order, kind, uid, at, due) for uid in _recipients(agency_id, assignee_id, role, leaders, by_role)]

    qs = DossierStep.objects.filter(status=DossierStep.Status.ACTIVE, due_at__isnull=False).exclude(
        dossier__state__in=list(PAUSED_STATES))
    return _sweep(DossierStep, qs, ("pk", "dossier_id", "order", "agency_id", "assignee_id", "role", "due_at"),
                  to_rows, now, horizon)


def warnings_sweep(*, now: datetime | None = None) -> dict:
    """Create every due-soon and late warning that is owed at `now`. Returns counts."""
    now = now or timezone.now()
    horizon = clock.warn_horizon(now)
    leaders, by_role = _role_holders()
    dossiers = _sweep_dossiers(now, horizon, leaders, by_role)
    steps = _sweep_steps(now, horizon, leaders, by_role)
    return {"dossier_warnings": dossiers, "step_warnings": steps}


EMAIL_BATCH = 100


def warning_message_id(warning_id: int) -> str:
    """The Message-ID of a warning's e-mail: always the same for the same warning. A sender killed
    between handing the message over and recording it re-sends it after restart; with the same
    Message-ID, mail systems and clients show it once instead of as a second warning."""
    domain = urlparse(settings.PUBLIC_URL).hostname or "tinhso.local"
    return f"<canh-bao-{warning_id}@{domain}>"


def _email_claim(*, now: datetime, batch: int) -> list[int]:
    """Claim up to `batch` unsent warnings in one short transaction (rows locked by another sender are
    skipped; a claim older than the lease belongs to a sender that died and is taken over)."""
    stale = now - timedelta(seconds=settings.WARNINGS_EMAIL_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(Warning.objects.select_for_update(skip_locked=True)
                   .filter(emailed_at__isnull=True)
                   .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale))
                   .order_by("pk").values_list("pk", flat=True)[:batch])
        if ids:
            Warning.objects.filter(pk__in=ids).update(email_claimed_at=now)
    return ids


def _email_message(w: Warning, mailer) -> EmailMessage:
    due = timezone.localtime(w.due_at).strftime("%H:%M %d/%m/%Y")
    what = _("bước %(n)s của hồ sơ") % {"n": w.step} if w.step else _("hồ sơ")
    if w.kind == Warning.Kind.LATE:
        subject = _("Quá hạn: %(what)s %(code)s") % {"what": what, "code": w.dossier.code}
        body = _("%(what)s %(code)s (%(proc)s) đã quá hạn từ %(due)s. Hãy xử lý ngay hoặc lập phiếu xin lỗi và hẹn lại.")
    else:
        subject = _("Sắp đến hạn: %(what)s %(code)s") % {"what": what, "code": w.dossier.code}
        body = _("%(what)s %(code)s (%(proc)s) đến hạn lúc %(due)s, còn chưa đầy một ngày làm việc.")
    body = body % {"what": what.capitalize(), "code": w.dossier.code, "proc": w.dossier.procedure_name, "due": due}
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [w.recipient.email], connection=mailer,
                        headers={"Message-ID": warning_message_id(w.pk)})


def warnings_email(*, limit: int | None = None, now: datetime | None = None) -> int:
    """Send the e-mails of warnings not yet e-mailed; returns how many were marked sent.

    No transaction is held while mail is sent (a slow mail server must not hold database locks):
    a batch is claimed in one short transaction, then each message is sent and marked sent at once.
    Two senders never take the same warning. A sender killed mid-batch leaves its claims, taken over
    after the lease; only the one message it was handing over when it died can go out twice, and it
    carries the same Message-ID (`warning_message_id`)."""
    now = now or timezone.now()
    sent = 0
    while limit is None or sent < limit:
        batch = EMAIL_BATCH if limit is None else min(EMAIL_BATCH, limit - sent)
        ids = _email_claim(now=now, batch=batch)
        if not ids:
            break
        pending = set(ids)
        try:
            with get_connection() as mailer:
                for w in (Warning.objects.filter(pk__in=ids, emailed_at__isnull=True)
                          .select_related("dossier", "recipient").order_by("pk")):
                    if w.recipient.email:
                        _email_message(w, mailer).send()
                    Warning.objects.filter(pk=w.pk).update(emailed_at=timezone.now())
                    pending.discard(w.pk)
                    sent += 1
        finally:
            if pending:  # not sent (the mail server failed): release at once for the next run
                Warning.objects.filter(pk__in=pending, emailed_at__isnull=True).update(email_claimed_at=None)
    return sent

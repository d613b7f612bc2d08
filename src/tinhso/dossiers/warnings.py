"""The warning sweep: one working day before a dossier's or a step's due time, and when it becomes
late, warn the official handling it and the leaders of their agency (in the app, then by e-mail).

Idempotent: a warning is a row unique on (dossier, step, kind, recipient), and the dossier/step keeps
a flag once warned; run twice, the sweep writes and sends nothing twice. Set-based: it reads only the
dossiers within one working day of their due time that were not yet warned (partial indexes on the
rows not yet warned), in SQL: `INSERT ... SELECT` of the warnings and the `UPDATE` of the flags in one
transaction per kind (one statement on PostgreSQL), no row is loaded into Python. A sweep killed midway
(SIGKILL, power cut) loses nothing: the next one finishes the job.
E-mails go out after the sweep, claimed in short transactions and marked sent one by one
(`warnings_email`).
"""
from __future__ import annotations

import logging
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
ACTIVE_STATES = [State.RECEIVED, State.PROCESSING]  # paused dossiers (5, 6) have no running clock


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _holders_sql() -> str:
    """(agency_id, role, user_id) of every active official's role."""
    from tinhso.people.models import Official, User

    return (f"SELECT o.agency_id AS agency_id, r.role AS role, o.user_id AS user_id "
            f"FROM {_t(OfficialRole)} r JOIN {_t(Official)} o ON o.id = r.official_id "
            f"JOIN {_t(User)} u ON u.id = o.user_id WHERE u.is_active")


def _owed_sql(kind: str, *, table: str, where: str) -> tuple[str, str]:
    """The condition on `table` (alias t) of rows owed a warning of `kind`, and the flags that record it."""
    if kind == Warning.Kind.LATE:
        return f"{where} AND t.due_at <= %(now)s AND NOT t.warned_late", "warned_late = %(true)s, warned_due_soon = %(true)s"
    return (f"{where} AND t.due_at > %(now)s AND t.due_at <= %(horizon)s AND NOT t.warned_due_soon",
            "warned_due_soon = %(true)s")


def _recipients_sql(source: str, *, role: str) -> str:
    """Rows (dossier_id, step, recipient_id, due_at) of `source` (columns id, dossier_id, step, agency_id,
    assignee_id, role, due_at): the leaders of the agency, and the assignee (or, with no assignee, everyone
    holding the step's role in the agency). A leader who is also the assignee is one recipient: the unique
    constraint drops the repeat."""
    holders = _holders_sql()
    return (f"SELECT s.dossier_id, s.step, h.user_id, s.due_at FROM {source} s JOIN ({holders}) h "
            f"ON h.agency_id = s.agency_id AND (h.role = '{Role.LEADER}' OR (s.assignee_id IS NULL AND h.role = {role})) "
            f"UNION ALL SELECT s.dossier_id, s.step, s.assignee_id, s.due_at FROM {source} s WHERE s.assignee_id IS NOT NULL")


TARGETS = {
    # name: (model, alias-t FROM clause, condition, source columns, role expression)
    "dossier": (Dossier, "{dossier} t", "t.state IN ({active}) AND t.due_at IS NOT NULL",
                "t.id AS id, t.id AS dossier_id, 0 AS step, t.agency_id AS agency_id, t.assignee_id AS assignee_id, "
                "t.due_at AS due_at", f"'{Role.RECEIVER}'"),
    # Paused dossiers are few: excluding their ids keeps the plan on the steps' partial indexes.
    "step": (DossierStep, "{step} t",
             "t.status = '{active_step}' AND t.due_at IS NOT NULL "
             "AND t.dossier_id NOT IN (SELECT p.id FROM {dossier} p WHERE p.state IN ({paused}))",
             't.id AS id, t.dossier_id AS dossier_id, t."order" AS step, t.agency_id AS agency_id, '
             "t.assignee_id AS assignee_id, t.role AS role, t.due_at AS due_at", "s.role"),
}


def _sweep_one(name: str, kind: str, now: datetime, horizon: datetime) -> int:
    """Warn every row of `name` owed a warning of `kind`, and flag them, in one transaction of two (SQLite)
    or one (PostgreSQL) statements: no row is read into Python. Returns the warnings created."""
    model, from_, where, columns, role = TARGETS[name]
    from_ = from_.format(dossier=_t(Dossier), step=_t(DossierStep))
    where = where.format(dossier=_t(Dossier), active=", ".join(str(int(s)) for s in ACTIVE_STATES), active_step=DossierStep.Status.ACTIVE,
                         paused=", ".join(str(int(s)) for s in PAUSED_STATES))
    cond, flags = _owed_sql(kind, table=name, where=where)
    adapt = connection.ops.adapt_datetimefield_value
    params = {"now": adapt(now), "horizon": adapt(horizon), "kind": str(kind), "true": True}
    warning = _t(Warning)
    insert = f"INSERT INTO {warning} (dossier_id, step, kind, recipient_id, created_at, due_at) "
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Flag and warn in one statement: the rows flagged are exactly the rows warned.
            cur.execute(
                f"WITH owed AS (UPDATE {_t(model)} t SET {flags} "
                + f"WHERE {cond} RETURNING {columns}) "
                + insert + f"SELECT r.dossier_id, r.step, %(kind)s, r.user_id, %(now)s, r.due_at "
                f"FROM ({_recipients_sql('owed', role=role)}) r "
                "ON CONFLICT DO NOTHING", params)
            return cur.rowcount
        # SQLite: the write lock is held from BEGIN IMMEDIATE, so nothing changes between the two statements.
        # Its planner prefers the (state, due_at) index, which still holds every row already warned: the
        # partial index of the rows not yet warned is named, so a sweep never rereads what it handled.
        index = f"{name}_owed_{'late' if kind == Warning.Kind.LATE else 'due_soon'}"
        from_ = from_.replace(" t", f" t INDEXED BY {index}", 1)
        owed = f"(SELECT {columns} FROM {from_} WHERE {cond})"
        cur.execute(insert + f"SELECT r.dossier_id, r.step, %(kind)s, r.user_id, %(now)s, r.due_at "
                    f"FROM ({_recipients_sql(owed, role=role)}) r WHERE true ON CONFLICT DO NOTHING", params)
        created = cur.rowcount
        cur.execute(f"UPDATE {_t(model)} SET {flags.replace('t.', '')} WHERE id IN (SELECT t.id FROM {from_} WHERE {cond})",
                    params)
        return created


def warnings_sweep(*, now: datetime | None = None) -> dict:
    """Create every due-soon and late warning that is owed at `now`. Returns counts."""
    now = now or timezone.now()
    horizon = clock.warn_horizon(now)
    counts = {"dossier_warnings": 0, "step_warnings": 0}
    for name in ("dossier", "step"):
        for kind in (Warning.Kind.LATE, Warning.Kind.DUE_SOON):
            counts[f"{name}_warnings"] += _sweep_one(name, kind, now, horizon)
    return counts


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

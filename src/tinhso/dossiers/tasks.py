"""Background jobs of dossiers: thin and idempotent; they only call services."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task, on_startup

from . import services

SWEEP_LOCK = "dossiers-warnings-sweep"


@db_periodic_task(crontab(minute="*/5"))
@lock_task(SWEEP_LOCK)
def sweep_warnings():
    """Every 5 minutes: create the due-soon and late warnings owed, then e-mail them (all of them)."""
    services.warnings_sweep()
    services.warnings_email()


@db_periodic_task(crontab(minute="23"))
def purge_idempotency_keys():
    """Every hour: forget the idempotency keys older than 24 hours (run twice, the second deletes nothing)."""
    services.idempotency_keys_purge()


@db_periodic_task(crontab(minute="41"))
def purge_paper_uploads():
    """Every hour: delete the papers uploaded more than 24 hours ago that no submission took (rows, then files)."""
    services.paper_uploads_purge()


@on_startup()
def release_locks_of_a_dead_worker():
    """A worker killed mid-sweep (SIGKILL, out of memory, power cut) never releases its sweep's lock, and
    every later sweep would be refused as "already running": a starting worker releases the locks of
    every task (this one and the other apps' sweeps). Harmless if another consumer happens to be
    sweeping: the sweeps are idempotent, their locks only save doing the same work twice."""
    from huey.contrib.djhuey import HUEY

    HUEY.flush_locks(SWEEP_LOCK)

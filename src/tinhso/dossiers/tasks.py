"""Background jobs of dossiers: thin and idempotent; they only call services."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
@lock_task("dossiers-warnings-sweep")
def sweep_warnings():
    """Every 5 minutes: create the due-soon and late warnings owed, then e-mail them."""
    services.warnings_sweep()
    services.warnings_email()

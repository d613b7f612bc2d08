"""Background jobs of citizen reports: thin and idempotent; they only call services."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
@lock_task("feedback-warnings-sweep")
def sweep_report_warnings():
    """Every 5 minutes: warn of reports due soon or late (run twice, it sends nothing twice)."""
    services.reports_warnings_sweep()

"""Background jobs of ops: thin and idempotent; they only call services."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import services


@db_periodic_task(crontab(minute="41", hour="19"))  # huey's crontab is in UTC: 02:41 in Vietnam, once a day
@lock_task("ops-media-orphans-sweep")
def sweep_media_orphans():
    """Once a day: quarantine the uploads no row names that are older than the grace period (24 h), delete
    those quarantined 7 days ago (run twice, the second run does nothing)."""
    services.media_orphans_sweep()

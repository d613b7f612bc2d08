class BackupError(Exception):
    """A backup or a restore cannot go on; the message (Vietnamese) says why and what to do."""


class OrphanSweepError(Exception):
    """The sweep of orphan uploads cannot run as configured; the message (Vietnamese) says what to change."""

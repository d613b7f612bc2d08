class BackupError(Exception):
    """A backup or a restore cannot go on; the message (Vietnamese) says why and what to do."""

"""Django's SQLite backend, with writers queued by the kernel instead of by SQLite's busy handler.

Every transaction here starts with `BEGIN IMMEDIATE` (settings: "transaction_mode"), which takes SQLite's write
lock. A second process asking for it while it is held does not wait for it: SQLite's busy handler puts it to
sleep 1, 2, 5, 10, 15, 20, 25... ms and retries. When write transactions last about a millisecond (a submitted
dossier), the waiting process mostly sleeps past the moment the lock was freed: with two web workers the CPU
idles between them and a submission took several times its own work (bench/submission.py).

So each connection first takes an exclusive `flock` on `<database file>.writers` and only then sends
`BEGIN IMMEDIATE`; it releases the lock when the transaction commits or rolls back (and when the connection
closes; the kernel releases it if the process dies). A waiting writer is woken by the kernel the moment the
lock is released, in turn. Readers never take it (WAL: they read beside the writer); writes made outside a
transaction (autocommit) do not take it either and still queue on SQLite's own lock. An in-memory database
has no file and no lock.
"""
from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writers_fd: int | None = None
        self._writing = False

    def _writers_lock_path(self) -> str | None:
        name = str(self.settings_dict.get("NAME") or "")
        if not name or name == ":memory:" or name.startswith("file:") or self.is_in_memory_db():
            return None
        return name + ".writers"

    def _writers_acquire(self) -> None:
        if self._writing:
            return
        path = self._writers_lock_path()
        if path is None:
            return
        if self._writers_fd is None:
            self._writers_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._writers_fd, fcntl.LOCK_EX)
        self._writing = True

    def _writers_release(self) -> None:
        if self._writing:
            self._writing = False
            fcntl.flock(self._writers_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._writers_acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._writers_release()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._writers_release()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._writers_release()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._writers_release()
            if self._writers_fd is not None:
                os.close(self._writers_fd)
                self._writers_fd = None

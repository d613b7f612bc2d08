"""The SQLite backend's writer queue (tinhso.ops.sqlitebackend): a write transaction waits for the one before it
on a lock file, and gets the lock as soon as that one commits or rolls back. SQLite only."""
from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from django.db import connection

from tinhso.ops.sqlitebackend.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")


@pytest.fixture(autouse=True)
def _own_files(django_db_blocker):
    """These tests open their own database files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path) -> DatabaseWrapper:
    settings = dict(connection.settings_dict, NAME=str(path))
    return DatabaseWrapper(settings, alias=f"writers-{id(settings)}")


def _queue_free(path) -> bool:
    """Whether no connection holds the writers' lock of `path` now (tried without waiting)."""
    fd = os.open(str(path) + ".writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def _setup(path):
    w = _wrapper(path)
    with w.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS t (n integer)")
    w.close()


def test_a_second_writer_waits_for_the_first_to_commit_then_goes_on(tmp_path):
    path = tmp_path / "w.sqlite3"
    _setup(path)
    first = _wrapper(path)
    order = []
    assert _queue_free(path)
    with _atomic(first):
        with first.cursor() as cur:
            cur.execute("INSERT INTO t VALUES (1)")
        assert not _queue_free(path)  # held from BEGIN to COMMIT
        done = threading.Event()

        def write():
            second = _wrapper(path)  # a connection belongs to its thread
            with _atomic(second):
                order.append("second in")
                with second.cursor() as cur:
                    cur.execute("INSERT INTO t VALUES (2)")
            second.close()
            done.set()

        thread = threading.Thread(target=write)
        thread.start()
        time.sleep(0.3)
        assert not done.is_set() and order == []  # queued behind the first, not failed
        order.append("first commits")
    thread.join(5)
    assert done.is_set() and order == ["first commits", "second in"]
    assert _queue_free(path)
    with first.cursor() as cur:
        cur.execute("SELECT n FROM t ORDER BY n")
        assert [r[0] for r in cur.fetchall()] == [1, 2]
    first.close()


def test_a_rolled_back_writer_releases_the_queue(tmp_path):
    path = tmp_path / "w.sqlite3"
    _setup(path)
    first, second = _wrapper(path), _wrapper(path)
    with pytest.raises(RuntimeError):
        with _atomic(first):
            with first.cursor() as cur:
                cur.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("the change fails")
    assert not first._writing and _queue_free(path)
    with _atomic(second):  # would block for ever if the lock were still held
        with second.cursor() as cur:
            cur.execute("INSERT INTO t VALUES (2)")
    with second.cursor() as cur:
        cur.execute("SELECT n FROM t")
        assert [r[0] for r in cur.fetchall()] == [2]
    first.close()
    second.close()


def test_the_queue_is_a_file_beside_the_database_and_memory_has_none(tmp_path):
    path = tmp_path / "w.sqlite3"
    w = _wrapper(path)
    assert w._writers_lock_path() == str(path) + ".writers"
    memory = DatabaseWrapper(dict(connection.settings_dict, NAME=":memory:"), alias="writers-memory")
    assert memory._writers_lock_path() is None


class _atomic:
    """transaction.atomic on a wrapper that is not in settings.DATABASES (the tests' own files)."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def __enter__(self):
        self.wrapper.ensure_connection()
        self.wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.wrapper.commit()
        else:
            self.wrapper.rollback()
        self.wrapper.set_autocommit(True)
        return False

"""Writing a chunk while the next one is generated: a writer thread with its own database connection.

SQLite does its B-tree work with the GIL released (the sqlite3 module lets go of it around each step of a
statement), so the writer thread's inserts run on a second core while the simulation generates the next
chunk in this thread; on PostgreSQL the work is the server's anyway. The generator predicts the ids and
the sequence counters each chunk will find (it writes them itself, chunk after chunk); the chunk's
transaction checks the prediction first, under the chunk's lock, and refuses to write otherwise: a
concurrent writer can stop a run, never make it write wrong rows. Inside a transaction (tests, a caller's
atomic block) there is no second connection that could see the data: the chunks are written at once in
this thread, by the same code.
"""
from __future__ import annotations

import queue
import sys
import threading
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext as _

from .sim_writer import Table, Writer, bulk_session


SWITCH_INTERVAL = 0.0002  # seconds (Python's default: 0.005)


class ConcurrentChange(Exception):
    """Someone else wrote into a table the simulation writes (its message names the table, in Vietnamese)."""


@dataclass
class Sequence:
    """Counters a chunk moves on (DailySequence, ReportSequence): {key: (last before, last after)}."""

    table: str
    key_columns: tuple[str, ...]
    where: str                      # SQL selecting at least the rows of these keys
    params: list
    changes: dict[tuple, tuple[int, int]]


@dataclass
class Chunk:
    rows: list[tuple[Table, list]]
    first_ids: dict[str, int]       # table -> the first id the chunk writes (max + 1 expected)
    next_ids: dict[str, int]        # table -> the id after the chunk
    sequences: list[Sequence] = field(default_factory=list)
    lock: list[str] = field(default_factory=list)


def write_chunk(chunk: Chunk, writer: Writer) -> None:
    with transaction.atomic():
        writer.lock([t for t, _rows in chunk.rows] + chunk.lock)
        tables = [t for t, _rows in chunk.rows if t.name in chunk.first_ids]
        found = writer.next_ids(tables)
        for name, expected in chunk.first_ids.items():
            if found.get(name, expected) != expected:
                raise ConcurrentChange(name)
        with connection.cursor() as cur:
            for seq in chunk.sequences:
                cols = ", ".join(seq.key_columns)
                cur.execute(f"SELECT {cols}, last FROM {seq.table} WHERE {seq.where}", seq.params)
                current = {tuple(str(v) for v in row[:-1]): row[-1] for row in cur.fetchall()}
                for key, (before, _after) in seq.changes.items():
                    if current.get(tuple(str(v) for v in key), 0) != before:
                        raise ConcurrentChange(seq.table)
                marks = ", ".join(["%s"] * (len(seq.key_columns) + 1))
                cur.executemany(f"INSERT INTO {seq.table} ({cols}, last) VALUES ({marks}) "
                                f"ON CONFLICT ({cols}) DO UPDATE SET last = excluded.last",
                                [(*key, after) for key, (_before, after) in sorted(seq.changes.items())])
        for table, rows in chunk.rows:
            writer.write(table, rows)
        writer.sequences_past(chunk.next_ids)


class Pipeline:
    """Chunks written in order, by a writer thread (or at once, see the module's docstring)."""

    def __init__(self, *, threaded: bool):
        self.threaded = threaded
        self.error: BaseException | None = None
        self.rows_written: dict[str, int] = {}
        if threaded:
            # The writer thread takes the GIL back after every statement SQLite runs without it: with the
            # default 5 ms switch interval it would wait behind the generating thread most of the time.
            self.switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL)
            self.queue: queue.Queue = queue.Queue(maxsize=1)
            self.thread = threading.Thread(target=self._run, name="simulate-writer", daemon=True)
            self.thread.start()
        else:
            self.writer = Writer()

    def submit(self, chunk: Chunk) -> None:
        if not self.threaded:
            self._write(chunk, self.writer)
            return
        if self.error is not None:
            self._raise()
        self.queue.put(chunk)

    def close(self) -> dict[str, int]:
        """Wait until every chunk is written; re-raise the writer's error, if any."""
        if self.threaded and self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.threaded:
            sys.setswitchinterval(self.switch_interval)
        if self.error is not None:
            self._raise()
        return self.rows_written

    def abort(self) -> None:
        if self.threaded and self.thread.is_alive():
            self.error = self.error or RuntimeError("aborted")
            self.queue.put(None)
            self.thread.join()
        if self.threaded:
            sys.setswitchinterval(self.switch_interval)

    def _write(self, chunk: Chunk, writer: Writer) -> None:
        before = dict(writer.rows_written)
        write_chunk(chunk, writer)
        for name, n in writer.rows_written.items():
            self.rows_written[name] = self.rows_written.get(name, 0) + n - before.get(name, 0)

    def _run(self) -> None:
        try:
            with bulk_session():
                writer = Writer()
                while True:
                    chunk = self.queue.get()
                    if chunk is None:
                        break
                    if self.error is None:
                        try:
                            self._write(chunk, writer)
                        except BaseException as exc:  # noqa: BLE001 - handed to the generating thread
                            self.error = exc
        except BaseException as exc:  # noqa: BLE001
            self.error = self.error or exc
        finally:
            connection.close()

    def _raise(self):
        from .simulate import SimulationError

        if isinstance(self.error, ConcurrentChange):
            raise SimulationError(_("Bảng %(table)s vừa được ghi bởi một tiến trình khác trong lúc mô phỏng: "
                                    "đã dừng, phần đã ghi vẫn nhất quán. Hãy chạy lại khi không ai khác ghi "
                                    "(thêm --append).") % {"table": str(self.error)}) from self.error
        raise self.error

"""The one thread that writes to the library.

SQLite allows one writer at a time; funnelling every write through one thread
that owns the connection removes lock contention between run-all workers and
the GUI. Jobs that arrive together are committed in one transaction (each in
its own savepoint, so a failing job does not undo its neighbours), and a job's
future resolves only after its transaction committed: once `submit(...).result()`
returns, the write survives a kill -9.
"""
from __future__ import annotations

import queue
import sqlite3
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable

from studio.library.sqlite_import import sqlite_utils  # without numpy

BUSY_TIMEOUT_MS = 10_000
MAX_BATCH = 64

Job = Callable[[sqlite_utils.Database], Any]


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection with the library's pragmas (WAL is a property of the file)."""
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class WriterClosed(RuntimeError):
    """The library was closed; the write was not made."""


class Writer:
    def __init__(self, path: Path):
        self.path = path
        self._queue: queue.Queue[tuple[Job, Future] | None] = queue.Queue()
        self._ready: Future = Future()
        self._closed = False
        self._clean = False             # set once the connection closed after a full checkpoint
        self._met_damage = False        # a job failed with SQLite's "malformed" kind of error
        self._thread = threading.Thread(target=self._loop, name="library-writer", daemon=True)
        self._thread.start()
        self._ready.result()          # re-raises a failure to open the file

    # -- public -------------------------------------------------------------
    def submit(self, job: Job) -> Future:
        future: Future = Future()
        if self._closed:
            future.set_exception(WriterClosed("the library is closed"))
            return future
        self._queue.put((job, future))
        return future

    def call_raw(self, job: Job) -> Any:
        """Run a job that manages its own transactions (migrations) and wait for it."""
        def raw(db: sqlite_utils.Database) -> Any:
            return job(db)
        raw.raw = True   # type: ignore[attr-defined]
        return self.call(raw)

    def call(self, job: Job) -> Any:
        """Run `job(db)` on the writer thread and wait until it is committed."""
        if threading.current_thread() is self._thread:
            return job(self._db)
        return self.submit(job).result()

    def close(self) -> bool:
        """Commit what is queued and close; True when the log was folded into the file and
        no write met damage (the lock then records a clean close: open_check.py)."""
        if self._closed:
            return False
        self._closed = True
        self._queue.put(None)
        self._thread.join()
        return self._clean

    # -- the thread ---------------------------------------------------------
    def _loop(self) -> None:
        try:
            conn = connect(self.path)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")   # durable across process crashes in WAL
            self._db = sqlite_utils.Database(conn)
        except BaseException as exc:   # noqa: BLE001 - reported to the opener
            self._ready.set_exception(exc)
            return
        self._ready.set_result(True)
        stop = False
        while not stop:
            batch, stop = self._take_batch()
            while batch:
                if getattr(batch[0][0], "raw", False):
                    self._run_raw(*batch.pop(0))
                    continue
                cut = next((i for i, (j, _) in enumerate(batch) if getattr(j, "raw", False)),
                           len(batch))
                self._run_batch(batch[:cut])
                batch = batch[cut:]
        clean = not self._met_damage
        try:
            clean = clean and not conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.Error:
            clean = False
        try:
            conn.close()
        except sqlite3.Error:
            clean = False
        self._clean = clean

    def _take_batch(self) -> tuple[list[tuple[Job, Future]], bool]:
        """Wait for a job, then take what else is queued (up to MAX_BATCH); True once closed."""
        batch: list[tuple[Job, Future]] = []
        item = self._queue.get()
        while item is not None:
            batch.append(item)
            if len(batch) >= MAX_BATCH:
                return batch, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False
        return batch, True

    def _note(self, exc: BaseException) -> None:
        """SQLite's "malformed" / "not a database" (a plain DatabaseError, not a lock or a
        constraint): the file is damaged, so this close is no clean one."""
        if type(exc) is sqlite3.DatabaseError:
            self._met_damage = True

    def _run_raw(self, job: Job, future: Future) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            value = job(self._db)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            self._db.rollback()
            self._note(exc)
            future.set_exception(exc)
        else:
            self._db.commit()
            future.set_result(value)

    def _run_batch(self, batch: list[tuple[Job, Future]]) -> None:
        outcomes: list[tuple[Future, bool, Any]] = []
        db = self._db
        try:
            with db.atomic():
                for job, future in batch:
                    if not future.set_running_or_notify_cancel():
                        continue
                    try:
                        with db.atomic():        # a savepoint per job
                            outcomes.append((future, True, job(db)))
                    except BaseException as exc:  # noqa: BLE001 - handed to the caller
                        self._note(exc)
                        outcomes.append((future, False, exc))
        except BaseException as exc:  # noqa: BLE001 - the commit itself failed
            self._note(exc)
            for job, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, ok, value in outcomes:
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

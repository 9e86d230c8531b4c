"""The simulation library: `library.sqlite` in the project folder.

Opening takes an OS lock so a second Studio cannot write to the same file
(it may still read), upgrades the schema with the migrations, marks runs left
`running` by a crashed Studio as `interrupted`, and imports simulations from
the project's `simulations/` folder (all of them into a new or empty library,
afterwards only files whose content changed). Writes go through one writer
thread; reads use a connection per calling thread.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

from studio.library.sqlite_import import sqlite_utils  # without numpy

from studio.core.problems import Problem
from studio.core.layout import LIBRARY_FILE
from studio.core.simulation import Simulation

from . import open_check, schema
from .lock import LibraryLock, LockHeld
from .records import (LibraryBusy, LibraryCorrupt, LibraryError, LibraryInUse, LibraryReadOnly,
                      SimulationRecord, busy_message, dumps, is_busy, loads, now)
from .runs_store import RunsStore
from .writer import Writer, connect

SQLITE_HEADER = b"SQLite format 3\x00"


def rebuild_hint(root: Path) -> str:
    return f"studio sim rebuild {root}"


def check_file(path: Path, root: Path) -> None:
    """Refuse a file that is not an SQLite database before SQLite sees it."""
    if path.is_dir():
        raise LibraryCorrupt(
            f"{path} is a folder, but the simulation library must be a file there.\n"
            f"Fix: move or rename that folder, or run `{rebuild_hint(root)}`: it moves the folder "
            f"aside and builds a new library from the YAML files in {root / 'simulations'}.")
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb") as handle:
        header = handle.read(16)
    if header != SQLITE_HEADER:
        raise LibraryCorrupt(corrupt_message(path, root, "it is not an SQLite database"))


def corrupt_message(path: Path, root: Path, why: str) -> str:
    return (f"{path}: the simulation library is damaged ({why}).\n"
            f"Fix: run `{rebuild_hint(root)}`: it moves the broken file aside as "
            f"{path.name}.broken-<timestamp> and rebuilds the library from the YAML files in "
            f"{root / 'simulations'} (run history stays in the moved file).")


def integrity_problems(db: Any, *, full: bool = False) -> list[str]:
    """What SQLite's check finds wrong with the file ([] when sound). `quick_check`
    (on open, unless the file is the one a clean close left: open_check.py; it reads
    each page once) or the slower full `integrity_check` (`studio sim check`), which
    also compares every index with its table."""
    pragma = "integrity_check" if full else "quick_check"
    rows = db.execute(f"PRAGMA {pragma}(10)").fetchall()
    return [str(r[0]) for r in rows if str(r[0]) != "ok"]


def full_check(path: Path) -> list[str]:
    """The full check of a library file, read-only (a Studio may have it open)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return integrity_problems(conn, full=True)
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()


def check_integrity(db: Any, path: Path | None = None, *, full: bool = True) -> None:
    """Raise sqlite3.DatabaseError, which opening reports as damage with the rebuild hint,
    when the check fails: a run must never be appended to a damaged file. `full`: SQLite's
    quick_check, else the cheap checks of a file left as a clean close left it."""
    found = integrity_problems(db) if full or path is None else \
        open_check.cheap_problems(db, path)
    if found:
        raise sqlite3.DatabaseError(f"integrity check failed: {found[0]}")


def is_damage(exc: BaseException) -> bool:
    """SQLite's "malformed" / "not a database": plain DatabaseError, not a lock or constraint
    (those are subclasses)."""
    return type(exc) is sqlite3.DatabaseError


def script_text(sim: Simulation) -> str:
    parts = [t.text for t in sim.customer.turns()]
    parts += [sim.customer.persona or "", sim.customer.goal or "", sim.description or ""]
    return "\n".join(p for p in parts if p)


def simulation_row(sim: Simulation, stamp: str, source_file: str | None = None) -> dict[str, Any]:
    """The `simulations` row of a spec (without `created`, kept from the first save)."""
    row = {"name": sim.name, "procedure": sim.procedure, "tags": dumps(sim.tags),
           "spec": dumps(sim.to_data()), "script_text": script_text(sim), "updated": stamp}
    if source_file is not None:
        row["source_file"] = source_file
    return row


def put_simulation_row(db: sqlite_utils.Database, existing: Any, row: dict[str, Any],
                       stamp: str) -> None:
    """Update the row found (`existing`: (id,) or None), else insert one created now."""
    if existing:
        db["simulations"].update(existing[0], row)
    else:
        db["simulations"].insert(row | {"created": stamp})


def take_lock(path: Path, advice: str) -> LibraryLock:
    """The library's writer lock, or LibraryInUse naming the holder and what to do."""
    lock = LibraryLock(path.with_name(path.name + ".lock"))
    try:
        lock.acquire()
    except LockHeld as held:
        who = f"pid {held.pid}" if held.pid else "another process"
        raise LibraryInUse(f"{path}: the library is in use by another Procedure Studio "
                           f"({who}).\n{advice}", pid=held.pid) from None
    return lock


def fts_query(text: str) -> str:
    """Every word must match, as a prefix, so search-as-you-type finds 'refun' -> refund."""
    words = [w.replace('"', '""') for w in text.split() if w.strip()]
    return " ".join(f'"{w}"*' for w in words)


class Library(RunsStore):
    def __init__(self, root: Path, path: Path, *, read_only: bool,
                 lock: LibraryLock | None, writer: Writer | None):
        self.root = root
        self.path = path
        self.read_only = read_only
        self._lock = lock
        self._writer = writer
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self.load_problems: list[Problem] = []     # simulation files that could not be imported
        self.full_check = True         # whether opening ran SQLite's quick_check
        self._suspect = False          # damage was met: the close is not a clean one

    # -- opening --------------------------------------------------------------
    @classmethod
    def open(cls, project_root: Path | str, *, read_only: bool = False,
             sync: bool = True) -> "Library":
        """Open (creating and seeding when new) the library of a project folder.

        Raises LibraryInUse when another Studio holds it (read_only=True still
        works then), LibraryCorrupt for a damaged file.
        """
        root = Path(project_root)
        path = root / LIBRARY_FILE
        if not root.is_dir():
            raise LibraryError(f"{root} is not a folder: give the path of a project folder")
        check_file(path, root)
        if read_only:
            return cls._open_read_only(root, path)
        lock = take_lock(path, "Close it and try again; meanwhile it can be opened read-only "
                               "(--force-read-only) to browse simulations and runs, not to run "
                               "or edit them.")
        writer = None
        try:
            full = open_check.needs_full_check(path, lock.previous)   # before SQLite opens it
            writer = Writer(path)
            lib = cls(root, path, read_only=False, lock=lock, writer=writer)
            lib.full_check = full
            lib._prepare()
        except sqlite3.DatabaseError as exc:
            if writer:
                writer.close()
            lock.release()
            if is_busy(exc):
                raise LibraryBusy(busy_message(path)) from None
            raise LibraryCorrupt(corrupt_message(path, root, str(exc))) from None
        except BaseException:
            if writer:
                writer.close()
            lock.release()
            raise
        if sync:
            lib.sync_from_folder()
        return lib

    @classmethod
    def _open_read_only(cls, root: Path, path: Path) -> "Library":
        if not path.exists():
            raise LibraryError(f"{path}: there is no library yet; open the project once to create it")
        left = LibraryLock(path.with_name(path.name + ".lock")).read_note()
        full = open_check.needs_full_check(path, left)     # another Studio writing: its pid
        lib = cls(root, path, read_only=True, lock=None, writer=None)
        lib.full_check = full
        try:
            check_integrity(lib.db, path, full=full)
            version = schema.stored_version(lib.db)
        except sqlite3.DatabaseError as exc:
            lib.close()
            raise LibraryCorrupt(corrupt_message(path, root, str(exc))) from None
        if version != schema.SCHEMA_VERSION:
            lib.close()
            raise LibraryError(f"{path}: schema version {version}, this Studio reads "
                               f"{schema.SCHEMA_VERSION}; open it once normally to upgrade it")
        return lib

    def _prepare(self) -> None:
        def work(db: sqlite_utils.Database) -> None:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            check_integrity(db, self.path, full=self.full_check)
            version = schema.stored_version(db)
            if version > schema.SCHEMA_VERSION:
                raise LibraryError(
                    f"{self.path} was written by a newer Procedure Studio (schema {version}, "
                    f"this one knows {schema.SCHEMA_VERSION}); update Studio to open it")
        self._writer.call(work)
        # migrations manage their own transactions: run them outside the batch
        self._writer.call_raw(lambda db: schema.migrations.apply(db))
        self.mark_interrupted_runs()

    def close(self) -> None:
        clean = not self._suspect
        if self._writer is not None:
            clean = self._writer.close() and clean
            self._writer = None
        with self._readers_lock:
            for conn in self._readers:
                try:
                    conn.close()
                except sqlite3.Error:
                    clean = False
            self._readers.clear()
        if self._lock is not None:
            # every connection is closed: the file as left now, for the next open's check
            self._lock.release((open_check.identity(self.path) or "") if clean else "")
            self._lock = None

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------
    @property
    def db(self) -> sqlite_utils.Database:
        """A read connection owned by the calling thread."""
        db = getattr(self._local, "db", None)
        if db is None:
            conn = connect(self.path, read_only=self.read_only)
            conn.execute("PRAGMA query_only = ON")    # writes go through the writer thread only
            with self._readers_lock:
                self._readers.append(conn)
            db = self._local.db = sqlite_utils.Database(conn)
        return db

    def write(self, job, *, wait: bool = True):
        """Run `job(db)` on the writer thread; with wait, return once committed."""
        if self._writer is None:
            raise LibraryReadOnly(f"{self.path} is open read-only: close the other Procedure "
                                  "Studio to make changes")
        if not wait:
            return self._writer.submit(job)
        try:
            return self._writer.call(job)
        except sqlite3.DatabaseError as exc:
            if is_busy(exc):
                raise LibraryBusy(busy_message(self.path)) from None
            raise self.damaged(exc) if is_damage(exc) else exc

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict]:
        return self._read(lambda: list(self.db.query(sql, list(params))))

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        """`query`'s rows as plain tuples, for reading thousands."""
        return self._read(lambda: self.db.execute(sql, list(params)).fetchall())

    def _read(self, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except sqlite3.DatabaseError as exc:
            if is_busy(exc):
                raise LibraryBusy(busy_message(self.path)) from None
            raise self.damaged(exc) if is_damage(exc) else exc

    def damaged(self, exc: BaseException) -> LibraryCorrupt:
        """The error for damage found after opening (a bad page deep in the file)."""
        self._suspect = True
        return LibraryCorrupt(corrupt_message(self.path, self.root, str(exc)))

    # -- audit ----------------------------------------------------------------
    def audit(self, action: str, subject: str = "", detail: Any = None, *, wait: bool = True):
        row = {"at": now(), "action": action, "subject": subject,
               "detail": dumps(detail) if detail is not None else None, "pid": os.getpid()}
        return self.write(lambda db: db["audit_log"].insert(row), wait=wait)

    def audit_log(self, limit: int = 200) -> list[dict]:
        return self.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", [limit])

    # -- simulations ----------------------------------------------------------
    def simulations(self, *, procedure: str | None = None, tag: str | None = None,
                    light: bool = False, names: Iterable[str] | None = None
                    ) -> list[SimulationRecord]:
        """`light`: without the stored specs (`spec` None), for listing thousands; `names`:
        only these (a few failures of a large library are read without the rest)."""
        where, params = [], []
        if names is not None:
            where.append("name IN (SELECT value FROM json_each(?))")
            params.append(dumps(sorted(names)))
        if procedure:
            where.append("procedure = ?")
            params.append(procedure)
        if tag:
            where.append("EXISTS (SELECT 1 FROM json_each(simulations.tags) WHERE value = ?)")
            params.append(tag)
        columns = ("id, name, procedure, tags, NULL AS spec, source_file, created, updated"
                   if light else "id, name, procedure, tags, spec, source_file, created, updated")
        sql = f"SELECT {columns} FROM simulations" + (" WHERE " + " AND ".join(where) if where else "")
        # plain tuples: building a dict per row took most of the time at 20,000
        return [SimulationRecord(id=i, name=name, procedure=proc, tags=loads(tags, []), spec=spec,
                                 source_file=source, created=created, updated=updated)
                for i, name, proc, tags, spec, source, created, updated
                in self.rows(sql + " ORDER BY name", params)]

    def names(self, among: list[str] | None = None) -> list[str]:
        """Simulation names, sorted; `among`: only those of these that are in the library."""
        if among is None:
            return [r["name"] for r in self.query("SELECT name FROM simulations ORDER BY name")]
        return [r["name"] for r in self.query(
            "SELECT name FROM simulations WHERE name IN (SELECT value FROM json_each(?)) "
            "ORDER BY name", [dumps(list(among))])]

    def specs(self, names: list[str]) -> dict[str, str]:
        """{name: stored spec JSON} of these simulations (those in the library)."""
        rows = self.query("SELECT name, spec FROM simulations WHERE name IN "
                          "(SELECT value FROM json_each(?))", [dumps(list(names))])
        return {r["name"]: r["spec"] for r in rows}

    def simulation_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM simulations").fetchone()[0]

    def get(self, name: str) -> SimulationRecord | None:
        rows = self.query("SELECT * FROM simulations WHERE name = ?", [name])
        return SimulationRecord.from_row(rows[0]) if rows else None

    def search(self, text: str) -> list[SimulationRecord]:
        """Full-text search over names, tags and customer scripts, best match first."""
        query = fts_query(text)
        if not query:
            return self.simulations()
        rows = self.query(
            "SELECT simulations.* FROM simulations JOIN simulations_fts "
            "ON simulations_fts.rowid = simulations.id WHERE simulations_fts MATCH ? "
            "ORDER BY simulations_fts.rank", [query])
        return [SimulationRecord.from_row(r) for r in rows]

    def save_simulation(self, sim: Simulation, *, source_file: str | None = None,
                        previous_name: str | None = None, audit: str = "save") -> None:
        """Insert or update by name (or rename from `previous_name`)."""
        self.save_simulations([sim], source_files=[source_file], previous_names=[previous_name],
                              audit=audit)

    def save_simulations(self, sims: list[Simulation], *,
                         source_files: list[str | None] | None = None,
                         previous_names: list[str | None] | None = None,
                         audit: str = "save") -> None:
        """Several at once, in one transaction (imports, generated libraries)."""
        stamp = now()
        source_files = source_files or [None] * len(sims)
        previous_names = previous_names or [None] * len(sims)

        def work(db: sqlite_utils.Database) -> None:
            for sim, source_file, previous_name in zip(sims, source_files, previous_names):
                row = simulation_row(sim, stamp, source_file)
                if previous_name and previous_name != sim.name and db.execute(
                        "SELECT 1 FROM simulations WHERE name = ?", [sim.name]).fetchone():
                    raise LibraryError(f"a simulation named {sim.name!r} already exists; "
                                       "choose another name")
                existing = db.execute("SELECT id FROM simulations WHERE name = ?",
                                      [previous_name or sim.name]).fetchone()
                put_simulation_row(db, existing, row, stamp)
            subject = sims[0].name if len(sims) == 1 else f"{len(sims)} simulations"
            db["audit_log"].insert({"at": stamp, "action": f"simulation.{audit}",
                                    "subject": subject, "detail": None})
        if sims:
            self.write(work)

    def delete_simulation(self, name: str) -> bool:
        def work(db: sqlite_utils.Database) -> bool:
            cur = db.execute("DELETE FROM simulations WHERE name = ?", [name])
            if cur.rowcount:
                db["audit_log"].insert({"at": now(), "action": "simulation.delete",
                                        "subject": name, "detail": None})
            return bool(cur.rowcount)
        return self.write(work)

    def tags(self) -> list[str]:
        rows = self.query("SELECT DISTINCT value FROM simulations, json_each(simulations.tags) "
                          "ORDER BY value")
        return [r["value"] for r in rows]

    # -- YAML folder ----------------------------------------------------------
    def sync_from_folder(self) -> list[str]:
        """Import new or changed files of `simulations/` (everything when the library is empty)."""
        from .sim_io import sync_folder
        imported, problems = sync_folder(self)
        self.load_problems = problems
        return imported

"""Simulations in and out of the library as YAML (simulation/v1), and rebuilding it.

Import validates each file with the same loader as the project, so every
problem names file:line:column; a bad file is reported and skipped, never
half-imported.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from studio.core.problems import Problem, Severity
from studio.core.project import LIBRARY_FILE, SIMULATIONS_DIR, load_model
from studio.core.simulation import Simulation
from studio.core.yaml_io import save_model

from .records import LibraryError, dumps, now

if TYPE_CHECKING:
    from .library import Library


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)     # simulation names
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == Severity.error for p in self.problems)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def read_simulation(path: Path, root: Path) -> tuple[Simulation | None, list[Problem]]:
    rel = _rel(path, root)
    if not path.is_file():
        return None, [Problem(code="io", file=rel, message="no such file")]
    sim, _source, problems = load_model(Simulation, path, rel, fast=True)
    return sim, problems


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_files(library: "Library", paths: list[Path], *,
                 known_procedures: set[str] | None = None) -> ImportReport:
    """Validate and import simulation YAML files; existing names are updated."""
    report = ImportReport()
    for path in paths:
        path = Path(path)
        sim, problems = read_simulation(path, library.root)
        report.problems.extend(problems)
        if sim is None:
            continue
        rel = _rel(path, library.root)
        if known_procedures is not None and sim.procedure and sim.procedure not in known_procedures:
            report.problems.append(Problem(
                severity=Severity.warning, code="unknown-procedure", file=rel,
                message=f"procedure '{sim.procedure}' is not in this project",
                hint="imported anyway; it will end in error until the procedure exists"))
        source = rel if not rel.startswith("/") else None
        library.save_simulation(sim, source_file=source, audit="import")
        report.imported.append(sim.name)
    return report


def sync_folder(library: "Library") -> tuple[list[str], list[Problem]]:
    """Import `simulations/*.yaml` that are new or changed since last imported, and
    drop the simulations whose file is gone (the files are the source of truth;
    their run history stays).

    A new or empty library takes every file; afterwards a file is read again
    only when its content changed, so a simulation deleted in the library does
    not come back on the next open.
    """
    folder = library.root / SIMULATIONS_DIR
    if not folder.is_dir():
        drop_missing_files(library, set())
        return [], []
    empty = library.simulation_count() == 0
    known = {r["path"]: r["hash"] for r in library.query("SELECT path, hash FROM source_files")}
    imported: list[str] = []
    problems: list[Problem] = []
    seen_rows = []
    names: dict[str, str] = {}
    unchanged: set[str] = set()
    files = sorted(folder.glob("*.y*ml"))
    for path in files:
        rel = f"{SIMULATIONS_DIR}/{path.name}"
        try:
            digest = _hash(path.read_bytes())
        except OSError as exc:
            problems.append(Problem(code="io", file=rel, message=f"cannot read file: {exc}"))
            continue
        if not empty and known.get(rel) == digest:
            unchanged.add(rel)
            continue
        sim, found = read_simulation(path, library.root)
        problems.extend(found)
        if sim is None:
            continue
        if sim.name in names:
            problems.append(Problem(code="duplicate-name", file=rel,
                                    message=f"simulation name '{sim.name}' is already used by "
                                            f"{names[sim.name]}; this file was not imported",
                                    hint="give every simulation a different name"))
            continue
        names[sim.name] = rel
        seen_rows.append((sim, rel, digest))
    seen_rows = _without_names_taken(library, seen_rows, unchanged, problems)
    present = {f"{SIMULATIONS_DIR}/{path.name}" for path in files}
    if not seen_rows:
        drop_missing_files(library, present)
        return imported, problems

    def work(db) -> None:
        stamp = now()
        from .library import put_simulation_row, simulation_row
        for sim, rel, digest in seen_rows:
            row = simulation_row(sim, stamp, rel)
            # the same name first, else the row this file made before (renamed in the file)
            existing = (db.execute("SELECT id FROM simulations WHERE name = ?",
                                   [sim.name]).fetchone()
                        or db.execute("SELECT id FROM simulations WHERE source_file = ? LIMIT 1",
                                      [rel]).fetchone())
            put_simulation_row(db, existing, row, stamp)
            db.execute("INSERT OR REPLACE INTO source_files (path, hash, imported) VALUES (?, ?, ?)",
                       [rel, digest, stamp])
        db["audit_log"].insert({"at": stamp, "action": "simulation.sync",
                                "subject": SIMULATIONS_DIR,
                                "detail": dumps([s.name for s, _, _ in seen_rows])})
    library.write(work)
    drop_missing_files(library, present)
    imported.extend(s.name for s, _, _ in seen_rows)
    return imported, problems


def _without_names_taken(library: "Library", rows: list, unchanged: set[str],
                         problems: list[Problem]) -> list:
    """Drop (and report) a changed file whose simulation name an unchanged file already
    holds: importing it would silently replace that file's simulation in the library."""
    if not rows or not unchanged:
        return rows
    owners = {r["name"]: r["source_file"] for r in library.query(
        "SELECT name, source_file FROM simulations WHERE source_file IS NOT NULL")}
    kept = []
    for sim, rel, digest in rows:
        owner = owners.get(sim.name)
        if owner and owner != rel and owner in unchanged:
            problems.append(Problem(code="duplicate-name", file=rel,
                                    message=f"simulation name '{sim.name}' is already used by "
                                            f"{owner}; this file was not imported",
                                    hint="give every simulation a different name"))
            continue
        kept.append((sim, rel, digest))
    return kept


def drop_missing_files(library: "Library", present: set[str]) -> list[str]:
    """Take out of the list the simulations whose file in simulations/ was deleted or
    renamed away; their results stay in the run history. The names dropped."""
    rows = library.query("SELECT name, source_file FROM simulations WHERE source_file LIKE ?",
                         [f"{SIMULATIONS_DIR}/%"])
    gone = [r for r in rows if r["source_file"] not in present]
    known = [r["path"] for r in library.query("SELECT path FROM source_files WHERE path LIKE ?",
                                              [f"{SIMULATIONS_DIR}/%"])]
    stale = [path for path in known if path not in present]
    if not gone and not stale:
        return []

    def work(db) -> None:
        for row in gone:
            db.execute("DELETE FROM simulations WHERE name = ?", [row["name"]])
        for path in stale:
            db.execute("DELETE FROM source_files WHERE path = ?", [path])
        if gone:
            db["audit_log"].insert({"at": now(), "action": "simulation.file-deleted",
                                    "subject": SIMULATIONS_DIR,
                                    "detail": dumps({r["name"]: r["source_file"] for r in gone})})
    library.write(work)
    return [r["name"] for r in gone]


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return (text or "simulation")[:60].rstrip("-")


def export_to(library: "Library", directory: Path) -> list[Path]:
    """Write every simulation as `<file name>.yaml` (its source file's name, else a slug).

    Exporting over an existing file keeps its comments and layout where the
    data is unchanged (exporting into `simulations/` must not wipe the notes)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[str] = set()
    for record in library.simulations():
        stem = Path(record.source_file).stem if record.source_file else slug(record.name)
        base, n = stem, 2
        while stem in used:
            stem, n = f"{base}-{n}", n + 1
        used.add(stem)
        path = directory / f"{stem}.yaml"
        save_model(record.simulation, path)
        written.append(path)
    return written


class Rebuilt(NamedTuple):
    moved: Path | None            # where the old file went (None when there was none)
    library: "Library"            # the new library, open
    recovered: list[str]          # simulations only the old file had, copied over


def _aside(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target, n = path.with_name(f"{path.name}.broken-{stamp}"), 2
    while target.exists():               # two rebuilds within a second keep both files
        target, n = path.with_name(f"{path.name}.broken-{stamp}-{n}"), n + 1
    return target


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _checkpoint(path: Path) -> None:
    """Fold a crashed Studio's write-ahead log into the file, so the moved-aside
    library is one self-contained file; SQLite removes -wal/-shm on close.
    A file that is not SQLite keeps them (they are moved along with it): SQLite
    would throw such a log away unread."""
    from .library import SQLITE_HEADER
    if not _sidecars(path)[0].exists():
        return
    with open(path, "rb") as handle:
        if handle.read(16) != SQLITE_HEADER:
            return
    try:
        conn = sqlite3.connect(str(path))
    except sqlite3.Error:
        return
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error:
        pass
    finally:
        conn.close()


def old_simulations(path: Path) -> list[Simulation]:
    """Whatever simulations can still be read from a moved-aside library (none
    when it is not SQLite at all); unreadable rows are skipped."""
    found: list[Simulation] = []
    existed = {p for p in _sidecars(path) if p.exists()}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return found
    try:
        rows = conn.execute("SELECT spec FROM simulations").fetchall()
    except sqlite3.Error:
        rows = []
    finally:
        conn.close()
    for extra in _sidecars(path):        # a read-only reader leaves empty -wal/-shm behind
        if extra not in existed:
            extra.unlink(missing_ok=True)
    for (spec,) in rows:
        try:
            found.append(Simulation.model_validate(json.loads(spec)))
        except (ValueError, TypeError):
            continue
    return found


def rebuild(project_root: Path | str) -> Rebuilt:
    """Move a (broken) library aside and build a fresh one from `simulations/`.

    Simulations that lived only in the library (imported from elsewhere, made
    in the app) are copied from the old file when it can still be read, so a
    rebuild loses no simulation; run history stays in the moved file.
    """
    from .library import Library, take_lock

    root = Path(project_root)
    if not root.is_dir():
        raise LibraryError(f"{root} is not a project folder")
    path = root / LIBRARY_FILE
    lock = take_lock(path, "Close it before rebuilding.")
    moved = None
    try:
        if path.exists():
            _checkpoint(path)
            moved = _aside(path)
            shutil.move(str(path), str(moved))
            for extra, target in zip(_sidecars(path), _sidecars(moved)):
                if extra.exists():          # the checkpoint failed: they hold its last writes
                    shutil.move(str(extra), str(target))
    finally:
        lock.release()
    library = Library.open(root)
    recovered: list[str] = []
    if moved is not None:
        have = {r.name for r in library.simulations()}
        missing = [s for s in old_simulations(moved) if s.name not in have]
        library.save_simulations(missing, audit="recover")
        recovered = [s.name for s in missing]
    library.audit("library.rebuild", str(moved or ""), {"recovered": recovered})
    return Rebuilt(moved, library, recovered)

"""The library's tables, built and upgraded by sqlite-utils' built-in migrations.

A migration is never edited once released: a new need is a new migration, so a
library written by an older Studio upgrades in place and keeps its data.
`schema_version` mirrors the number of applied migrations so a newer file is
recognised (and refused) by an older Studio instead of being damaged.
"""
from __future__ import annotations

from studio.library.sqlite_import import sqlite_utils  # without numpy
from sqlite_utils.migrations import Migrations

migrations = Migrations("procedure-studio-library")


def _set_version(db: sqlite_utils.Database, version: int) -> None:
    db.execute("DELETE FROM schema_version")
    db.execute("INSERT INTO schema_version (version) VALUES (?)", [version])


@migrations(name="m001_core_tables")
def m001_core_tables(db: sqlite_utils.Database) -> None:
    db["schema_version"].create({"version": int})
    db["simulations"].create({
        "id": int, "name": str, "procedure": str, "tags": str, "spec": str,
        "source_file": str, "created": str, "updated": str,
    }, pk="id")
    db["simulations"].create_index(["name"], unique=True)
    db["simulations"].create_index(["procedure"])
    db["runs"].create({
        "id": int, "started": str, "finished": str, "engine": str, "model": str,
        "revisions": str, "filters": str, "planned": str, "total": int, "passed": int,
        "failed": int, "errors": int, "status": str, "repeat": int,
    }, pk="id")
    db["results"].create({
        "id": int, "run_id": int, "simulation": str, "procedure": str, "repeat_index": int,
        "status": str, "error": str, "outcome": str, "duration_ms": float, "turns": int,
        "tokens": int, "cost": float, "engine": str, "expectations": str, "transcript": str,
        "trace": str, "coverage": str, "finished": str,
    }, pk="id", foreign_keys=[("run_id", "runs", "id")])
    db["results"].create_index(["run_id", "simulation", "repeat_index"], unique=True)
    db["results"].create_index(["simulation"])
    db["audit_log"].create({
        "id": int, "at": str, "action": str, "subject": str, "detail": str, "pid": int,
    }, pk="id")
    _set_version(db, 1)


@migrations(name="m002_search")
def m002_search(db: sqlite_utils.Database) -> None:
    """Full-text search over names, tags and the customer's script, kept fresh by triggers."""
    db["simulations"].add_column("script_text", str)
    db.execute("UPDATE simulations SET script_text = '' WHERE script_text IS NULL")
    db["simulations"].enable_fts(["name", "tags", "script_text"], create_triggers=True,
                                 tokenize="porter")
    _set_version(db, 2)


@migrations(name="m003_result_details")
def m003_result_details(db: sqlite_utils.Database) -> None:
    """What the router chose and the final variables: stats and the GUI need them."""
    db["results"].add_column("triggered", str)
    db["results"].add_column("variables", str)
    db["runs"].add_column("concurrency", int)
    db["results"].create_index(["triggered"])
    _set_version(db, 3)


@migrations(name="m004_source_files")
def m004_source_files(db: sqlite_utils.Database) -> None:
    """Which YAML file content was last imported, so edited files are picked up again."""
    db["source_files"].create({"path": str, "hash": str, "imported": str}, pk="path")
    _set_version(db, 4)


@migrations(name="m005_source_file_index")
def m005_source_file_index(db: sqlite_utils.Database) -> None:
    """Syncing the YAML folder looks simulations up by file: without an index, seeding
    thousands of files scanned the table once per file."""
    db["simulations"].create_index(["source_file"], if_not_exists=True)
    _set_version(db, 5)


@migrations(name="m006_result_cost_known")
def m006_result_cost_known(db: sqlite_utils.Database) -> None:
    """The priced part of a cost that is unknown as a whole: without it, stats counted a
    partly priced result as wholly unknown and gave a lower bound below run-all's."""
    db["results"].add_column("cost_known", float)
    _set_version(db, 6)


@migrations(name="m007_revision_contents")
def m007_revision_contents(db: sqlite_utils.Database) -> None:
    """The content behind every revision that was run or approved (DESIGN.md section 5), so
    any two can be compared and an approved one exported after later edits. Runs keep
    their `revisions` column; older runs' short hashes stay readable, without content."""
    db["revision_contents"].create({
        "revision": str, "procedure": str, "content": str, "first_seen": str, "source": str,
    }, pk="revision")
    db["revision_contents"].create_index(["procedure", "first_seen"])
    _set_version(db, 7)


@migrations(name="m008_results_latest_index")
def m008_results_latest_index(db: sqlite_utils.Database) -> None:
    """Each simulation's latest run (`max(run_id) GROUP BY simulation`, behind coverage, diff,
    --failed and the library table) read from the index alone instead of every result row."""
    db["results"].create_index(["simulation", "run_id"], if_not_exists=True)
    _set_version(db, 8)


@migrations(name="m009_conversations")
def m009_conversations(db: sqlite_utils.Database) -> None:
    """Production conversations (DESIGN.md section 6), their latest replay through today's
    procedures, and one row per import (counts only: redacted data is never stored)."""
    db["conversations"].create({
        "id": str, "started_at": str, "ended_at": str, "channel": str, "segment": str,
        "attributes": str, "procedure": str, "outcome": str, "csat": float, "turns": int,
        "minutes": float, "opener": str, "messages": str, "connector_calls": str,
        "source": str, "imported_at": str,
    }, pk="id")
    db["conversations"].create_index(["started_at"])
    db["conversations"].create_index(["procedure"])
    db["conversation_replays"].create({
        "conversation_id": str, "replayed_at": str, "engine": str, "triggered": str,
        "outcome": str, "end_step": str, "status": str, "error": str, "diverged": int,
        "kinds": str, "divergences": str, "transcript": str, "trace": str,
    }, pk="conversation_id")
    db["conversation_imports"].create({
        "id": int, "at": str, "files": str, "format": str, "read": int, "added": int,
        "skipped": int, "rejected": int, "redacted": str,
    }, pk="id")
    _set_version(db, 9)


@migrations(name="m010_run_skipped")
def m010_run_skipped(db: sqlite_utils.Database) -> None:
    """Simulations with nothing to judge (a rubric under the offline engine) are
    `skipped`, never passed, so a run counts them apart (DESIGN.md section 3)."""
    db["runs"].add_column("skipped", int)
    db.execute("UPDATE runs SET skipped = 0 WHERE skipped IS NULL")
    _set_version(db, 10)


@migrations(name="m011_result_error_code")
def m011_result_error_code(db: sqlite_utils.Database) -> None:
    """What kind of fault ended a result in `error` (a ModelError reason, or the engine's
    problem code), so views say what to do from the code, never from the message text.
    Results stored before codes existed get theirs from their text, once, here."""
    from .error_codes import code_from_text
    db["results"].add_column("error_code", str)
    rows = db.execute("SELECT rowid, error FROM results WHERE status = 'error'").fetchall()
    db.conn.executemany("UPDATE results SET error_code = ? WHERE rowid = ?",
                        [(code_from_text(error), rowid) for rowid, error in rows])
    _set_version(db, 11)


@migrations(name="m012_results_verdict_index")
def m012_results_verdict_index(db: sqlite_utils.Database) -> None:
    """Verdicts and coverage per simulation and run (`runs diff`, `coverage`, --failed, the
    library table, a run's counts) read from indexes alone: a result row is the size of
    its transcript and trace, so reading a status or the coverage (after the trace) from
    the table read the whole library (600 MB at 20,000 simulations x 3 runs). The first
    starts with the columns of m008's index, which it replaces."""
    db["results"].create_index(["simulation", "run_id", "status", "repeat_index", "coverage"],
                               if_not_exists=True)
    db["results"].create_index(["run_id", "simulation", "status"], if_not_exists=True)
    db.execute("DROP INDEX IF EXISTS idx_results_simulation_run_id")
    _set_version(db, 12)


SCHEMA_VERSION = 12


def stored_version(db: sqlite_utils.Database) -> int:
    if not db["schema_version"].exists():
        return 0
    row = db.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)

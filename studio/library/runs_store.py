"""Runs and their results in the library (mixed into Library).

A run row is written before the first simulation starts, with the planned
(simulation, repeat) pairs, so an interrupted run can be finished later by
running only what has no result yet.
"""
from __future__ import annotations

from typing import Any

from studio.library.sqlite_import import sqlite_utils  # without numpy

from studio.simulate.result import SimulationResult

from .records import (LIGHT_COLUMNS, LibraryError, ResultRecord, RunRecord, aggregate_status, dumps,
                      now, record_from_row, result_row)
from .writer import connect

_COUNTS_SQL = """
UPDATE runs SET
  passed = (SELECT count(*) FROM results WHERE run_id = runs.id AND status = 'passed'),
  failed = (SELECT count(*) FROM results WHERE run_id = runs.id AND status = 'failed'),
  errors = (SELECT count(*) FROM results WHERE run_id = runs.id AND status = 'error'),
  skipped = (SELECT count(*) FROM results WHERE run_id = runs.id AND status = 'skipped')
WHERE id = ?
"""


class RunsStore:
    # -- writing --------------------------------------------------------------
    def start_run(self, *, engine: str | None, model: str | None, revisions: dict[str, str],
                  filters: dict[str, Any], planned: list[tuple[str, int]], repeat: int = 1,
                  concurrency: int | None = None) -> int:
        row = {"started": now(), "finished": None, "engine": engine, "model": model,
               "revisions": dumps(revisions), "filters": dumps(filters),
               "planned": dumps([list(p) for p in planned]), "total": len(planned),
               "passed": 0, "failed": 0, "errors": 0, "skipped": 0, "status": "running", "repeat": repeat,
               "concurrency": concurrency}

        def work(db: sqlite_utils.Database) -> int:
            run_id = db["runs"].insert(row).last_pk
            db["audit_log"].insert({"at": row["started"], "action": "run.start",
                                    "subject": str(run_id), "detail": row["filters"]})
            return run_id
        return self.write(work)

    def add_result(self, run_id: int, result: SimulationResult, repeat_index: int = 0, *,
                   wait: bool = True):
        """Store one finished simulation; with wait, return once it is committed."""
        row = result_row(run_id, result, repeat_index)
        del row["run_id"]
        return self.add_result_row(run_id, row, wait=wait)

    def add_result_row(self, run_id: int, row: dict[str, Any], *, wait: bool = True):
        """Store a result already turned into its row (`records.result_row`, run_id aside):
        what run-all's worker processes send back."""
        return self.add_result_rows(run_id, [row], wait=wait)

    def add_result_rows(self, run_id: int, rows: list[dict[str, Any]], *, wait: bool = True):
        """Store results already turned into rows, in one transaction."""
        groups: dict[tuple[str, ...], list[list[Any]]] = {}
        for row in rows:
            groups.setdefault(("run_id", *row), []).append([run_id, *row.values()])

        def work(db: sqlite_utils.Database) -> None:
            for columns, values in groups.items():
                db.conn.executemany(f"INSERT OR REPLACE INTO results ({', '.join(columns)}) "
                                    f"VALUES ({', '.join('?' * len(columns))})", values)
        return self.write(work, wait=wait)

    def finish_run(self, run_id: int, status: str) -> None:
        def work(db: sqlite_utils.Database) -> None:
            db.execute(_COUNTS_SQL, [run_id])
            db.execute("UPDATE runs SET status = ?, finished = ? WHERE id = ?",
                       [status, now(), run_id])
            db["audit_log"].insert({"at": now(), "action": f"run.{status}",
                                    "subject": str(run_id), "detail": None})
        self.write(work)

    def reopen_run(self, run_id: int) -> None:
        self.write(lambda db: db.execute(
            "UPDATE runs SET status = 'running', finished = NULL WHERE id = ?", [run_id]))

    def mark_interrupted_runs(self) -> list[int]:
        """Runs still `running` when we hold the lock were left by a Studio that died."""
        def work(db: sqlite_utils.Database) -> list[int]:
            ids = [r[0] for r in db.execute("SELECT id FROM runs WHERE status = 'running'")]
            for run_id in ids:
                db.execute(_COUNTS_SQL, [run_id])
                db.execute("UPDATE runs SET status = 'interrupted' WHERE id = ?", [run_id])
            return ids
        return self.write(work)

    # -- reading --------------------------------------------------------------
    def runs(self, limit: int | None = None) -> list[RunRecord]:
        """Newest first."""
        sql = f"SELECT {self._run_columns()} FROM runs ORDER BY id DESC" + (
            f" LIMIT {int(limit)}" if limit else "")
        return [self._run_record(r) for r in self.query(sql)]

    def run(self, run_id: int) -> RunRecord | None:
        rows = self.query(f"SELECT {self._run_columns()} FROM runs WHERE id = ?", [run_id])
        return self._run_record(rows[0]) if rows else None

    def _run_columns(self) -> str:
        """Every column but `planned` (600 KB at 20,000 simulations), which a record reads
        when asked (resume, `runs show`)."""
        return ", ".join(c for c in self.db["runs"].columns_dict if c != "planned")

    def _run_record(self, row: dict) -> RunRecord:
        path = self.path

        def planned(run_id: int = row["id"]) -> str | None:
            """Read with its own connection: a record outlives the Library that made it."""
            conn = connect(path, read_only=True)
            try:
                found = conn.execute("SELECT planned FROM runs WHERE id = ?", [run_id]).fetchone()
            finally:
                conn.close()
            return found[0] if found else None
        return RunRecord.from_row(row, planned)

    def require_run(self, run_id: int | None = None) -> RunRecord:
        """Run `run_id` (default: the latest), or a LibraryError that says what to do."""
        run = self.run(run_id) if run_id is not None else self.latest_run()
        if run is None:
            raise LibraryError("no runs yet: run `studio run-all` first" if run_id is None
                               else f"there is no run {run_id}; `studio runs list` shows them")
        return run

    def latest_run(self, *, statuses: tuple[str, ...] | None = None) -> RunRecord | None:
        if statuses:
            marks = ",".join("?" * len(statuses))
            rows = self.query(f"SELECT {self._run_columns()} FROM runs WHERE status IN "
                              f"({marks}) ORDER BY id DESC LIMIT 1", list(statuses))
        else:
            rows = self.query(f"SELECT {self._run_columns()} FROM runs ORDER BY id DESC LIMIT 1")
        return self._run_record(rows[0]) if rows else None

    def results(self, run_id: int, *, light: bool = False,
                simulation: str | None = None) -> list[ResultRecord]:
        """A run's results by simulation name; `light` leaves out transcript and trace."""
        columns = ", ".join(LIGHT_COLUMNS) if light else "*"
        sql = f"SELECT {columns} FROM results WHERE run_id = ?"
        params: list[Any] = [run_id]
        if simulation is not None:
            sql += " AND simulation = ?"
            params.append(simulation)
        rows = self.query(sql + " ORDER BY simulation, repeat_index", params)
        return [record_from_row(r) for r in rows]

    def latest_results(self, *, before_run: int | None = None, in_library: bool = False,
                       light: bool = True) -> list[ResultRecord]:
        """Each simulation's most recent results (all repeats of its latest run that ran it),
        whichever run that was. `before_run`: only runs older than that one; `in_library`:
        only simulations still in the library."""
        columns = ", ".join(f"r.{c}" for c in (LIGHT_COLUMNS if light else ("*",)))
        rows = self._latest(columns, before_run=before_run, in_library=in_library)
        return [record_from_row(r) for r in rows]

    def latest_result_rows(self) -> list[dict]:
        """Each simulation's latest results as plain rows (simulation, repeat_index, status,
        error, error_code, duration_ms, run_id): no result models built, so a table of
        thousands of simulations fills fast (the GUI's library table)."""
        return self._latest("r.simulation, r.repeat_index, r.status, r.error, r.error_code, "
                            "r.duration_ms, r.run_id")

    def _latest(self, columns: str, *, before_run: int | None = None,
                in_library: bool = False, names: list[str] | None = None) -> list[dict]:
        """Rows of each simulation's latest results; `names`: only those simulations."""
        where, params = [], []
        if before_run is not None:
            where.append("run_id < ?")
            params.append(before_run)
        if names is not None:
            where.append("simulation IN (SELECT value FROM json_each(?))")
            params.append(dumps(names))
        inner = " WHERE " + " AND ".join(where) if where else ""
        sql = (f"SELECT {columns} FROM results r JOIN (SELECT simulation, max(run_id) AS run_id "
               f"FROM results{inner} GROUP BY simulation) last "
               "ON r.simulation = last.simulation AND r.run_id = last.run_id")
        if in_library:   # EXISTS, not IN (SELECT ...): SQLite re-scanned the list per row
            sql += " WHERE EXISTS (SELECT 1 FROM simulations s WHERE s.name = r.simulation)"
        return self.query(sql + " ORDER BY r.simulation, r.repeat_index", params)

    def result_briefs(self, run_id: int) -> list[dict]:
        """A run's results as the few columns run-all's summary keeps (`ResultBrief`)."""
        return self.query("SELECT run_id, simulation, repeat_index, status, procedure, error, "
                          "error_code, duration_ms, tokens, cost, cost_known, finished, expectations "
                          "FROM results WHERE run_id = ? ORDER BY simulation, repeat_index",
                          [run_id])

    def result_keys(self, run_id: int) -> set[tuple[str, int]]:
        rows = self.db.execute("SELECT simulation, repeat_index FROM results WHERE run_id = ?",
                               [run_id]).fetchall()
        return {(r[0], r[1]) for r in rows}

    def simulation_history(self, name: str, limit: int = 50) -> list[ResultRecord]:
        """One simulation's results over runs, newest first (the GUI's history strip)."""
        columns = ", ".join(LIGHT_COLUMNS)
        rows = self.query(f"SELECT {columns} FROM results WHERE simulation = ? "
                          "ORDER BY run_id DESC, repeat_index LIMIT ?", [name, limit])
        return [record_from_row(r) for r in rows]

    def latest_verdicts(self) -> dict[str, str]:
        """Each simulation's verdict in the latest run that ran it (the library table's column)."""
        statuses: dict[str, list[str]] = {}
        for row in self._latest("r.simulation, r.status"):
            statuses.setdefault(row["simulation"], []).append(row["status"])
        return {name: aggregate_status(found) for name, found in statuses.items()}

    def delete_run(self, run_id: int) -> None:
        def work(db: sqlite_utils.Database) -> None:
            db.execute("DELETE FROM results WHERE run_id = ?", [run_id])
            db.execute("DELETE FROM runs WHERE id = ?", [run_id])
        self.write(work)

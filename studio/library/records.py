"""What the library hands out: plain records built from rows (Qt-free, cheap to copy)."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pydantic_core import to_json, to_jsonable_python

from studio.core.limits import MAX_STORED_CHARS, cap_texts
from studio.core.simulation import Simulation
from studio.simulate.result import SimulationResult


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def loads(text: str | None, default: Any = None) -> Any:
    if text in (None, ""):
        return default
    return json.loads(text)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def field_json(value: Any) -> str:
    """A result's field (models, lists, dicts) as compact JSON, by pydantic-core's serializer
    without the dict of the whole result first: a third of the time `model_dump` and
    `dumps` took, which was a fifth of a worker's time per simulation. The same JSON as
    `dumps`, but an exponent is spelled `1e-7`, not `1e-07` (the same number to a reader)."""
    try:
        return to_json(value).decode()
    except (ValueError, TypeError):     # not JSON data (a lone surrogate): Python's encoder
        return dumps(to_jsonable_python(value))


class LibraryError(Exception):
    """A problem with the library file that the user can act on; the message says how."""


class LibraryInUse(LibraryError):
    def __init__(self, message: str, pid: int | None = None):
        super().__init__(message)
        self.pid = pid


class LibraryCorrupt(LibraryError):
    pass


class LibraryReadOnly(LibraryError):
    pass


class LibraryBusy(LibraryError):
    """Another program (not a Studio: those take the OS lock) holds SQLite's lock."""


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "busy": someone else's transaction, not damage."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def busy_message(path: Any) -> str:
    return (f"{path}: the library is busy: another program holds a lock on it (a database "
            "browser or a script with a transaction open, not Procedure Studio).\n"
            "Close that program or end its transaction, then run this again; nothing was changed "
            "by this attempt, and finished results are kept.")


@dataclass
class SimulationRecord:
    """A simulation row. The spec is validated on first use of `simulation`: listing a
    library of thousands (name, procedure, tags) then costs no model validation."""
    id: int
    name: str
    procedure: str | None
    tags: list[str]
    spec: str | None = field(default=None, repr=False)       # the stored JSON of the spec
    source_file: str | None = None
    created: str | None = None
    updated: str | None = None
    _simulation: Simulation | None = field(default=None, repr=False, compare=False)

    @property
    def simulation(self) -> Simulation:
        if self._simulation is None:
            self._simulation = Simulation.model_validate(loads(self.spec, {}))
        return self._simulation

    @classmethod
    def from_row(cls, row: dict) -> "SimulationRecord":
        return cls(id=row["id"], name=row["name"], procedure=row["procedure"],
                   tags=loads(row["tags"], []), spec=row["spec"],
                   source_file=row["source_file"], created=row["created"], updated=row["updated"])


RUN_STATUSES = ("running", "complete", "interrupted", "cancelled")


@dataclass
class RunRecord:
    id: int
    started: str
    finished: str | None
    engine: str | None
    model: str | None
    status: str
    repeat: int = 1
    total: int = 0          # planned executions (simulations x repeats)
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0        # nothing to judge (a rubric offline): never counted as passed
    revisions: dict[str, str] = field(default_factory=dict)   # procedure id -> YAML hash
    filters: dict[str, Any] = field(default_factory=dict)
    concurrency: int | None = None
    # `planned` as stored (JSON), or a callable that reads it: read and parsed on first
    # use, since 20,000 pairs are 600 KB and 60 ms for every run a report looks at
    planned_source: Any = field(default=None, repr=False, compare=False)
    _planned: list[tuple[str, int]] | None = field(default=None, repr=False, compare=False)

    @property
    def planned(self) -> list[tuple[str, int]]:
        """(simulation, repeat index) pairs the run set out to run."""
        if self._planned is None:
            source = self.planned_source() if callable(self.planned_source) else self.planned_source
            self._planned = [tuple(p) for p in loads(source, [])]
        return self._planned

    @property
    def done(self) -> int:
        return self.passed + self.failed + self.errors + self.skipped

    @classmethod
    def from_row(cls, row: dict, planned: Any = None) -> "RunRecord":
        """`planned`: what reads the planned pairs, when the row left them out."""
        return cls(id=row["id"], started=row["started"], finished=row["finished"],
                   engine=row["engine"], model=row["model"], status=row["status"],
                   repeat=row["repeat"] or 1, total=row["total"] or 0,
                   passed=row["passed"] or 0, failed=row["failed"] or 0, errors=row["errors"] or 0,
                   skipped=row.get("skipped") or 0,
                   revisions=loads(row["revisions"], {}), filters=loads(row["filters"], {}),
                   planned_source=row["planned"] if "planned" in row else planned,
                   concurrency=row.get("concurrency"))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "started": self.started, "finished": self.finished,
                "engine": self.engine, "model": self.model, "status": self.status,
                "repeat": self.repeat, "total": self.total, "passed": self.passed,
                "failed": self.failed, "errors": self.errors, "skipped": self.skipped,
                "revisions": self.revisions,
                "filters": self.filters, "concurrency": self.concurrency}


@dataclass
class ResultRecord:
    run_id: int
    repeat_index: int
    finished: str | None
    result: SimulationResult

    @property
    def simulation(self) -> str:
        return self.result.simulation

    @property
    def status(self) -> str:
        return self.result.status


RESULT_JSON_FIELDS = ("expectations", "transcript", "trace", "coverage", "variables")
LIGHT_COLUMNS = ("run_id", "simulation", "procedure", "repeat_index", "status", "error",
                 "error_code", "outcome", "duration_ms", "turns", "tokens", "cost", "cost_known", "engine", "triggered",
                 "expectations", "coverage", "finished")
# the result's own fields stored as plain columns (the rest as JSON)
SCALAR_FIELDS = ("simulation", "procedure", "status", "error", "error_code", "outcome",
                 "duration_ms", "turns", "tokens", "cost", "cost_known", "engine", "triggered")


def result_row(run_id: int, result: SimulationResult, repeat_index: int) -> dict[str, Any]:
    data = {key: getattr(result, key) for key in SCALAR_FIELDS}   # str, int, float, None
    texts = {key: field_json(getattr(result, key)) for key in RESULT_JSON_FIELDS}
    if may_hold_long_text(data | texts, texts):        # rare: walk every text and cut the long ones
        data = capped(result.model_dump(mode="json"))
        texts = {key: dumps(data.get(key)) for key in RESULT_JSON_FIELDS}
    row = {"run_id": run_id, "repeat_index": repeat_index, "finished": now()}
    for key in SCALAR_FIELDS:
        row[key] = data.get(key)
    for key in RESULT_JSON_FIELDS:
        row[key] = texts[key]
    return row


def may_hold_long_text(data: dict[str, Any], texts: dict[str, str]) -> bool:
    """Whether a text of the result may be over MAX_STORED_CHARS. A value whose JSON is no
    longer than that holds no longer text, so most results skip `capped`'s walk over
    every string (a quarter of a worker's time per simulation)."""
    for key, value in data.items():
        if key in texts:
            size = len(texts[key])
        elif isinstance(value, str):
            size = len(value)
        elif isinstance(value, (list, dict)):
            size = len(dumps(value))
        else:
            continue
        if size > MAX_STORED_CHARS:
            return True
    return False


def capped(data: dict[str, Any]) -> dict[str, Any]:
    """A result as stored: texts over MAX_STORED_CHARS cut (a 7 MB string a snippet
    assigned would otherwise grow the library by twice that per run), and a trace
    event saying what was cut."""
    cut: list[tuple[str, int]] = []
    data = cap_texts(data, MAX_STORED_CHARS, "", cut)
    if cut:
        shown = ", ".join(f"{where} ({length:,} characters)" for where, length in cut[:5])
        more = f" and {len(cut) - 5} more" if len(cut) > 5 else ""
        data["trace"] = list(data.get("trace") or []) + [{
            "type": "stored_cut", "turn": data.get("turns") or 0,
            "message": f"the library keeps at most {MAX_STORED_CHARS:,} characters of a text; "
                       f"cut: {shown}{more}"}]
    return data


def record_from_row(row: dict) -> ResultRecord:
    data = {k: row[k] for k in SCALAR_FIELDS if k in row}
    data["duration_ms"] = data.get("duration_ms") or 0.0
    data["turns"] = data.get("turns") or 0
    data["engine"] = data.get("engine") or "offline"
    for key in RESULT_JSON_FIELDS:
        if key in row:
            value = loads(row[key])
            if value is not None:
                data[key] = value
    return ResultRecord(run_id=row["run_id"], repeat_index=row["repeat_index"] or 0,
                        finished=row.get("finished"),
                        result=SimulationResult.model_validate(data))


def runs_text(ids: list[int], most: int = 8) -> str:
    """'run 4' / 'runs 7, 5, 2' / 'runs 9, ... and 3 more': which runs a report drew on."""
    shown = ", ".join(str(i) for i in ids[:most])
    more = f" and {len(ids) - most} more" if len(ids) > most else ""
    return ("run " if len(ids) == 1 else "runs ") + shown + more


NOT_FAILING = ("passed", "skipped")
FAILING = ("failed", "error")      # one of these among the repeats: the verdict is one of them


def aggregate_status(statuses: list[str]) -> str:
    """One verdict for a simulation run several times: any error, else any failure,
    else skipped when every run was (nothing to judge), else passed."""
    if not statuses:
        return "missing"
    if "error" in statuses:
        return "error"
    if "failed" in statuses:
        return "failed"
    if all(s == "skipped" for s in statuses):
        return "skipped"
    return "passed"

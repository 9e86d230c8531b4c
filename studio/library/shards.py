"""Run-all beyond one machine: `--shard K/N` runs a stable 1/N of the library, and
`runs merge` folds the shards' `--json` results into one run of the library.

A simulation's shard comes from a hash of its name, so every runner of a CI matrix
picks its part on its own, the parts never overlap and always cover the library,
and a simulation stays in its shard while others are added or removed. The merged
run is stored like any run (planned pairs, revisions, every result), so `runs
diff`, `coverage` and `stats` read it as if it had run in one place.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .library import Library
from .records import LibraryError, RESULT_JSON_FIELDS, SCALAR_FIELDS, dumps, now

STATUS_RANK = {"complete": 0, "cancelled": 1, "interrupted": 2, "running": 2}


def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4); ValueError with the reason for anything else."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"{text!r} is not K/N (like 2/4: the second of four shards)") from None
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"{text!r}: K must be between 1 and N (N at least 1)")
    return k, n


def shard_of(name: str, n: int) -> int:
    """The shard (1..n) a simulation belongs to, by a hash of its name."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def in_shard(names: Iterable[Any], k: int, n: int) -> list[Any]:
    """The items (names, or records with `.name`) of shard k of n, in order."""
    return [item for item in names if shard_of(getattr(item, "name", item), n) == k]


@dataclass
class ShardFile:
    path: Path
    run: dict[str, Any]
    results: list[dict[str, Any]]


def read_shard(path: Path) -> ShardFile:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise LibraryError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except json.JSONDecodeError as exc:
        raise LibraryError(f"{path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg}); give the "
                           "files `studio run-all --json FILE` wrote") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list) \
            or not isinstance(data.get("run"), dict):
        raise LibraryError(f"{path}: not a run-all result (no `run` and `results`): give the "
                           "files `studio run-all --json FILE` wrote")
    return ShardFile(Path(path), data["run"], data["results"])


def merge_runs(library: Library, files: list[Path], project: Any = None) -> int:
    """Store the shards' results as one new run; its id. Refuses shards that overlap (a
    simulation run in two of them) or ran different versions of a procedure. With the
    `project`, the content of the revisions it shares with the shards is kept for review,
    as a run made here would keep it."""
    shards = [read_shard(Path(f)) for f in files]
    if not shards:
        raise LibraryError("give the --json files of the shards to merge")
    revisions: dict[str, str] = {}
    for shard in shards:
        for proc, rev in (shard.run.get("revisions") or {}).items():
            if revisions.setdefault(proc, rev) != rev:
                raise LibraryError(f"{shard.path}: procedure {proc!r} ran at another revision "
                                   "than in the other shards; re-run them on the same commit")
    engines = {s.run.get("engine") for s in shards}
    if len(engines) > 1:
        raise LibraryError("the shards ran on different engines: "
                           + ", ".join(sorted(str(e) for e in engines)))
    seen: dict[tuple[str, int], Path] = {}
    planned: list[tuple[str, int]] = []
    for shard in shards:
        for result in shard.results:
            key = (result["simulation"], int(result.get("repeat_index") or 0))
            if key in seen:
                raise LibraryError(f"{shard.path}: {key[0]!r} (repeat {key[1] + 1}) is also in "
                                   f"{seen[key]}: the shards overlap")
            seen[key] = shard.path
            planned.append(key)
    status = max((s.run.get("status") or "complete" for s in shards),
                 key=lambda st: STATUS_RANK.get(st, 2))
    if project is not None:
        from .revision_store import keep_snapshots
        from .revisions import revision_snapshots
        keep_snapshots(library, {rev: snap for rev, snap in revision_snapshots(project).values()
                                 if rev in revisions.values()}, "run")
    first = shards[0].run
    run_id = library.start_run(
        engine=first.get("engine"), model=first.get("model"), revisions=revisions,
        filters={"merged": [s.path.name for s in shards]} | _common_filters(shards),
        planned=sorted(planned), repeat=max(int(s.run.get("repeat") or 1) for s in shards),
        concurrency=None)
    writes = [library.add_result_row(run_id, _row(result), wait=False)
              for shard in shards for result in shard.results]
    for write in writes:
        write.result()
    library.finish_run(run_id, "complete" if status == "complete" else status)
    library.audit("run.merge", str(run_id), {"files": [str(s.path) for s in shards]})
    return run_id


def _common_filters(shards: list[ShardFile]) -> dict[str, Any]:
    """The filters every shard ran with, less the shard itself."""
    filters = [dict(s.run.get("filters") or {}) for s in shards]
    for f in filters:
        f.pop("shard", None)
    return filters[0] if all(f == filters[0] for f in filters) else {}


def _row(result: dict[str, Any]) -> dict[str, Any]:
    """A results row from one result of a `--json` file (what `result_row` stores)."""
    row: dict[str, Any] = {"repeat_index": int(result.get("repeat_index") or 0),
                           "finished": result.get("finished") or now()}
    for key in SCALAR_FIELDS:
        row[key] = result.get(key)
    for key in RESULT_JSON_FIELDS:
        row[key] = dumps(result.get(key))
    return row

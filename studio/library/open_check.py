"""How much of SQLite's own check a library gets when it opens.

DESIGN.md §7: a damaged library is detected on open. `PRAGMA quick_check` reads every
page of the file: 0.3 s on every command once a library holds 20,000 simulations x 3
runs (600 MB), for damage that Studio's own writes do not cause. Damage comes from
outside them: the machine or Studio dying mid-write, a copy, sync or backup tool, a
disk, another program. So the full check runs whenever the file may have met one of
those, and a file Studio closed cleanly and nobody touched since gets the cheap checks:

- full `quick_check`: the last Studio did not close the library cleanly (its lock file
  still names it), the file is not the one it closed (device, inode, size, modified or
  changed time differ: written, copied or replaced since), a write-ahead log with
  writes in it is left over, or the file is small enough that the check costs nothing;
- always: the header says SQLite (library.check_file), the schema reads, and the file is
  as long as SQLite's header says (a truncated copy).

A clean close writes the file's identity into the lock file (lock.py) once every
connection is closed; any write by anyone after that changes it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ALWAYS_CHECK_BELOW = 16 * 1024 * 1024     # bytes: a quick_check of this costs a few ms
CLEAN = "clean"


def identity(path: Path) -> str | None:
    """The library file as it is now, as a lock file records it after a clean close."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{CLEAN} {st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}"


def needs_full_check(path: Path, left_by_last: str | None) -> bool:
    """Whether opening must run the full quick_check. `left_by_last`: what the lock file
    held when this open found it (a clean close's identity, a crashed Studio's pid, or
    nothing from a Studio before this check existed)."""
    if not left_by_last or not left_by_last.startswith(CLEAN + " "):
        return True
    try:
        if os.stat(path).st_size < ALWAYS_CHECK_BELOW:
            return True
    except OSError:
        return True
    try:
        if os.stat(path.with_name(path.name + "-wal")).st_size:
            return True          # writes not folded into the file: no clean close
    except OSError:
        pass
    return identity(path) != left_by_last.strip()


def cheap_problems(db: Any, path: Path) -> list[str]:
    """The checks every open gets: the schema reads and the file is as long as SQLite's
    header says (no log left over: needs_full_check saw to that)."""
    db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    actual = os.stat(path).st_size
    if pages * size != actual:
        return [f"the file is {actual:,} bytes, its header says {pages * size:,}"]
    return []

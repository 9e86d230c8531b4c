"""CSV with one message a row, a conversation's rows anywhere in the file.

Exports do not always keep a conversation's rows together (sorted by time, they
interleave). Rows are spooled into a temporary SQLite database on disk (deleted when
read) and read back grouped by conversation id, conversations in the order they first
appear and each one's messages in file order: memory stays flat however large the file.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterator

SPOOL_BATCH = 5000
MAX_FIELD = 16 << 20      # one CSV field (a message's text); beyond, the file is refused at that line
TICK_EVERY = 20_000       # rows spooled between progress ticks (the importer may cancel there)
ROLE_WORDS = {
    "customer": "customer", "user": "customer", "contact": "customer", "lead": "customer",
    "client": "customer", "visitor": "customer",
    "agent": "agent", "bot": "agent", "ai": "agent", "assistant": "agent",
    "human": "human", "admin": "human", "teammate": "human", "operator": "human",
    "staff": "human", "team": "human",
}


@dataclass
class Item:
    """A conversation (data), why part of the file was refused (error), or neither: a
    progress tick while a long file is being read."""
    line: int
    data: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class CsvColumns:
    """Which CSV column holds what (flags --id-column ... rename them)."""
    id: str = "conversation_id"
    role: str = "role"
    text: str = "text"
    time: str = "timestamp"
    extras: tuple[str, ...] = field(default=("procedure", "outcome", "csat", "channel", "segment"))


SCHEMA = """
CREATE TABLE convs (id TEXT PRIMARY KEY, line INTEGER);
CREATE TABLE rows (conv TEXT, line INTEGER, role TEXT, text TEXT, at TEXT, extras TEXT);
"""


class CsvReader:
    def __init__(self, handle: BinaryIO, columns: CsvColumns | None = None):
        self._handle = handle
        self.columns = columns or CsvColumns()
        self._size = _size_of(handle)
        self._spooled = False
        self._share = 0.0          # of the conversations read back so far

    @property
    def position(self) -> int:
        """Bytes for a progress bar: reading the file is its first half, reading the
        conversations back the second."""
        if not self._spooled:
            try:
                return self._handle.tell() // 2
            except (OSError, ValueError):
                return 0
        return int(self._size / 2 + self._size / 2 * self._share)

    def __iter__(self) -> Iterator[Item]:
        if csv.field_size_limit() < MAX_FIELD:
            csv.field_size_limit(MAX_FIELD)   # 128 KB by default: a long email thread is more
        text = io.TextIOWrapper(self._handle, encoding="utf-8-sig", newline="")
        rows = csv.reader(text)
        header = next(rows, [])
        problem = self._missing_columns(header)
        if problem:
            yield Item(1, error=problem)
            return
        db = sqlite3.connect("")          # a private temporary file, deleted on close
        try:
            db.executescript(SCHEMA)
            yield from self._spool(rows, header, db)
            db.execute("CREATE INDEX rows_by_conv ON rows (conv)")
            self._spooled = True
            yield from self._groups(db)
        finally:
            db.close()

    def _missing_columns(self, have: list[str]) -> str:
        cols = self.columns
        missing = [c for c in (cols.id, cols.role, cols.text) if c not in have]
        if not missing:
            return ""
        flags = {cols.id: "--id-column", cols.role: "--role-column", cols.text: "--text-column"}
        return (f"no column {', '.join(repr(m) for m in missing)} (the header has: "
                f"{', '.join(have) or 'none'}); name it with "
                + ", ".join(flags[m] for m in missing))

    def _spool(self, rows: Any, header: list[str], db: sqlite3.Connection) -> Iterator[Item]:
        """Rows into the temporary database, by column index (a csv.reader, not a
        DictReader: a dict a row costs a third of the time on big files)."""
        cols = self.columns
        at = {name: i for i, name in enumerate(header)}      # a repeated name: the last one
        i_id, i_role, i_text, i_time = at[cols.id], at[cols.role], at[cols.text], at.get(cols.time)
        extra_at = [(name, at[name]) for name in cols.extras if name in at]
        width = len(header)
        batch: list[tuple[Any, ...]] = []
        count = 0
        while True:
            try:
                row = next(rows, None)
            except csv.Error as exc:      # a quote never closed, a NUL byte...: keep what was read
                yield Item(rows.line_num, error=f"not valid CSV ({exc}); the rest of the file was not read")
                break
            if row is None:
                break
            if not row:
                continue                  # a blank line
            if len(row) < width:
                row += [""] * (width - len(row))
            number = rows.line_num
            conv_id = row[i_id].strip()
            if not conv_id:
                yield Item(number, error=f"empty {cols.id!r}")
                continue
            word = row[i_role].strip().lower()
            role = ROLE_WORDS.get(word)
            if role is None:
                yield Item(number, error=f"unknown role {word!r} (use customer, agent or human)")
                continue
            extras = {name: row[i].strip() for name, i in extra_at if row[i].strip()}
            batch.append((conv_id, number, role, row[i_text],
                          (row[i_time].strip() or None) if i_time is not None else None,
                          json.dumps(extras) if extras else None))
            count += 1
            if len(batch) >= SPOOL_BATCH:
                _write(db, batch)
            if count % TICK_EVERY == 0:
                yield Item(number)
        _write(db, batch)

    def _groups(self, db: sqlite3.Connection) -> Iterator[Item]:
        total = db.execute("SELECT count(*) FROM convs").fetchone()[0] or 1
        cursor = db.execute(
            "SELECT c.id, c.line, r.role, r.text, r.at, r.extras FROM convs c "
            "JOIN rows r ON r.conv = c.id ORDER BY c.rowid, r.rowid")
        current: dict[str, Any] | None = None
        start, done = 0, 0
        for conv_id, line, role, text, at, extras in cursor:
            if current is None or current["id"] != conv_id:
                if current is not None:
                    done += 1
                    self._share = done / total
                    yield Item(start, current)
                current, start = {"id": conv_id, "messages": []}, line
            current["messages"].append({"role": role, "text": text, "at": at})
            if extras:
                current.update(json.loads(extras))
        if current is not None:
            self._share = 1.0
            yield Item(start, current)


def _write(db: sqlite3.Connection, batch: list[tuple[Any, ...]]) -> None:
    if not batch:
        return
    db.executemany("INSERT OR IGNORE INTO convs (id, line) VALUES (?, ?)",
                   [(row[0], row[1]) for row in batch])
    db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?)", batch)
    batch.clear()


def _size_of(handle: BinaryIO) -> int:
    try:
        return os.fstat(handle.fileno()).st_size
    except (OSError, ValueError, AttributeError):
        return 0

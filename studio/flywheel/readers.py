"""Streaming readers: one conversation at a time, whatever the file's size.

Each yields `Item`s (the file's line, the conversation as a DESIGN.md section 6 dict,
or why that part of the file was refused) and exposes `position`, the bytes read so
far, for a progress bar. Nothing holds more than one conversation in memory.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from .intercom import from_intercom

FORMATS = ("jsonl", "csv", "intercom")
ROLE_WORDS = {
    "customer": "customer", "user": "customer", "contact": "customer", "lead": "customer",
    "client": "customer", "visitor": "customer",
    "agent": "agent", "bot": "agent", "ai": "agent", "assistant": "agent",
    "human": "human", "admin": "human", "teammate": "human", "operator": "human",
    "staff": "human", "team": "human",
}


@dataclass
class Item:
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


def guess_format(path: Path) -> str:
    return "csv" if path.suffix.lower() in (".csv", ".tsv") else "jsonl"


class Reader:
    def __init__(self, handle: BinaryIO):
        self._handle = handle

    @property
    def position(self) -> int:
        try:
            return self._handle.tell()
        except (OSError, ValueError):
            return 0


class JsonlReader(Reader):
    """DESIGN.md section 6 JSONL; with `intercom`, Intercom conversation objects one a line
    (or one JSON array of them, read object by object)."""

    def __init__(self, handle: BinaryIO, *, intercom: bool = False):
        super().__init__(handle)
        self.intercom = intercom

    def __iter__(self) -> Iterator[Item]:
        first = self._peek()
        if first == b"[":
            yield from self._array()
            return
        for number, raw in enumerate(self._handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield Item(number, error=f"not valid JSON ({getattr(exc, 'msg', exc)})")
                continue
            yield self._item(number, data)

    def _item(self, number: int, data: Any) -> Item:
        if not isinstance(data, dict):
            return Item(number, error="a line must hold one JSON object (a conversation)")
        if self.intercom:
            try:
                data = from_intercom(data)
            except ValueError as exc:
                return Item(number, error=str(exc))
        return Item(number, data)

    def _peek(self) -> bytes:
        start = self._handle.tell()
        head = self._handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        self._handle.seek(start)
        return head

    def _array(self) -> Iterator[Item]:
        """A top-level JSON array, decoded one element at a time from a small buffer."""
        decoder = json.JSONDecoder()
        text = io.TextIOWrapper(self._handle, encoding="utf-8-sig")
        buffer, line, index = "", 1, 0
        started = False
        while True:
            chunk = text.read(1 << 16)
            buffer += chunk
            while True:
                stripped = buffer.lstrip(" \t\r\n,")
                line += buffer[:len(buffer) - len(stripped)].count("\n")
                buffer = stripped
                if not started and buffer.startswith("["):
                    buffer, started = buffer[1:], True
                    continue
                if buffer.startswith("]") or not buffer:
                    break
                try:
                    data, end = decoder.raw_decode(buffer)
                except json.JSONDecodeError:
                    if not chunk:
                        yield Item(line, error="the JSON array is cut off or not valid JSON")
                        return
                    break
                index += 1
                yield self._item(line, data)
                line += buffer[:end].count("\n")
                buffer = buffer[end:]
            if not chunk or buffer.startswith("]"):
                return


class CsvReader(Reader):
    """One message a row; a conversation's rows are consecutive (as exports sort them)."""

    def __init__(self, handle: BinaryIO, columns: CsvColumns | None = None):
        super().__init__(handle)
        self.columns = columns or CsvColumns()

    def __iter__(self) -> Iterator[Item]:
        text = io.TextIOWrapper(self._handle, encoding="utf-8-sig", newline="")
        rows = csv.DictReader(text)
        cols = self.columns
        missing = [c for c in (cols.id, cols.role, cols.text) if c not in (rows.fieldnames or [])]
        if missing:
            have = ", ".join(rows.fieldnames or []) or "none"
            flags = {cols.id: "--id-column", cols.role: "--role-column", cols.text: "--text-column"}
            yield Item(1, error=f"no column {', '.join(repr(m) for m in missing)} (the header has: "
                                f"{have}); name it with " + ", ".join(flags[m] for m in missing))
            return
        current: dict[str, Any] | None = None
        start = 0
        for row in rows:
            number = rows.line_num
            conv_id = (row.get(cols.id) or "").strip()
            if not conv_id:
                yield Item(number, error=f"empty {cols.id!r}")
                continue
            if current is None or current["id"] != conv_id:
                if current is not None:
                    yield Item(start, current)
                current, start = {"id": conv_id, "messages": []}, number
            word = (row.get(cols.role) or "").strip().lower()
            role = ROLE_WORDS.get(word)
            if role is None:
                yield Item(number, error=f"unknown role {word!r} (use customer, agent or human)")
                continue
            current["messages"].append({"role": role, "text": row.get(cols.text) or "",
                                        "at": (row.get(cols.time) or "").strip() or None})
            for name in cols.extras:
                value = (row.get(name) or "").strip()
                if value:
                    current[name] = value
        if current is not None:
            yield Item(start, current)


def open_reader(handle: BinaryIO, fmt: str, columns: CsvColumns | None = None) -> Reader:
    if fmt == "csv":
        return CsvReader(handle, columns)
    return JsonlReader(handle, intercom=fmt == "intercom")


def normalise_csv_extras(data: dict[str, Any]) -> dict[str, Any]:
    """CSV cells are text: a segment becomes customer.segment, csat a number."""
    if "segment" in data:
        data.setdefault("customer", {})["segment"] = data.pop("segment")
    if isinstance(data.get("csat"), str):
        try:
            data["csat"] = float(data["csat"])
        except ValueError:
            pass
    return data

"""Streaming readers: one conversation at a time, whatever the file's size.

Each yields `Item`s (the file's line, the conversation as a DESIGN.md section 6 dict,
or why that part of the file was refused; the CSV reader also yields progress ticks,
items with neither) and exposes `position`, the bytes read so
far, for a progress bar. Nothing holds more than one conversation in memory.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from studio.core.limits import MAX_DATA_DEPTH, data_too_deep

from .csv_reader import ROLE_WORDS, CsvColumns, CsvReader, Item
from .intercom import from_intercom, is_intercom
from .json_stream import NESTED_TOO_DEEP, JsonStream, Truncated, wrapped_list

FORMATS = ("jsonl", "csv", "intercom")
__all__ = ["FORMATS", "ROLE_WORDS", "CsvColumns", "CsvReader", "Item", "JsonlReader",
           "guess_format", "open_reader", "normalise_csv_extras"]


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
    """DESIGN.md section 6 JSONL; with `intercom`, Intercom conversation objects one a line,
    or one JSON array of them, or the list wrapped in an object as Intercom's API returns
    it (`{"type": "conversation.list", "conversations": [...], "pages": ...}`), read object
    by object. An Intercom conversation is recognised in any of these forms."""

    def __init__(self, handle: BinaryIO, *, intercom: bool = False):
        super().__init__(handle)
        self.intercom = intercom

    def __iter__(self) -> Iterator[Item]:
        first = self._peek()
        if first == b"[":
            yield from self._elements(JsonStream(self._handle), "array")
            return
        if first == b"{":             # a JSONL line, or an object wrapping the list
            stream = JsonStream(self._handle)
            start = self._handle.tell()
            try:
                elements = wrapped_list(stream)
            except Truncated:
                elements = None
            if elements is not None:
                yield from self._elements(stream, elements)
                return
            stream.detach()           # not a wrapped list: read it as JSONL (line 1 says why)
            self._handle.seek(start)
        yield from self._lines()

    def _lines(self) -> Iterator[Item]:
        for number, raw in enumerate(self._handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield Item(number, error=f"not valid JSON ({getattr(exc, 'msg', exc)})")
                continue
            except RecursionError:    # "[[[[…" thousands deep: this line only, never the import
                yield Item(number, error=NESTED_TOO_DEEP)
                continue
            yield self._item(number, data)

    def _elements(self, stream: JsonStream, elements: Any) -> Iterator[Item]:
        try:
            for line, data in (stream.array() if elements == "array" else elements):
                yield self._item(line, data)
        except Truncated as exc:
            yield Item(stream.line, error=f"the conversation list stops here: {exc}")
        except UnicodeDecodeError:
            yield Item(stream.line, error="the file is not UTF-8 text")

    def _item(self, number: int, data: Any) -> Item:
        if not isinstance(data, dict):
            return Item(number, error="a line must hold one JSON object (a conversation)")
        if data_too_deep(data):       # redaction and storage walk it: refuse it here, this record only
            return Item(number, error=f"the record nests deeper than {MAX_DATA_DEPTH} levels")
        if self.intercom or is_intercom(data):
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


def open_reader(handle: BinaryIO, fmt: str, columns: CsvColumns | None = None) -> Any:
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

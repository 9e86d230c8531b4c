"""Streaming JSON: one conversation at a time out of a JSONL file, a top-level array, or
an object wrapping the list (Intercom's list response: `{"type": "conversation.list",
"conversations": [...], "pages": ...}`).

The standard library's `raw_decode` reads one value at a time from a small buffer that
is refilled from the file, so memory holds one conversation whatever the file's size,
and each value keeps the line it starts on for "file:line: why" problems (a streaming
event parser such as ijson would not say the line).
"""
from __future__ import annotations

import io
import json
import re
from typing import Any, BinaryIO, Iterator

CHUNK = 1 << 16
MAX_RECORD = 64 << 20        # one conversation larger than this is refused, not buffered on
LIST_KEY = "conversations"
NESTED_TOO_DEEP = "the JSON nests too deeply (thousands of brackets inside each other)"


class Truncated(ValueError):
    """The file ended inside a value, or holds something that is not JSON there."""


_SPACE = re.compile(r"[ \t\r\n]*")
_SPACE_COMMA = re.compile(r"[ \t\r\n,]*")


class JsonStream:
    """A text buffer over a binary file (read from `pos`), with the line `pos` is on."""

    def __init__(self, handle: BinaryIO):
        self.text = io.TextIOWrapper(handle, encoding="utf-8-sig")
        self.buffer, self.pos, self.line, self.done = "", 0, 1, False
        self.decoder = json.JSONDecoder()

    def _fill(self, size: int = CHUNK) -> bool:
        if self.done:
            return False
        chunk = self.text.read(size)
        if not chunk:
            self.done = True
            return False
        self.buffer, self.pos = self.buffer[self.pos:] + chunk, 0
        return True

    def _advance(self, end: int) -> None:
        self.line += self.buffer.count("\n", self.pos, end)
        self.pos = end

    def skip(self, space: re.Pattern = _SPACE) -> str:
        """Skip white space (and commas with _SPACE_COMMA); the next character, "" at the end."""
        while True:
            self._advance(space.match(self.buffer, self.pos).end())
            if self.pos < len(self.buffer) or not self._fill():
                return self.buffer[self.pos:self.pos + 1]

    def take(self, char: str) -> None:
        if self.skip() != char:
            raise Truncated(f"expected {char!r}")
        self.pos += 1

    def value(self) -> tuple[int, Any]:
        """The next JSON value and the line it starts on; Truncated when there is none."""
        self.skip()
        want = CHUNK                  # doubled while a value does not fit: linear, not quadratic
        while True:
            try:
                data, end = self.decoder.raw_decode(self.buffer, self.pos)
            except RecursionError:
                raise Truncated(NESTED_TOO_DEEP) from None
            except json.JSONDecodeError as exc:
                if not self._cut_off(exc):
                    raise Truncated(f"not valid JSON ({exc.msg})") from None
                if len(self.buffer) - self.pos > MAX_RECORD:
                    raise Truncated(f"a record over {MAX_RECORD >> 20} MB") from None
                if self._fill(want):
                    want *= 2
                    continue
                raise Truncated("the file ends inside a record (cut off?)") from None
            if end == len(self.buffer) and self._fill():
                continue              # a number may go on in the next chunk
            line = self.line
            self._advance(end)
            return line, data

    def _cut_off(self, exc: json.JSONDecodeError) -> bool:
        """Did decoding stop because the buffer ends (more may come), not at a real fault?"""
        return exc.pos >= len(self.buffer) - 16 or exc.msg.startswith("Unterminated string")

    def array(self) -> Iterator[tuple[int, Any]]:
        """The elements of the array that starts here, one at a time."""
        self.take("[")
        while True:
            head = self.skip(_SPACE_COMMA)
            if head == "]":
                self.pos += 1
                return
            if not head:
                raise Truncated("the JSON array is cut off")
            yield self.value()

    def detach(self) -> None:
        """Give the binary file back (closing this stream must not close it)."""
        self.text.detach()


def wrapped_list(stream: JsonStream) -> Iterator[tuple[int, Any]] | None:
    """When the object that starts here holds a `conversations` array, its elements, read
    one at a time (the other keys are read and dropped); None when the object ends without
    one (a JSONL line), with the stream then at an undefined place."""
    stream.take("{")
    while True:
        head = stream.skip(_SPACE_COMMA)
        if head == "}" or not head:
            return None
        _, key = stream.value()
        stream.take(":")
        if key == LIST_KEY and stream.skip() == "[":
            return _rest_after(stream)
        stream.value()


def _rest_after(stream: JsonStream) -> Iterator[tuple[int, Any]]:
    yield from stream.array()

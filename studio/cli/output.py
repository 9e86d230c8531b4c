"""stdout/stderr that survive a reader going away (`studio simulate ... | head`)
and that never pass a terminal control sequence through.

Once the pipe is closed, later output goes to /dev/null instead of raising
BrokenPipeError: the command still finishes its work (results stored, report
files written), exits with its own code, and prints no traceback.

Customer text, simulation names and model answers are printed as they are, so
an escape code in one (ESC [2J clears the screen, OSC 52 writes the clipboard)
is shown as the visible text `\x1b[2J` instead of reaching the terminal.
"""
from __future__ import annotations

import contextlib
import json
import io
import os
import re
import sys
from typing import Iterator


#: C0 controls but tab, newline and carriage return (the progress bar's), DEL and C1.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def neutralise(text: str) -> str:
    """`text` with every terminal control character written out visibly (ESC -> \\x1b)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


class PipeGuard:
    """Wraps a text stream; everything but write/flush goes to the stream itself."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if self.broken:
            return len(text)
        try:
            self._stream.write(neutralise(text) if isinstance(text, str) else text)
            return len(text)
        except BrokenPipeError:
            self._silence()
            return len(text)

    def flush(self) -> None:
        if self.broken:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._silence()

    def _silence(self) -> None:
        """Point the file descriptor at /dev/null so the interpreter's own flush at exit
        does not complain either."""
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._stream.fileno())
            finally:
                os.close(devnull)
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            pass

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@contextlib.contextmanager
def guarded_output() -> Iterator[None]:
    """Install PipeGuards on sys.stdout and sys.stderr for the duration of a command."""
    saved = sys.stdout, sys.stderr
    guards = [PipeGuard(s) if s is not None and not isinstance(s, PipeGuard) else s for s in saved]
    sys.stdout, sys.stderr = guards
    try:
        yield
    except BrokenPipeError:      # written around the guards (e.g. a stream's buffer)
        for guard in guards:
            if isinstance(guard, PipeGuard):
                guard._silence()
    finally:
        for guard in guards:
            if isinstance(guard, PipeGuard):
                guard.flush()
        sys.stdout, sys.stderr = saved


STDOUT = "-"        # as a file argument (`--json -`, `--junit -`): write to stdout


def is_stdout(name: object) -> bool:
    return str(name) == STDOUT


def print_json(schema: str, data: dict, **dumps_options) -> None:
    """Print a `--json` document: every one starts with its `"schema"` (e.g.
    "coverage/v1"), so tools can tell which format and version they read."""
    print(json.dumps({"schema": schema} | data, indent=2, **dumps_options))

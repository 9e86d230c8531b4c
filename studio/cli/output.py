"""stdout/stderr that survive a reader going away (`studio simulate ... | head`).

Once the pipe is closed, later output goes to /dev/null instead of raising
BrokenPipeError: the command still finishes its work (results stored, report
files written), exits with its own code, and prints no traceback.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Iterator


class PipeGuard:
    """Wraps a text stream; everything but write/flush goes to the stream itself."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if self.broken:
            return len(text)
        try:
            return self._stream.write(text)
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

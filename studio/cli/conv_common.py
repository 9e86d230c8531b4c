"""Shared by the `studio conversations` actions: a byte/item progress line on stderr."""
from __future__ import annotations

import sys
import time


class ProgressLine:
    """Redrawn in place on a terminal; on a pipe, a line every tenth of the way."""

    def __init__(self, what: str, *, quiet: bool = False, unit: str = "", stream=None):
        self.what = what
        self.unit = unit
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0.0
        self._tenth = -1

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if self.quiet or total <= 0:
            return
        share = min(done / total, 1.0)
        if not self.tty:
            tenth = int(share * 10)
            if tenth != self._tenth:
                self._tenth = tenth
                print(f"{self.what}: {share * 100:3.0f}% {message}", file=self.stream, flush=True)
            return
        now = time.monotonic()
        if share < 1 and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        bar = "#" * int(width * share) + "-" * (width - int(width * share))
        count = f"{done}/{total}{self.unit}" if self.unit != "bytes" else f"{share * 100:.0f}%"
        self.stream.write(f"\r{self.what} [{bar}] {count} {message}"[:110].ljust(110)
                          + ("\n" if share >= 1 else ""))
        self.stream.flush()

"""One writing Studio per library: an OS lock on `library.sqlite.lock`.

The OS releases the lock when the holder dies (even by kill -9), so a stale
lock file never blocks anyone; the pid inside is only for the message. A clean
close leaves a note there instead (open_check.py: the library file as it was left),
which the next holder reads as `previous`.
"""
from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt


class LockHeld(Exception):
    def __init__(self, path: Path, pid: int | None):
        super().__init__(f"{path} is held by pid {pid}")
        self.path = path
        self.pid = pid


class LibraryLock:
    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None
        self.previous = ""          # what the file held when this lock was taken

    def acquire(self) -> None:
        """Take the lock now or raise LockHeld with the holder's pid."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:  # pragma: no cover - Windows
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            os.close(fd)
            raise LockHeld(self.path, self.holder()) from None
        try:
            self.previous = os.read(fd, 512).decode("utf-8", "replace")
        except OSError:
            self.previous = ""
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def read_note(self) -> str:
        """What the file holds now, read without taking the lock (a reader's open)."""
        try:
            return self.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def holder(self) -> int | None:
        try:
            text = self.path.read_text().strip()
            return int(text) if text else None
        except (OSError, ValueError):
            return None

    def release(self, note: str = "") -> None:
        """Let go; `note` is left in the file for the next holder (else it is emptied)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            if note:
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, note.encode("utf-8"))
        except OSError:
            pass
        os.close(fd)       # closing the descriptor releases the lock

    @property
    def held(self) -> bool:
        return self._fd is not None

"""Crash evidence for the desktop app, so an error never just makes it vanish:

- `faulthandler` writes the stack of every thread into `crash.log` when the process
  dies hard (a segfault, an abort); Python's own fatal errors ("Fatal Python error:
  none_dealloc") bypass faulthandler and go to the stderr file descriptor only, so
  on POSIX stderr is also copied into `crash.log` by a `tee` child process, which
  outlives the abort long enough to write the last lines;
- a rotating `studio.log` keeps what the app did (and Qt's warnings);
- unhandled exceptions, in the main thread or any other, are logged with their
  traceback and handed to a reporter (the app shows a dialog, see
  dialogs/crash_dialog.py) instead of being printed to a terminal nobody sees.

Both files live in platformdirs' user log folder (`$STUDIO_HOME/logs` when set).
Qt-free on purpose: the hooks work before, and without, a QApplication.
"""
from __future__ import annotations

import datetime
import faulthandler
import logging
import os
import platform
import shutil
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path

from studio import __version__

APP = "procedure-studio"
LOG_FILE = "studio.log"
CRASH_FILE = "crash.log"
LOG_BYTES = 1_000_000          # studio.log rotates at 1 MB, keeping 5 old files
LOG_BACKUPS = 5
CRASH_BYTES = 1_000_000        # crash.log is moved to crash.log.1 at start past 1 MB

log = logging.getLogger("studio")

Reporter = Callable[[str, str], None]      # (one-line summary, full details)


def log_dir() -> Path:
    home = os.environ.get("STUDIO_HOME")
    if home:
        return Path(home) / "logs"
    import platformdirs
    return Path(platformdirs.user_log_dir(APP, appauthor=False))


def versions() -> dict[str, str]:
    """What a bug report needs: the app, Python, Qt and PySide6 versions and the OS."""
    found = {"Procedure Studio": __version__,
             "Python": f"{platform.python_version()} ({sys.executable})"}
    try:
        import PySide6
        from PySide6.QtCore import qVersion
        found["Qt"] = qVersion()
        found["PySide6"] = PySide6.__version__
    except ImportError:          # a headless install has no Qt
        found["Qt"] = found["PySide6"] = "not installed"
    found["System"] = platform.platform()
    return found


class CrashEvidence:
    """The crash log, the app log and the exception hooks of one app run: made by
    `install()`, owned by the app (crash_dialog keeps it with its reporter, and the
    hooks it sets hold it), put back by `close()`."""

    def __init__(self, reporter: Reporter | None = None, capture_stderr: bool = True):
        """`capture_stderr`: also copy the stderr file descriptor into crash.log (the app
        does; in-process tests do not, so the test runner keeps its own capture)."""
        self.reporter = reporter
        self.folder = folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.saved_stderr_fd: int | None = None
        self.tee: subprocess.Popen | None = None
        crash_path = folder / CRASH_FILE
        if crash_path.exists() and crash_path.stat().st_size > CRASH_BYTES:
            os.replace(crash_path, folder / f"{CRASH_FILE}.1")
        crash = self.crash_file = open(crash_path, "a", encoding="utf-8")   # faulthandler's fd
        crash.write(f"--- {_now()} pid {os.getpid()} started: {_one_line(versions())}\n")
        crash.flush()
        if capture_stderr and self._copy_stderr_into(crash_path, crash):
            faulthandler.enable(all_threads=True)       # fd 2: the terminal and crash.log
        else:
            faulthandler.enable(file=crash, all_threads=True)
        handler = self.handler = RotatingFileHandler(folder / LOG_FILE, maxBytes=LOG_BYTES,
                                                     backupCount=LOG_BACKUPS, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        self.previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook
        self.closed = False
        log.info("started: %s; logs in %s", _one_line(versions()), folder)

    def close(self) -> None:
        """Put the hooks, stderr and logging back (tests; the app keeps them for its life)."""
        if self.closed:
            return
        self.closed = True
        sys.excepthook, threading.excepthook = self.previous
        faulthandler.disable()
        self._restore_stderr()
        log.removeHandler(self.handler)
        self.handler.close()
        self.crash_file.close()

    def report(self, exc_type, exc, tb, where: str = "the main thread") -> None:
        """Log an unhandled exception and hand it to the reporter; never raises."""
        try:
            log.critical("unhandled error in %s", where, exc_info=(exc_type, exc, tb))
            if sys.__stderr__ is not None:        # a terminal, if there is one, sees it too
                traceback.print_exception(exc_type, exc, tb, file=sys.__stderr__)
            if self.reporter is not None:
                summary = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
                self.reporter(summary, details_text(exc_type, exc, tb, where))
        except Exception:  # noqa: BLE001 - the hook of last resort must not fail in turn
            traceback.print_exc(file=sys.__stderr__)

    def _excepthook(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report(exc_type, exc, tb)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self.report(args.exc_type, args.exc_value, args.exc_traceback, where=f"thread '{name}'")

    def _copy_stderr_into(self, crash_path: Path, crash) -> bool:
        """Point fd 2 at a `tee -a crash.log` writing on to the old stderr; with no usable
        stderr (a desktop launch), point fd 2 at crash.log itself. False: left as it was."""
        try:
            saved = os.dup(2)
        except OSError:                      # no stderr at all: fatal errors go to the crash log
            try:
                os.dup2(crash.fileno(), 2)
                return True
            except OSError:
                return False
        tee_path = shutil.which("tee") if os.name == "posix" else None
        if tee_path is None:
            os.close(saved)
            return False
        if sys.stderr is not None:
            sys.stderr.flush()
        try:
            tee = subprocess.Popen([tee_path, "-i", "-a", str(crash_path)], stdin=subprocess.PIPE,
                                   stdout=saved, stderr=subprocess.DEVNULL, close_fds=True,
                                   start_new_session=True)     # Ctrl+C in a terminal does not stop it
            os.dup2(tee.stdin.fileno(), 2)
        except OSError:
            os.close(saved)
            return False
        self.saved_stderr_fd, self.tee = saved, tee
        return True

    def _restore_stderr(self) -> None:
        if self.saved_stderr_fd is None:
            return
        if sys.stderr is not None:
            sys.stderr.flush()
        os.dup2(self.saved_stderr_fd, 2)
        os.close(self.saved_stderr_fd)
        self.tee.stdin.close()
        try:
            self.tee.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.tee.kill()
        self.saved_stderr_fd, self.tee = None, None


def install(reporter: Reporter | None = None, capture_stderr: bool = True) -> CrashEvidence:
    """Crash evidence on for this process (see CrashEvidence); when it is on already,
    the running one is returned (taking `reporter`, if given)."""
    running = getattr(sys.excepthook, "__self__", None)
    if isinstance(running, CrashEvidence) and not running.closed:
        running.reporter = reporter or running.reporter
        return running
    return CrashEvidence(reporter, capture_stderr)


def details_text(exc_type, exc, tb, where: str = "the main thread") -> str:
    """The text of "Copy details": what happened, where, the traceback and the versions."""
    stack = "".join(traceback.format_exception(exc_type, exc, tb))
    info = "\n".join(f"{k}: {v}" for k, v in versions().items())
    return (f"Unhandled {exc_type.__name__} in {where} at {_now()}\n\n{stack}\n{info}\n"
            f"Logs: {log_dir()}\n")


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def _one_line(found: dict[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in found.items())

"""Crash evidence for the desktop app, so an error never just makes it vanish:

- `faulthandler` writes the stack of every thread into `crash.log` when the process
  dies hard (a segfault, an abort such as "Fatal Python error: none_dealloc");
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


class _State:
    installed = False
    reporter: Reporter | None = None
    crash_file = None
    handler: logging.Handler | None = None
    previous: tuple = ()


_state = _State()


def install(reporter: Reporter | None = None) -> Path:
    """Turn on the crash log, the app log and the exception hooks; returns the log folder."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if _state.installed:
        _state.reporter = reporter or _state.reporter
        return folder
    crash_path = folder / CRASH_FILE
    if crash_path.exists() and crash_path.stat().st_size > CRASH_BYTES:
        os.replace(crash_path, folder / f"{CRASH_FILE}.1")
    crash = open(crash_path, "a", encoding="utf-8")    # kept open: faulthandler writes to its fd
    crash.write(f"--- {_now()} pid {os.getpid()} started: {_one_line(versions())}\n")
    crash.flush()
    faulthandler.enable(file=crash, all_threads=True)
    handler = RotatingFileHandler(folder / LOG_FILE, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS,
                                  encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    _state.previous = (sys.excepthook, threading.excepthook)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    _state.installed, _state.reporter, _state.crash_file, _state.handler = True, reporter, crash, handler
    log.info("started: %s; logs in %s", _one_line(versions()), folder)
    return folder


def uninstall() -> None:
    """Undo install() (tests; the app keeps the hooks for its whole life)."""
    if not _state.installed:
        return
    sys.excepthook, threading.excepthook = _state.previous
    faulthandler.disable()
    log.removeHandler(_state.handler)
    _state.handler.close()
    _state.crash_file.close()
    _state.installed, _state.reporter, _state.crash_file, _state.handler = False, None, None, None


def details_text(exc_type, exc, tb, where: str = "the main thread") -> str:
    """The text of "Copy details": what happened, where, the traceback and the versions."""
    stack = "".join(traceback.format_exception(exc_type, exc, tb))
    info = "\n".join(f"{k}: {v}" for k, v in versions().items())
    return (f"Unhandled {exc_type.__name__} in {where} at {_now()}\n\n{stack}\n{info}\n"
            f"Logs: {log_dir()}\n")


def report(exc_type, exc, tb, where: str = "the main thread") -> None:
    """Log an unhandled exception and hand it to the reporter; never raises."""
    try:
        log.critical("unhandled error in %s", where, exc_info=(exc_type, exc, tb))
        if sys.__stderr__ is not None:        # a terminal, if there is one, sees it too
            traceback.print_exception(exc_type, exc, tb, file=sys.__stderr__)
        if _state.reporter is not None:
            summary = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
            _state.reporter(summary, details_text(exc_type, exc, tb, where))
    except Exception:  # noqa: BLE001 - the hook of last resort must not fail in turn
        traceback.print_exc(file=sys.__stderr__)


def _excepthook(exc_type, exc, tb) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    report(exc_type, exc, tb)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "a thread"
    report(args.exc_type, args.exc_value, args.exc_traceback, where=f"thread '{name}'")


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def _one_line(found: dict[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in found.items())

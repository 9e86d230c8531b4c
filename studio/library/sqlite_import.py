"""sqlite-utils without numpy and pandas: `from .sqlite_import import sqlite_utils`.

`sqlite_utils.db` imports numpy and pandas whenever they are installed (pyqtgraph
brings numpy) only to map their types to columns; the library never stores such
values, and numpy's import was a fifth of every library command's start-up and of
each run-all worker's. Only the thread importing sqlite-utils sees them missing,
and only meanwhile: the GUI importing pyqtgraph on another thread is unaffected.
"""
from __future__ import annotations

import sys
import threading

LEFT_OUT = frozenset({"numpy", "pandas"})


class _LeftOut:
    """A meta path finder (importlib.abc would import importlib.resources: 90 ms)."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name, path=None, target=None):  # noqa: ANN001 - importlib's signature
        if name in LEFT_OUT and threading.get_ident() == self.thread:
            raise ModuleNotFoundError(f"{name} is not needed by the library", name=name)
        return None


def import_sqlite_utils():
    """The sqlite_utils module, imported (once) without numpy and pandas."""
    if "sqlite_utils.db" in sys.modules:
        return sys.modules["sqlite_utils"]
    finder = _LeftOut()
    # new lists, never edited in place: another thread may be walking the old one
    sys.meta_path = [finder, *sys.meta_path]
    try:
        import sqlite_utils
    finally:
        sys.meta_path = [f for f in sys.meta_path if f is not finder]
    return sqlite_utils


sqlite_utils = import_sqlite_utils()

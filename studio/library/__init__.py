"""The simulation library: SQLite store of simulations, runs and results, run-all,
history diffs, coverage and stats. Qt-free: the CLI and the GUI share it."""
from .sqlite_import import import_sqlite_utils

import_sqlite_utils()     # before any module here imports it: without numpy

from .library import Library  # noqa: E402
from .records import (LibraryCorrupt, LibraryError, LibraryInUse, LibraryReadOnly, ResultRecord,
                      RunRecord, SimulationRecord)

__all__ = ["Library", "LibraryCorrupt", "LibraryError", "LibraryInUse", "LibraryReadOnly",
           "ResultRecord", "RunRecord", "SimulationRecord"]

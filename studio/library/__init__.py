"""The simulation library: SQLite store of simulations, runs and results, run-all,
history diffs, coverage and stats. Qt-free: the CLI and the GUI share it."""
from .library import Library
from .records import (LibraryCorrupt, LibraryError, LibraryInUse, LibraryReadOnly, ResultRecord,
                      RunRecord, SimulationRecord)

__all__ = ["Library", "LibraryCorrupt", "LibraryError", "LibraryInUse", "LibraryReadOnly",
           "ResultRecord", "RunRecord", "SimulationRecord"]

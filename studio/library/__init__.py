"""The simulation library: SQLite store of simulations, runs and results, run-all,
history diffs, coverage and stats. Qt-free: the CLI and the GUI share it.

`Library` is imported on first use: run-all's worker processes import this package
for its records and need neither SQLite's helpers nor the store."""
from .records import (LibraryCorrupt, LibraryError, LibraryInUse, LibraryReadOnly, ResultRecord,
                      RunRecord, SimulationRecord)

__all__ = ["Library", "LibraryCorrupt", "LibraryError", "LibraryInUse", "LibraryReadOnly",
           "ResultRecord", "RunRecord", "SimulationRecord"]


def __getattr__(name: str):
    if name == "Library":
        from .library import Library
        return Library
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The simulation library: SQLite store of simulations, runs and results, run-all,
history diffs, coverage and stats. Qt-free: the CLI and the GUI share it.

Every name is imported on first use: `studio run-all` imports `run_pool` first, to start
its worker processes while the rest loads, and run-all's workers need neither SQLite's
helpers nor the store."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .library import Library
    from .records import (LibraryCorrupt, LibraryError, LibraryInUse, LibraryReadOnly,
                          ResultRecord, RunRecord, SimulationRecord)

__all__ = ["Library", "LibraryCorrupt", "LibraryError", "LibraryInUse", "LibraryReadOnly",
           "ResultRecord", "RunRecord", "SimulationRecord"]


def __getattr__(name: str):
    if name == "Library":
        from .library import Library
        return Library
    if name in __all__:
        from . import records
        return getattr(records, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

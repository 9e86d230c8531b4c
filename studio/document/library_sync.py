"""The library follows the session's simulations: a listener on session events, no Qt.

Every change to a simulation (the simulation editor, undo, redo, the project
tree, a file changed outside and reloaded) reaches the session as a command or
a reload and is announced by `item_changed`; this listener writes the library
row that belongs to the simulation's file, so the library list, run-all and
the runner agree with the YAML files (the source of truth) at once. A save
re-reads the folder, which also drops simulations whose file is gone.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from psygnal import Signal

from studio.core.simulation import Simulation


class LibrarySync:
    """`failed(message)`: the library could not follow (a name clash, a locked file);
    `folder_synced()`: after a save, the library has re-read simulations/."""

    failed = Signal(str)
    folder_synced = Signal()

    def __init__(self, session: Any, library: Any):
        self.session, self.library = session, library
        session.item_changed.connect(self._item_changed)
        session.saved.connect(self._saved)

    def close(self) -> None:
        self.session.item_changed.disconnect(self._item_changed)
        self.session.saved.disconnect(self._saved)

    @property
    def writable(self) -> bool:
        return self.library is not None and not getattr(self.library, "read_only", False)

    def clash(self, key: str, simulation: Simulation) -> str | None:
        """Why `simulation` cannot be saved under `key` (its name belongs to another
        simulation's file), or None."""
        if self.library is None:
            return None
        existing = self.library.get(simulation.name)
        rel = self.session.project.file_of("simulation", key)
        if existing is not None and (existing.source_file or rel) != rel:
            return f"a simulation named {simulation.name!r} already exists; choose another name"
        return None

    def _item_changed(self, kind: str, key: str) -> None:
        if kind != "simulation" or not self.writable:
            return
        try:
            self.sync(key, self.session.project.simulations.get(key))
        except Exception as exc:       # say so and keep going: the file stays the truth
            self.failed.emit(f"Library not updated: {exc}")

    def sync(self, key: str, simulation: Simulation | None) -> None:
        """The library row of the simulation file `key` becomes `simulation` (None: removed)."""
        rel = self.session.project.file_of("simulation", key)
        rows = self.library.query("SELECT name FROM simulations WHERE source_file = ?", [rel])
        name = rows[0]["name"] if rows else None
        if simulation is None:
            if name is not None:
                self.library.delete_simulation(name)
            return
        previous = name if name is not None and name != simulation.name else None
        self.library.save_simulation(simulation, source_file=rel, previous_name=previous)

    def restore_unsaved(self) -> None:
        """Closing without saving: simulations edited but not saved take their file's version."""
        if not self.writable:
            return
        from studio.library.sim_io import read_simulation
        for kind, key in self.session.dirty_keys():
            if kind != "simulation":
                continue
            path = Path(self.session.root) / self.session.project.file_of("simulation", key)
            simulation = read_simulation(path, self.session.root)[0] if path.is_file() else None
            try:
                self.sync(key, simulation)
            except Exception:     # a clash with another name: the next sync from the folder decides
                pass

    def _saved(self) -> None:
        if self.writable:
            self.library.sync_from_folder()      # files edited as text, added or deleted
        self.folder_synced.emit()

"""What the Library panel shows when the library cannot be opened (damaged, a folder in
its place, from a newer Studio): the message with its fix, and the fix as a button.

Rebuilding moves the broken file aside (its run history stays there) and builds a new
library from simulations/, the same as `studio sim rebuild`; it runs off the GUI thread.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio.ui.background import make_pool


def rebuild_library(root: Path) -> str:
    """`studio sim rebuild`, for the app: what was done, in one sentence."""
    from studio.library.sim_io import rebuild
    moved, library, recovered = rebuild(root)
    try:
        count = library.simulation_count()
    finally:
        library.close()
    kept = f"; kept {len(recovered)} simulation(s) only the old library had" if recovered else ""
    where = f" The old file is {moved.name}, with its run history." if moved else ""
    return f"Rebuilt the library with {count} simulation(s) from simulations/{kept}.{where}"


class DamagedLibraryNotice(QWidget):
    """The error in full (wrapped, selectable) and a Rebuild button; `rebuilt(message)`
    fires on the GUI thread once a new library is in place."""

    rebuilt = Signal(str)

    def __init__(self, root: Path, message: str, *, can_rebuild: bool = True,
                 rebuild: Callable[[Path], str] = rebuild_library, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("damaged-library")
        self.root = Path(root)
        self._rebuild = rebuild
        self._pool = make_pool(1, self)
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton("Rebuild library")
        self.button.setToolTip("Move the damaged file aside (its run history stays in it) and build "
                               "a new library from the YAML files in simulations/")
        self.button.setVisible(can_rebuild)
        self.button.clicked.connect(self.start_rebuild)
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.message)
        layout.addLayout(row)
        layout.addStretch(1)

    def start_rebuild(self) -> Any:
        self.button.setEnabled(False)
        self.button.setText("Rebuilding…")
        return self._pool.run(lambda _progress: self._rebuild(self.root),
                              finished=self.rebuilt.emit, failed=self._failed)

    def _failed(self, message: str) -> None:
        self.message.setText(f"{self.message.text()}\n\nThe rebuild failed: {message}")
        self.button.setText("Rebuild library")
        self.button.setEnabled(True)

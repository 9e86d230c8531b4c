"""A side-by-side splitter whose right pane keeps its share of the width.

A plain QSplitter hands out width changes by stretch factor, so sizes set before
the window has its real size (or restored from another window size) end up
lopsided. This one remembers the right pane's fraction and re-applies it on
every resize; dragging the handle (or setSizes) changes the fraction.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter

MIN_SHARE, MAX_SHARE = 0.1, 0.9


class ShareSplitter(QSplitter):
    share_chosen = Signal(float)       # the user dragged the handle to this share

    def __init__(self, share: float, parent=None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._share = share
        self.splitterMoved.connect(self._on_moved)

    def share(self) -> float:
        """The right pane's fraction of the width."""
        return self._share

    def set_share(self, share: float) -> None:
        self._share = min(MAX_SHARE, max(MIN_SHARE, float(share)))
        self._apply()

    def setSizes(self, sizes) -> None:            # noqa: N802 (Qt's name)
        super().setSizes(sizes)
        self._remember(list(sizes))

    def resizeEvent(self, event) -> None:         # noqa: N802
        super().resizeEvent(event)
        self._apply()

    def _both_shown(self) -> bool:
        return self.count() == 2 and all(not self.widget(i).isHidden() for i in range(2))

    def _apply(self) -> None:
        total = sum(self.sizes())
        if not self._both_shown() or total <= 0:
            return
        right = round(total * self._share)
        if self.sizes() != [total - right, right]:
            super().setSizes([total - right, right])

    def _remember(self, sizes: list[int]) -> None:
        if self._both_shown() and len(sizes) == 2 and min(sizes) > 0:
            self._share = min(MAX_SHARE, max(MIN_SHARE, sizes[1] / sum(sizes)))

    def _on_moved(self, _pos: int, _index: int) -> None:
        self._remember(self.sizes())
        self.share_chosen.emit(self._share)

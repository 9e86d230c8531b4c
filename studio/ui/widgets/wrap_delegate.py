"""Rows as tall as their text wrapped to the column: values read in full at 1280 px,
not cut with "…" (the library's Detail, the runner's Expected / Actual)."""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QTreeView


class WrapColumns(QStyledItemDelegate):
    def __init__(self, view: QTreeView, columns: tuple[int, ...]):
        super().__init__(view)
        self.view = view
        self.columns = columns
        view.setWordWrap(True)
        view.setUniformRowHeights(False)
        view.setTextElideMode(Qt.TextElideMode.ElideNone)
        view.header().sectionResized.connect(lambda *_: view.scheduleDelayedItemsLayout())

    def sizeHint(self, option, index):
        hint = super().sizeHint(option, index)
        if index.column() not in self.columns or not index.data():
            return hint
        width = max(40, self.view.header().sectionSize(index.column()) - 8)
        flags = Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere
        rect = option.fontMetrics.boundingRect(QRect(0, 0, width, 100000), flags, str(index.data()))
        return QSize(hint.width(), max(hint.height(), rect.height() + 4))

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.features |= option.ViewItemFeature.WrapText

"""What changed since the previous run, regressions first, each simulation
unfolding into the checks that started or stopped failing."""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from ...theme import qcolor
from ...widgets.wrap_delegate import WrapColumns

SECTIONS = (("regressions", "Regressions", "#b3261e"),
            ("fixes", "Fixed", "#1e7b34"),
            ("still_failing", "Still failing", "#b35c00"),
            ("new", "New", "#2f5d8f"),
            ("removed", "Removed", "#7a8590"))


def _short(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) < 120 else text[:119] + "…"


class DiffView(QTreeWidget):
    result_requested = Signal(str)       # a double-clicked simulation: open its stored result

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setExpandsOnDoubleClick(False)      # double-click opens; the arrow folds
        self.setItemDelegate(WrapColumns(self, (2,)))      # Detail is read, not guessed from "…"
        self.itemDoubleClicked.connect(self._double_clicked)
        self.setColumnCount(3)
        self.setHeaderLabels(["Simulation / check", "Before → after", "Detail"])
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(True)
        self.setColumnWidth(0, 300)
        self.setAlternatingRowColors(True)
        self.diff: Any = None

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        width = self.viewport().width()          # names get a third, Detail the rest
        self.setColumnWidth(0, max(160, width * 34 // 100))

    def _double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        while item is not None and item.parent() is not None and item.parent().parent() is not None:
            item = item.parent()                 # an expectation row: its simulation
        name = item.data(0, 256) if item is not None and item.parent() is not None else None
        if name:
            self.result_requested.emit(name)
        elif item is not None:
            item.setExpanded(not item.isExpanded())

    def show_message(self, text: str) -> None:
        self.clear()
        self.diff = None
        item = QTreeWidgetItem(self, [text])
        item.setToolTip(0, text)
        item.setForeground(0, QBrush(qcolor("#7a8590")))
        item.setFirstColumnSpanned(True)

    def set_diff(self, diff: Any, causes: dict[str, str] | None = None) -> None:
        """`causes`: simulation -> the edit that made it regress (govern.regression)."""
        causes = causes or {}
        self.clear()
        self.diff = diff
        n = len(diff.regressions)
        changed = (("; saved procedures changed: " + ", ".join(diff.changed_procedures))
                   if diff.changed_procedures else "")
        head = QTreeWidgetItem(self, [f"Run {diff.before.id} → run {diff.after.id}: "
                                      f"{n} regression{'' if n == 1 else 's'}, {len(diff.fixes)} fixed"
                                      + changed])
        head.setFirstColumnSpanned(True)
        head.setToolTip(0, head.text(0))
        head.setForeground(0, QBrush(qcolor("#5c6b7a")))
        bold = QFont()
        bold.setBold(True)
        for attr, title, colour in SECTIONS:
            changes = getattr(diff, attr)
            if not changes:
                continue
            section = QTreeWidgetItem(self, [f"{title} ({len(changes)})"])
            if attr == "regressions":
                section.setToolTip(0, "Passed in the previous run, failing now")
            section.setFont(0, bold)
            section.setForeground(0, QBrush(qcolor(colour)))
            section.setData(0, 256, attr)
            for change in changes:
                item = QTreeWidgetItem(section, [
                    change.name, f"{change.before or '—'} → {change.after or '—'}",
                    change.error or (change.failing[0] if change.failing else "")])
                item.setData(0, 256, change.name)
                item.setToolTip(1, item.text(1))
                item.setToolTip(2, "\n".join(change.failing) or (change.error or ""))
                item.setToolTip(0, f"{change.name}\nprocedure: {change.procedure or '—'}")
                if change.name in causes:
                    cause = QTreeWidgetItem(item, ["caused by the edit", "", causes[change.name]])
                    cause.setToolTip(2, causes[change.name])
                    cause.setForeground(0, QBrush(qcolor("#D97706")))
                    cause.setData(0, 257, "cause")
                for exp in change.expectations:
                    sub = QTreeWidgetItem(item, [
                        exp.type, f"{exp.before or '—'} → {exp.after or '—'}",
                        exp.message or f"expected {_short(exp.expected)}, got {_short(exp.actual)}"])
                    sub.setToolTip(2, f"expected {_short(exp.expected)}\nactual {_short(exp.actual)}")
                    if exp.after == "fail":
                        sub.setForeground(1, QBrush(qcolor("#b3261e")))
                item.setExpanded(attr == "regressions")
            section.setExpanded(attr in ("regressions", "still_failing", "fixes"))
        if diff.unchanged_passing:
            QTreeWidgetItem(self, [f"{diff.unchanged_passing} unchanged, passing"]).setForeground(
                0, QBrush(qcolor("#5c6b7a")))

    def ordered(self) -> list[tuple[str, str]]:
        """(section, simulation) in display order: what a reader sees top-down."""
        out = []
        for i in range(self.topLevelItemCount()):
            section = self.topLevelItem(i)
            attr = section.data(0, 256)
            for j in range(section.childCount()):
                out.append((attr, section.child(j).data(0, 256)))
        return out

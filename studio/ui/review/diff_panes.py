"""The semantic diff side by side: the older revision on the left, the newer on the right,
each as a flowchart (added steps green, removed red, changed amber, moved blue) above its
step cards (changed fields highlighted on both sides)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from studio.core.procedure import Procedure
from studio.govern.semantic_diff import SemanticDiff

from ..editor.flowchart import FlowchartView
from .diff_cards import side_html, step_marks


class DiffSide(QWidget):
    def __init__(self, side: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.side = side
        self.title = QLabel()
        self.title.setObjectName(f"review-diff-{side}-title")
        self.title.setWordWrap(True)
        self.flowchart = FlowchartView()
        self.cards = QTextBrowser()
        self.cards.setObjectName(f"review-diff-{side}-cards")
        self.cards.setOpenLinks(False)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.flowchart)
        split.addWidget(self.cards)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)
        self.marks: dict[str, str] = {}
        self.focused: str | None = None
        self.flowchart.step_selected.connect(lambda ids: ids and self.focus(ids[-1]))

    def focus(self, step_id: str) -> None:
        """Bring a step's card and flowchart node into view (when this side has it)."""
        if step_id in self.flowchart.nodes or step_id in self.marks:
            self.focused = step_id
            self.cards.scrollToAnchor(step_id)
            if step_id in self.flowchart.nodes:
                self.flowchart.ensureVisible(self.flowchart.nodes[step_id], 40, 40)

    def display(self, data: dict | None, diff: SemanticDiff | None, label: str) -> None:
        self.title.setText(f"<b>{'Before' if self.side == 'old' else 'After'}:</b> {label}")
        self.cards.setHtml(side_html(data, diff, self.side, label))
        item = diff.item("procedure", data.get("id", "")) if (diff and data) else None
        self.marks = step_marks(item, self.side)
        self.flowchart.set_marks(self.marks)
        if data is None:
            self.flowchart.scene().clear()
            self.flowchart.nodes = {}
            return
        try:
            self.flowchart.show_procedure(Procedure.model_validate(data))
        except Exception:  # noqa: BLE001 - a revision that no longer validates still shows as cards
            self.flowchart.scene().clear()
            self.flowchart.nodes = {}
        self.flowchart.set_marks(self.marks)
        first = next(iter(self.marks), None)          # the first change in view
        if first:
            self.focus(first)


class DiffPanes(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setObjectName("review-diff-summary")
        self.summary.setWordWrap(True)
        self.old = DiffSide("old")
        self.new = DiffSide("new")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.old)
        split.addWidget(self.new)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.diff: SemanticDiff | None = None
        for one, other in ((self.old, self.new), (self.new, self.old)):   # a step picked on one
            one.flowchart.step_selected.connect(                          # side shows on both
                lambda ids, other=other: ids and other.focus(ids[-1]))

    def show_diff(self, procedure_id: str, old: dict | None, new: dict | None,
                  diff: SemanticDiff, old_label: str, new_label: str) -> None:
        """`old`/`new`: the revisions' snapshots (plain data)."""
        self.diff = diff
        pick = lambda snap: (snap or {}).get("procedures", {}).get(procedure_id)  # noqa: E731
        if old is None:            # never approved nor run before: nothing to mark as added
            self.old.display(None, None, old_label)
            self.new.display(pick(new), None, new_label)
            self.summary.setText("Never approved, and no earlier revision was run: nothing to "
                                 "compare with yet. Approving it makes this the base.")
            return
        self.old.display(pick(old), diff, old_label)
        self.new.display(pick(new), diff, new_label)
        both = next((step for step, mark in self.new.marks.items()     # a changed step side by
                     if mark in ("changed", "moved") and step in self.old.marks), None)  # side
        if both:
            for side in (self.old, self.new):
                side.focus(both)
                QTimer.singleShot(0, lambda side=side: side.focus(both))   # once laid out too
        if not diff.changed:
            self.summary.setText("No changes between these revisions (comments and formatting "
                                 "are not changes).")
            return
        item = diff.item("procedure", procedure_id)
        counts: dict[str, Any] = {}
        for step in item.steps if item else []:
            counts[step.status] = counts.get(step.status, 0) + 1
        parts = [f"{n} step{'s' if n != 1 else ''} {status}" for status, n in sorted(counts.items())]
        others = [f"{i.kind} {i.id} {i.status}" for i in diff.items if i is not item]
        self.summary.setText("Changes: " + "; ".join(parts + others))

    def message(self, text: str) -> None:
        self.diff = None
        self.summary.setText(text)
        self.old.display(None, None, "—")
        self.new.display(None, None, "—")

"""Expected connector calls as a form: one card per call with a connector picker
(the procedure's own connectors first) and an inputs table whose names come from
the connector's declared inputs. An input left empty is not checked."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from studio.core.project import Project
from studio.core.simulation import ExpectedCall

from ...widgets.choices import select_choice
from .kv_table import KeyValueTable
from .form_problems import Problem, problem, within

INPUT_HINT = "Empty: this input is not checked"


def connector_choices(project: Project, used: list[str], extra: list[str] = ()) -> list[tuple[str, str]]:
    """(label, id) for a connector picker: the procedure's connectors, then the project's
    others, then ids only the file names (unknown)."""
    others = sorted(c for c in project.connectors if c not in used)
    out = [(cid if cid in project.connectors else f"{cid} (unknown)", cid) for cid in used]
    out += [(f"{cid}  (not used by this procedure)", cid) for cid in others]
    known = set(used) | set(others)
    out += [(f"{cid} (unknown)", cid) for cid in dict.fromkeys(extra) if cid not in known]
    return out


class CallCard(QFrame):
    """One expected call."""
    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, project: Project, choices: list[tuple[str, str]], call: ExpectedCall | None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.project = project
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.connector = QComboBox()
        self.remove_button = QPushButton("Remove call")
        self.remove_button.setAutoDefault(False)
        self.inputs = KeyValueTable("Input", "Expected value", INPUT_HINT)
        top = QHBoxLayout()
        top.addWidget(QLabel("Connector"))
        top.addWidget(self.connector, 1)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.inputs)
        for label, cid in choices:
            self.connector.addItem(label, cid)
        select_choice(self.connector, call.connector if call else (choices[0][1] if choices else ""))
        self.inputs.set_suggestions(self._declared())
        self.inputs.load(dict(call.inputs) if call else {}, self._declared())
        self.connector.currentIndexChanged.connect(self._connector_changed)
        self.inputs.changed.connect(self.changed.emit)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))

    def connector_id(self) -> str:
        return self.connector.currentData() or ""

    def _declared(self) -> list[str]:
        connector = self.project.connectors.get(self.connector_id())
        return list(connector.inputs) if connector else []

    def _connector_changed(self) -> None:
        self.inputs.set_suggestions(self._declared())
        self.inputs.preset(self._declared())
        self.changed.emit()

    def call(self) -> ExpectedCall:
        return ExpectedCall(connector=self.connector_id(), inputs=self.inputs.values())

    def problems(self) -> list[Problem]:
        out = within(f"{self.connector_id()}: ", self.inputs.problems())
        declared = self._declared()
        connector = self.project.connectors.get(self.connector_id())
        if connector is not None and declared:
            unknown = [n for n, _ in self.inputs.rows() if n and n not in declared]
            out += [problem("unknown-input", f"{self.connector_id()}: '{n}' is not an input of this connector")
                    for n in unknown]
        return out


class CallsEditor(QWidget):
    """A list of expected connector calls, with add and remove."""
    changed = Signal()

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent)
        self.project = project
        self.used: list[str] = []
        self.cards: list[CallCard] = []
        self.column = QVBoxLayout()
        self.column.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel("No call expected. Add one to check that a connector was called "
                            "with given inputs.")
        self.empty.setWordWrap(True)
        self.empty.setObjectName("Muted")
        self.add_button = QPushButton("Add call")
        self.add_button.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.add_button)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addLayout(self.column)
        layout.addLayout(bottom)
        self.add_button.clicked.connect(lambda: self.add_call())

    def load(self, calls: list[ExpectedCall], used: list[str]) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards, self.used = [], list(used)
        self._extra = [c.connector for c in calls]
        for call in calls:
            self._append(call)
        self._update_empty()

    def add_call(self, connector: str | None = None) -> CallCard:
        call = ExpectedCall(connector=connector) if connector else None
        card = self._append(call)
        self._update_empty()
        self.changed.emit()
        return card

    def remove_call(self, card: CallCard) -> None:
        if card in self.cards:
            self.cards.remove(card)
            card.setParent(None)
            card.deleteLater()
            self._update_empty()
            self.changed.emit()

    def calls(self) -> list[ExpectedCall]:
        return [card.call() for card in self.cards if card.connector_id()]

    def problems(self) -> list[Problem]:
        return [p for card in self.cards for p in card.problems()]

    def _append(self, call: ExpectedCall | None) -> CallCard:
        choices = connector_choices(self.project, self.used, getattr(self, "_extra", []))
        card = CallCard(self.project, choices, call)
        card.changed.connect(self.changed.emit)
        card.remove_requested.connect(self.remove_call)
        self.column.addWidget(card)
        self.cards.append(card)
        return card

    def _update_empty(self) -> None:
        self.empty.setVisible(not self.cards)

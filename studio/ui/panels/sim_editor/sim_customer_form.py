"""Customer part of a simulation: segment or attributes, scripted turns with
their attachments (see sim_attachments_form), persona and goal."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from studio.core.simulation import Customer, CustomerTurn

from ...widgets.choices import fill_choices, select_choice
from ...widgets.layouts import form_rows
from .json_edit import JsonEdit
from .form_problems import Problem, problem, within
from .sim_attachments_form import AttachmentsEditor

NO_SEGMENT = "(none: use attributes)"


class CustomerForm(QWidget):
    changed = Signal()

    def __init__(self, segments: list[str], attachments_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.attachments_dir = attachments_dir
        self.turns: list[CustomerTurn] = []
        self._loading = False
        self.segment = QComboBox()
        fill_choices(self.segment, NO_SEGMENT, segments, None)
        self.attributes = JsonEdit(placeholder='{"plan": "pro"}')
        self.attributes.setMaximumHeight(90)
        self.persona = QLineEdit()
        self.persona.setPlaceholderText("Used when a model plays the customer, e.g. Polite but in a hurry")
        self.goal = QLineEdit()
        self.goal.setPlaceholderText("What the customer wants, e.g. Get a refund for the crushed pizza")

        self.turn_list = QListWidget()
        self.turn_list.setMaximumHeight(150)
        self.add_turn = QPushButton("Add turn")
        self.remove_turn = QPushButton("Remove")
        self.up = QPushButton("↑")
        self.up.setToolTip("Move the turn up")
        self.down = QPushButton("↓")
        self.down.setToolTip("Move the turn down")
        for small in (self.up, self.down):
            small.setFixedWidth(small.fontMetrics().horizontalAdvance("↑") + 28)
        buttons = QHBoxLayout()
        for b in (self.add_turn, self.remove_turn, self.up, self.down):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.turn_text = QPlainTextEdit()
        self.turn_text.setPlaceholderText("What the customer says in this turn")
        self.turn_text.setMaximumHeight(70)
        self.attachments = AttachmentsEditor(attachments_dir)

        turn_box = QVBoxLayout()
        turn_box.addWidget(self.turn_list)
        turn_box.addLayout(buttons)
        form = form_rows(("Segment", self.segment), ("Attributes", self.attributes),
                         ("Persona", self.persona), ("Goal", self.goal), ("Script", turn_box),
                         ("Turn text", self.turn_text), ("Attachments", self.attachments))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

        for signal in (self.segment.currentIndexChanged, self.attributes.changed,
                       self.persona.textChanged, self.goal.textChanged):
            signal.connect(self._emit)
        self.turn_list.currentRowChanged.connect(self._show_turn)
        self.turn_text.textChanged.connect(self._turn_edited)
        self.attachments.changed.connect(self._turn_edited)
        self.add_turn.clicked.connect(self._add)
        self.remove_turn.clicked.connect(self._remove)
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))

    def set_segments(self, segments: list[str]) -> None:
        """The project's segments changed (settings dialog); keep the current choice."""
        current = self.segment.currentData()
        self._loading, was = True, self._loading
        fill_choices(self.segment, NO_SEGMENT, segments, current)
        self._loading = was

    # -- load / build ---------------------------------------------------------
    def load(self, customer: Customer) -> None:
        self._loading = True
        select_choice(self.segment, customer.segment)
        self.attributes.set_value(customer.attributes or None)
        self.persona.setText(customer.persona or "")
        self.goal.setText(customer.goal or "")
        self.turns = [t.model_copy(deep=True) for t in customer.turns()]
        self._facts = dict(customer.facts)
        self._refresh_list(0 if self.turns else -1)
        self._loading = False

    def customer(self) -> Customer:
        script: list[Any] = [t if t.attachments else t.text for t in self.turns]
        return Customer(segment=self.segment.currentData(), attributes=self.attributes.value() or {},
                        script=script, persona=self.persona.text().strip() or None,
                        goal=self.goal.text().strip() or None, facts=getattr(self, "_facts", {}))

    def problems(self) -> list[Problem]:
        out = within("attributes: ", self.attributes.problems())
        for i, turn in enumerate(self.turns, 1):
            if not turn.text.strip() and not turn.attachments:
                out.append(problem("empty-turn", f"turn {i} is empty"))
            for a_index, att in enumerate(turn.attachments, 1):
                if not att.file:
                    out.append(problem("attachment-without-file", f"turn {i}: attachment {a_index} has no file"))
                elif att.file not in self.attachments.folder_files():
                    out.append(problem("attachment-missing", f"turn {i}: {att.file} is not in the attachments folder"))
        if self.attachments.current() is not None:
            out += within(f"turn {self.turn_list.currentRow() + 1}, extracted: ",
                          self.attachments.extracted.problems())
        return out

    def set_variable_names(self, names: list[str]) -> None:
        """Names offered for an attachment's extracted fields (the procedure's variables)."""
        self.attachments.set_suggestions(names)

    # -- turns ------------------------------------------------------------------
    def _refresh_list(self, select: int) -> None:
        self.turn_list.blockSignals(True)
        self.turn_list.clear()
        for i, turn in enumerate(self.turns, 1):
            QListWidgetItem(self._turn_label(i, turn), self.turn_list)
        self.turn_list.blockSignals(False)
        self.turn_list.setCurrentRow(select)
        self._show_turn(select)

    @staticmethod
    def _turn_label(number: int, turn: CustomerTurn) -> str:
        count = len(turn.attachments)
        clip = "" if not count else "  [attachment]" if count == 1 else f"  [{count} attachments]"
        return f"{number}. {turn.text or '(empty)'}{clip}"

    def _show_turn(self, row: int) -> None:
        loading, self._loading = self._loading, True
        turn = self.turns[row] if 0 <= row < len(self.turns) else None
        for w in (self.turn_text, self.attachments):
            w.setEnabled(turn is not None)
        self.turn_text.setPlainText(turn.text if turn else "")
        self.attachments.load(turn.attachments if turn else [])
        self._loading = loading

    def _turn_edited(self) -> None:
        row = self.turn_list.currentRow()
        if self._loading or not 0 <= row < len(self.turns):
            return
        self.turns[row] = CustomerTurn(text=self.turn_text.toPlainText(),
                                       attachments=self.attachments.attachments())
        self.turn_list.item(row).setText(self._turn_label(row + 1, self.turns[row]))
        self._emit()

    def _add(self) -> None:
        self.turns.append(CustomerTurn(text=""))
        self._refresh_list(len(self.turns) - 1)
        self.turn_text.setFocus()
        self._emit()

    def _remove(self) -> None:
        row = self.turn_list.currentRow()
        if 0 <= row < len(self.turns):
            del self.turns[row]
            self._refresh_list(min(row, len(self.turns) - 1))
            self._emit()

    def _move(self, delta: int) -> None:
        row = self.turn_list.currentRow()
        target = row + delta
        if 0 <= row < len(self.turns) and 0 <= target < len(self.turns):
            self.turns[row], self.turns[target] = self.turns[target], self.turns[row]
            self._refresh_list(target)
            self._emit()

    def _emit(self) -> None:
        if not self._loading:
            self.changed.emit()

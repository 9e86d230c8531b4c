"""Customer part of a simulation: segment or attributes, scripted turns with
attachments (and an image preview), persona and goal."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from studio.core.simulation import Attachment, Customer, CustomerTurn

from .json_edit import JsonEdit

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}


class CustomerForm(QWidget):
    changed = Signal()

    def __init__(self, segments: list[str], attachments_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.attachments_dir = attachments_dir
        self.turns: list[CustomerTurn] = []
        self._loading = False
        self.segment = QComboBox()
        self.segment.addItem("(none: use attributes)", None)
        for name in segments:
            self.segment.addItem(name, name)
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
        self.attachment_file = QComboBox()
        self.attachment_file.addItem("(no attachment)", None)
        for path in sorted(attachments_dir.glob("*")) if attachments_dir.is_dir() else []:
            self.attachment_file.addItem(path.name, path.name)
        self.attachment_extracted = QLineEdit()
        self.attachment_extracted.setPlaceholderText('What the offline engine reads from it: {"has_photo": true}')
        self.preview = QLabel()
        self.preview.setFixedHeight(110)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        form = QFormLayout()
        form.addRow("Segment", self.segment)
        form.addRow("Attributes", self.attributes)
        form.addRow("Persona", self.persona)
        form.addRow("Goal", self.goal)
        turn_box = QVBoxLayout()
        turn_box.addWidget(self.turn_list)
        turn_box.addLayout(buttons)
        form.addRow("Script", turn_box)
        form.addRow("Turn text", self.turn_text)
        form.addRow("Attachment", self.attachment_file)
        form.addRow("Extracted", self.attachment_extracted)
        form.addRow("", self.preview)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

        for signal in (self.segment.currentIndexChanged, self.attributes.changed,
                       self.persona.textChanged, self.goal.textChanged):
            signal.connect(self._emit)
        self.turn_list.currentRowChanged.connect(self._show_turn)
        self.turn_text.textChanged.connect(self._turn_edited)
        self.attachment_file.currentIndexChanged.connect(self._turn_edited)
        self.attachment_extracted.textChanged.connect(self._turn_edited)
        self.add_turn.clicked.connect(self._add)
        self.remove_turn.clicked.connect(self._remove)
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))

    def set_segments(self, segments: list[str]) -> None:
        """The project's segments changed (settings dialog); keep the current choice."""
        current = self.segment.currentData()
        self._loading, was = True, self._loading
        self.segment.clear()
        self.segment.addItem("(none: use attributes)", None)
        for name in segments:
            self.segment.addItem(name, name)
        if current and self.segment.findData(current) < 0:
            self.segment.addItem(f"{current} (unknown)", current)
        self.segment.setCurrentIndex(max(self.segment.findData(current), 0))
        self._loading = was

    # -- load / build ---------------------------------------------------------
    def load(self, customer: Customer) -> None:
        self._loading = True
        index = self.segment.findData(customer.segment)
        if index < 0 and customer.segment:
            self.segment.addItem(f"{customer.segment} (unknown)", customer.segment)
            index = self.segment.count() - 1
        self.segment.setCurrentIndex(max(index, 0))
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

    def problems(self) -> list[str]:
        out = [f"attributes: {p}" for p in self.attributes.problems()]
        for i, turn in enumerate(self.turns, 1):
            if not turn.text.strip() and not turn.attachments:
                out.append(f"turn {i} is empty")
        return out

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
        for w in (self.turn_text, self.attachment_file, self.attachment_extracted):
            w.setEnabled(turn is not None)
        self.turn_text.setPlainText(turn.text if turn else "")
        att = turn.attachments[0] if turn and turn.attachments else None
        index = self.attachment_file.findData(att.file) if att else 0
        if att and index < 0:
            self.attachment_file.addItem(f"{att.file} (missing)", att.file)
            index = self.attachment_file.count() - 1
        self.attachment_file.setCurrentIndex(index)
        self.attachment_extracted.setText(json.dumps(att.extracted) if att and att.extracted else "")
        self._preview(att.file if att else None)
        self._loading = loading

    def _turn_edited(self) -> None:
        row = self.turn_list.currentRow()
        if self._loading or not 0 <= row < len(self.turns):
            return
        file = self.attachment_file.currentData()
        attachments = []
        if file:
            try:
                extracted = json.loads(self.attachment_extracted.text() or "{}")
                self.attachment_extracted.setStyleSheet("")
            except json.JSONDecodeError:
                extracted = self.turns[row].attachments[0].extracted if self.turns[row].attachments else {}
                self.attachment_extracted.setStyleSheet("color:#b3261e;")
            attachments = [Attachment(file=file, extracted=extracted if isinstance(extracted, dict) else {})]
        # the form edits the first attachment; further ones (from YAML) are kept as they are
        attachments += self.turns[row].attachments[1:]
        self.turns[row] = CustomerTurn(text=self.turn_text.toPlainText(), attachments=attachments)
        self.turn_list.item(row).setText(self._turn_label(row + 1, self.turns[row]))
        self._preview(file)
        self._emit()

    def _preview(self, file: str | None) -> None:
        path = self.attachments_dir / file if file else None
        if path and path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            pix = QPixmap(str(path))
            self.preview.setPixmap(pix.scaledToHeight(100, Qt.TransformationMode.SmoothTransformation))
        else:
            self.preview.clear()
            self.preview.setText("" if not file else f"{file} (no preview)")

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

"""Plain editors for connectors, knowledge articles and simulations (as YAML / Markdown).

Edits apply as merging ReplaceItems commands once the text parses and
validates; until then the error shows under the editor and nothing changes.
A richer editor for a kind replaces these through `DocumentArea.register_kind`.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget
from pydantic import ValidationError

from studio.core.yaml_io import YamlError, model_to_yaml, parse_yaml

from ..document.project_commands import replace_item
from ..document.session import ProjectSession


class TextItemEditor(QWidget):
    def __init__(self, session: ProjectSession, kind: str, item_id: str, parent=None):
        super().__init__(parent)
        self.session, self.kind, self.item_id = session, kind, item_id
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        self.heading = QLabel(f"{kind.capitalize()} · {item_id}")
        self.heading.setObjectName("InspectorTitle")
        layout.addWidget(self.heading)
        self.title_edit = None
        if kind == "knowledge":
            self.title_edit = QLineEdit()
            self.title_edit.setPlaceholderText("Title")
            self.title_edit.textEdited.connect(lambda _t: self._apply())
            layout.addWidget(self.title_edit)
        self.text = QPlainTextEdit()
        font = QFont("monospace")
        font.setStyleHint(QFont.Monospace)
        self.text.setFont(font)
        layout.addWidget(self.text, 1)
        self.status = QLabel()
        self.status.setObjectName("Muted")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self._timer = QTimer(self, singleShot=True, interval=400)
        self._timer.timeout.connect(self._apply)
        self.text.textChanged.connect(lambda: None if self._loading else self._timer.start())
        self.refresh()
        session.item_changed.connect(self._on_item)

    def title(self) -> str:
        return self.item_id

    def dispose(self) -> None:
        self.session.item_changed.disconnect(self._on_item)

    def _on_item(self, kind: str, item_id: str) -> None:
        if (kind, item_id) == (self.kind, self.item_id):
            self.refresh()

    def _render(self, item) -> str:
        """The file's text with the designer's comments (the plain dump only for a new item)."""
        if self.kind == "knowledge":
            return item.body
        return self.session.current_text((self.kind, self.item_id)) or model_to_yaml(item)

    def refresh(self) -> None:
        item = self.session.get(self.kind, self.item_id)
        if item is None:
            self.status.setText("This item no longer exists.")
            self.setEnabled(False)
            return
        self.setEnabled(True)
        self._loading = True
        try:
            if self.title_edit is not None and self.title_edit.text() != item.title:
                self.title_edit.setText(item.title)
            text = self._render(item)
            current = self._parse(self.text.toPlainText())
            if current is None or current != item:
                self.text.setPlainText(text)
        finally:
            self._loading = False

    def _parse(self, text: str):
        item = self.session.get(self.kind, self.item_id)
        if item is None:
            return None
        if self.kind == "knowledge":
            title = self.title_edit.text() if self.title_edit else item.title
            return type(item)(id=item.id, title=title, body=text)
        try:
            data, _ = parse_yaml(text)
            return type(item).model_validate(data)
        except (YamlError, ValidationError, TypeError):
            return None

    def _apply(self) -> None:
        item = self.session.get(self.kind, self.item_id)
        text = self.text.toPlainText()
        if self.kind != "knowledge":
            try:
                data, _ = parse_yaml(text)
                new = type(item).model_validate(data)
            except YamlError as exc:
                self.status.setText(f"line {exc.line}: {exc.message}")
                return
            except ValidationError as exc:
                self.status.setText(str(exc).splitlines()[0] + ": " + exc.errors()[0]["msg"])
                return
            if getattr(new, "id", self.item_id) != self.item_id:
                self.status.setText("Rename items from the project tree, not by editing the id.")
                return
        else:
            new = self._parse(text)
        self.status.setText("")
        if new != item:
            self.session.push(replace_item(self.session, self.kind, self.item_id, new))

"""What the document area shows when no document is open: a start page on a first
run (open a sample, new project, open a project, recent projects) and, in a
project with nothing open, the way to a new procedure and its templates."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from studio.core.procedure_templates import TEMPLATES


class StartPage(QWidget):
    sample_requested = Signal(str)         # sample name
    new_project_requested = Signal()
    open_requested = Signal()
    recent_requested = Signal(str)         # project folder
    new_procedure_requested = Signal(str)  # template id ("" asks)

    def __init__(self, area: QWidget):
        super().__init__(area)
        self.setObjectName("start-page")
        self.setAutoFillBackground(True)
        self.area = area
        self.title = QLabel()
        self.title.setObjectName("InspectorTitle")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setObjectName("Muted")
        self.buttons = QVBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName("start-list")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(3)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        column = QVBoxLayout(self)
        column.setContentsMargins(48, 40, 48, 24)
        column.addWidget(self.title)
        column.addWidget(self.text)
        column.addSpacing(8)
        column.addLayout(self.buttons)
        column.addSpacing(8)
        column.addWidget(self.list, 1)
        self.filler = QWidget()               # takes the room when there is no list
        column.addWidget(self.filler, 1)
        area.installEventFilter(self)
        self.mode = ""

    # -- contents ------------------------------------------------------------------
    def _clear_buttons(self) -> None:
        while self.buttons.count():
            item = self.buttons.takeAt(0)
            if item.widget():             # hidden now: deleteLater waits for the event loop
                item.widget().hide()
                item.widget().deleteLater()

    def _button(self, text: str, slot, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        button.setMinimumWidth(button.sizeHint().width() + 24)
        self.buttons.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        return button

    def show_start(self, samples: list[str], recent: list[str]) -> None:
        """No project open: samples, new, open, recent."""
        self.mode = "start"
        self.title.setText("Welcome to Procedure Studio")
        self.text.setText("Write the procedures your AI agent follows and test them with simulations, "
                          "all offline. Start from a sample, a new project, or a recent one.")
        self._clear_buttons()
        for sample in samples:
            self._button(f"Open the {sample} sample", lambda _=False, s=sample: self.sample_requested.emit(s),
                         f"sample-{sample}")
        self._button("New project…", self.new_project_requested.emit, "start-new-project")
        self._button("Open project…", self.open_requested.emit, "start-open")
        self.list.clear()
        for path in recent:
            item = QListWidgetItem(f"{Path(path).name}    {path}")
            item.setData(Qt.ItemDataRole.UserRole, ("recent", path))
            self.list.addItem(item)
        self.list.setVisible(bool(recent))
        self.filler.setVisible(not recent)
        self._place()

    def show_project(self, name: str, procedures: int) -> None:
        """A project is open and no document: new procedure, from a template."""
        self.mode = "project"
        self.title.setText(name)
        self.text.setText("No procedure yet: create one from a template below."
                          if not procedures else
                          "Open a procedure from the project tree, or create a new one from a template.")
        self._clear_buttons()
        self._button("New procedure…", lambda _=False: self.new_procedure_requested.emit(""),
                     "start-new-procedure")
        self.list.clear()
        for template in TEMPLATES:
            item = QListWidgetItem(f"{template.title}\n    {template.description}")
            item.setData(Qt.ItemDataRole.UserRole, ("template", template.id))
            self.list.addItem(item)
        self.list.setVisible(True)
        self.filler.setVisible(False)
        self._place()

    def _activated(self, item: QListWidgetItem) -> None:
        kind, value = item.data(Qt.ItemDataRole.UserRole)
        if kind == "recent":
            self.recent_requested.emit(value)
        else:
            self.new_procedure_requested.emit(value)

    # -- placement: covers the document area while it has no tabs -------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.area and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        self.setGeometry(self.area.rect())
        self.raise_()

    def update_visible(self) -> None:
        self.setVisible(self.area.count() == 0)
        if self.isVisible():
            self._place()

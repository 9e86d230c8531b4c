"""Every attachment of one scripted customer turn: a small list with add and remove,
a file picker over the project's `attachments/` folder with an image preview, and
the fields the offline engine reads from the file (`extracted`) as a name/value table."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from studio.core.simulation import Attachment

from .kv_table import KeyValueTable

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}
EXTRACTED_HINT = "What the offline engine reads from the file, e.g. has_photo = true"


class AttachmentsEditor(QWidget):
    changed = Signal()

    def __init__(self, attachments_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.attachments_dir = attachments_dir
        self.items: list[Attachment] = []
        self._loading = False
        self.list = QListWidget()
        self.list.setMaximumHeight(72)
        self.add_button = QPushButton("Add attachment")
        self.remove_button = QPushButton("Remove")
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        self.file = QComboBox()
        self.file.setToolTip(f"Files in {attachments_dir}")
        self.preview = QLabel()
        self.preview.setFixedHeight(110)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.extracted = KeyValueTable("Field", "Value", EXTRACTED_HINT)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.detail = QWidget()
        form = QFormLayout(self.detail)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("File", self.file)
        form.addRow("", self.preview)
        form.addRow("Extracted", self.extracted)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.detail)
        self.list.currentRowChanged.connect(self._show)
        self.file.currentIndexChanged.connect(self._edited)
        self.extracted.changed.connect(self._edited)
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove)
        self.load([])

    # -- content ----------------------------------------------------------------------
    def folder_files(self) -> list[str]:
        folder = self.attachments_dir
        return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []

    def set_suggestions(self, names: list[str]) -> None:
        self.extracted.set_suggestions(names)

    def load(self, attachments: list[Attachment], select: int = 0) -> None:
        """Show a turn's attachments (the folder is listed again: files may have been added)."""
        self._loading = True
        self.items = [a.model_copy(deep=True) for a in attachments]
        self.file.blockSignals(True)
        self.file.clear()
        for name in self.folder_files():
            self.file.addItem(name, name)
        self.file.blockSignals(False)
        self._refresh(min(select, len(self.items) - 1))
        self._loading = False

    def attachments(self) -> list[Attachment]:
        return [a.model_copy(deep=True) for a in self.items]

    def problems(self) -> list[str]:
        out = []
        files = set(self.folder_files())
        for index, item in enumerate(self.items, 1):
            if not item.file:
                out.append(f"attachment {index} has no file")
            elif item.file not in files:
                out.append(f"{item.file} is not in the attachments folder")
        return out

    def add(self) -> None:
        files = self.folder_files()
        taken = {a.file for a in self.items}
        file = next((f for f in files if f not in taken), files[0] if files else "")
        self.items.append(Attachment(file=file))
        self._refresh(len(self.items) - 1)
        self.changed.emit()

    def remove(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.items):
            del self.items[row]
            self._refresh(min(row, len(self.items) - 1))
            self.changed.emit()

    def current(self) -> Attachment | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    # -- internals ---------------------------------------------------------------------
    def _label(self, item: Attachment) -> str:
        fields = ", ".join(item.extracted) if item.extracted else "nothing extracted"
        missing = "" if item.file in self.folder_files() else "  (missing)"
        return f"{item.file or '(no file)'}{missing}  ·  {fields}"

    def _refresh(self, select: int) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for item in self.items:
            QListWidgetItem(self._label(item), self.list)
        self.list.blockSignals(False)
        self.list.setCurrentRow(select)
        self._show(select)

    def _show(self, row: int) -> None:
        loading, self._loading = self._loading, True
        item = self.items[row] if 0 <= row < len(self.items) else None
        self.detail.setEnabled(item is not None)
        self.remove_button.setEnabled(item is not None)
        self.file.blockSignals(True)
        index = self.file.findData(item.file) if item else -1
        if item and item.file and index < 0:
            self.file.addItem(f"{item.file} (missing)", item.file)
            index = self.file.count() - 1
        self.file.setCurrentIndex(index)
        self.file.blockSignals(False)
        self.extracted.load(dict(item.extracted) if item else {})
        self._preview(item.file if item else None)
        self._loading = loading

    def _edited(self) -> None:
        row = self.list.currentRow()
        if self._loading or not 0 <= row < len(self.items):
            return
        self.items[row] = Attachment(file=self.file.currentData() or "",
                                     extracted=self.extracted.values())
        self.list.item(row).setText(self._label(self.items[row]))
        self._preview(self.items[row].file)
        self.changed.emit()

    def _preview(self, file: str | None) -> None:
        path = self.attachments_dir / file if file else None
        if path and path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            pix = QPixmap(str(path))
            self.preview.setPixmap(pix.scaledToHeight(100, Qt.TransformationMode.SmoothTransformation))
        else:
            self.preview.clear()
            self.preview.setText("" if not file else f"{file} (no preview)")

"""Every attachment of one scripted customer turn: a small list with add and remove,
a file picker over the project's `attachments/` folder with an image preview (Browse…
copies a file from anywhere into that folder), and the fields the offline engine reads
from the file (`extracted`) as a name/value table."""
from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from studio.core.simulation import Attachment

from ...prompts import Prompts
from .kv_table import KeyValueTable
from .form_problems import Problem, problem

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}
EXTRACTED_HINT = "What the offline engine reads from the file, e.g. has_photo = true"


class AttachmentsEditor(QWidget):
    changed = Signal()

    def __init__(self, attachments_dir: Path, parent: QWidget | None = None,
                 prompts: Prompts | None = None):
        super().__init__(parent)
        self.attachments_dir = attachments_dir
        self.prompts = prompts or Prompts(self)
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
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setAutoDefault(False)
        self.browse_button.setToolTip("Copy a file from anywhere into the project's attachments "
                                      "folder and use it here")
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
        file_row = QHBoxLayout()
        file_row.setContentsMargins(0, 0, 0, 0)
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.browse_button)
        form.addRow("File", file_row)
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
        self.browse_button.clicked.connect(self.browse)
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

    def problems(self) -> list[Problem]:
        out = []
        files = set(self.folder_files())
        for index, item in enumerate(self.items, 1):
            if not item.file:
                out.append(problem("attachment-without-file", f"attachment {index} has no file"))
            elif item.file not in files:
                out.append(problem("attachment-missing", f"{item.file} is not in the attachments folder"))
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

    def browse(self) -> str | None:
        """Pick a file anywhere, copy it into the attachments folder and use it for the
        selected attachment (a new one when none is selected). The copied name or None."""
        chosen = self.prompts.open_file("Attach a file")
        if not chosen or not Path(chosen).is_file():
            return None
        name = self.import_file(Path(chosen))
        if name is None:
            return None
        row = self.list.currentRow()
        if not 0 <= row < len(self.items):
            self.items.append(Attachment(file=name))
            row = len(self.items) - 1
        else:
            self.items[row] = Attachment(file=name, extracted=dict(self.items[row].extracted))
        self.load(self.items, select=row)
        self.changed.emit()
        return name

    def import_file(self, source: Path) -> str | None:
        """Copy `source` into the folder, keeping its name; a different file of that name
        is replaced only when the user says so, otherwise the copy gets a free name."""
        folder = self.attachments_dir
        target = folder / source.name
        if source.resolve() == target.resolve():
            return source.name
        if target.exists():
            if filecmp.cmp(source, target, shallow=False):
                return target.name             # the same file is already there
            answer = self.prompts.yes_no_cancel(
                "File already attached",
                f"attachments/{target.name} already exists and is a different file. Replace it?"
                "\n\nNo keeps both: the new file is copied under a free name.")
            if answer == "cancel":
                return None
            if answer == "no":
                target = free_name(folder, source.name)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return target.name

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


def free_name(folder: Path, name: str) -> Path:
    """`name` with -2, -3 … before the suffix until no file in `folder` has it."""
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while (folder / f"{stem}-{n}{suffix}").exists():
        n += 1
    return folder / f"{stem}-{n}{suffix}"

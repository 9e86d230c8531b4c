"""Every question the app asks the user, in one replaceable object (tests answer it)."""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget


class Prompts:
    def __init__(self, parent: QWidget | None = None):
        self.parent = parent

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        dialog = QInputDialog(self.parent)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextValue(text)
        dialog.setMinimumWidth(max(380, 12 * len(title)))    # a title is read, never elided
        ok = dialog.exec() == QInputDialog.DialogCode.Accepted
        value = dialog.textValue()
        return value.strip() if ok and value.strip() else None

    def new_procedure(self) -> tuple[str, str] | None:
        """(name, template id) for a new procedure, or None when cancelled."""
        from .dialogs.new_procedure import NewProcedureDialog
        dialog = NewProcedureDialog(self.parent)
        if dialog.exec() != NewProcedureDialog.DialogCode.Accepted:
            return None
        name, template = dialog.choice()
        return (name, template) if name else None

    def confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self.parent, title, text) == QMessageBox.Yes

    def yes_no_cancel(self, title: str, text: str) -> str:
        """"yes", "no" or "cancel"."""
        answer = QMessageBox.question(self.parent, title, text,
                                      QMessageBox.Yes | QMessageBox.No | QMessageBox.Cancel)
        return {QMessageBox.Yes: "yes", QMessageBox.No: "no"}.get(answer, "cancel")

    def save_discard_cancel(self, title: str, text: str) -> str:
        """"save", "discard" or "cancel"."""
        answer = QMessageBox.question(self.parent, title, text,
                                      QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel)
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def offer_recovery(self, files: list[str]) -> bool:
        listing = "\n".join(f"  • {f}" for f in files[:12])
        return self.confirm("Recover unsaved changes?",
                            "Procedure Studio did not close normally. Unsaved changes to these "
                            f"files were kept:\n\n{listing}\n\nRestore them? (They stay unsaved "
                            "until you save.)")

    def external_change(self, rel: str, dirty: bool) -> bool:
        """True: reload the file from disk."""
        extra = " Your unsaved changes to it will be lost." if dirty else ""
        return self.confirm("File changed on disk",
                            f"{rel} was changed outside Procedure Studio. Reload it?{extra}")

    def error(self, title: str, text: str) -> None:
        QMessageBox.critical(self.parent, title, text)

    def open_folder(self, title: str) -> str | None:
        return QFileDialog.getExistingDirectory(self.parent, title) or None

    def save_file(self, title: str, name: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, title, name, filters)
        return path or None

    def open_file(self, title: str, filters: str = "All files (*)") -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, "", filters)
        return path or None

    def choose(self, title: str, label: str, items: list[str]) -> str | None:
        value, ok = QInputDialog.getItem(self.parent, title, label, items, 0, False)
        return value if ok else None

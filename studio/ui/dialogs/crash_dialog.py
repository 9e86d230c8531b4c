"""The dialog an unhandled error shows instead of the app vanishing: what went wrong,
"Copy details" for a bug report, and where the logs are. ErrorReporter is the
bridge diagnostics.install() calls from any thread; the dialog opens on the GUI
thread, and later errors while it is open are added to it, not stacked."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QtMsgType, QUrl, Signal, qInstallMessageHandler
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
                               QPlainTextEdit, QPushButton, QStyle, QVBoxLayout, QWidget)

from .. import diagnostics


def open_log_folder() -> None:
    folder = diagnostics.log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class CrashDialog(QDialog):
    def __init__(self, summary: str, details: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("crash-dialog")
        self.setWindowTitle("Procedure Studio: unexpected error")
        self.errors = 1
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(40, 40))
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = summary
        self._set_heading()
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.heading, 1)
        self.details = QPlainTextEdit(details)
        self.details.setObjectName("crash-details")
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        folder = diagnostics.log_dir()
        self.where = QLabel(f"The log and the crash log are in <b>{folder}</b>")
        self.where.setObjectName("crash-log-folder")
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setToolTip("Copy the error, its traceback and the versions, for a bug report")
        self.copy_button.clicked.connect(self.copy_details)
        self.folder_button = QPushButton("Open log folder")
        self.folder_button.clicked.connect(open_log_folder)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        close.setDefault(True)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.where)
        layout.addWidget(buttons)
        self.resize(720, 440)

    def _set_heading(self) -> None:
        more = f" ({self.errors - 1} more since, below)" if self.errors > 1 else ""
        self.heading.setText(
            f"<b>Something went wrong: {_escape(self.summary)}</b>{more}<br>"
            "Your open documents are still here: save your work. Autosave keeps a copy "
            "if the app has to close. Please send the details below with a bug report.")

    def add(self, summary: str, details: str) -> None:
        """Another error while this dialog is open: append it instead of a second dialog."""
        self.errors += 1
        self._set_heading()
        self.details.appendPlainText("\n" + "-" * 60 + "\n" + details)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText("Copied")


class ErrorReporter(QObject):
    """Called by diagnostics from any thread; shows the dialog on the GUI thread."""
    reported = Signal(str, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.dialog: CrashDialog | None = None
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def __call__(self, summary: str, details: str) -> None:
        self.reported.emit(summary, details)

    def _show(self, summary: str, details: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add(summary, details)
            return
        self.dialog = CrashDialog(summary, details, QApplication.activeWindow())
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.dialog.open()                # window-modal, and the event loop goes on
        self.dialog.raise_()


def log_qt_messages():
    """Qt's own warnings (a missing icon file, a bad stylesheet) go into studio.log too;
    returns the handler it replaced."""
    levels = {QtMsgType.QtDebugMsg: 10, QtMsgType.QtInfoMsg: 20, QtMsgType.QtWarningMsg: 30,
              QtMsgType.QtCriticalMsg: 40, QtMsgType.QtFatalMsg: 50}
    qt_log = diagnostics.log.getChild("qt")

    def handler(kind, context, message):
        qt_log.log(levels.get(kind, 30), "%s", message)
        if kind != QtMsgType.QtDebugMsg:
            import sys
            if sys.__stderr__ is not None:
                print(message, file=sys.__stderr__)
    return qInstallMessageHandler(handler)


def install(app: QApplication) -> None:
    """Crash log, app log, Qt messages and the error dialog, for the running app."""
    reporter = ErrorReporter(app)
    reporter.evidence = diagnostics.install(reporter)    # the app's, for its whole life
    log_qt_messages()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

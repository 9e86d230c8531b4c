"""Crash evidence: a hard crash leaves the stack in crash.log, every unhandled error is
logged and shown in a dialog (Copy details, where the logs are) instead of the app
vanishing, Qt's warnings reach the log, and Help → About tells the versions."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest
from PySide6.QtCore import QTimer, qWarning
from PySide6.QtGui import QGuiApplication

from studio import __version__
from studio.ui import diagnostics
from studio.ui.dialogs.crash_dialog import ErrorReporter, log_qt_messages

from test_ui_support import demo_project, open_window, studio_home  # noqa: F401

pytestmark = pytest.mark.gui


@pytest.fixture
def installed(studio_home, qtbot):
    """diagnostics installed with the real dialog reporter, logs under the test's home."""
    reporter = ErrorReporter()
    evidence = diagnostics.install(reporter, capture_stderr=False)   # pytest keeps its capture
    yield evidence.folder, reporter
    evidence.close()                       # this run's hooks and logs, not module state
    if reporter.dialog is not None:
        reporter.dialog.close()


def test_logs_live_in_the_user_log_folder(studio_home, monkeypatch):
    assert diagnostics.log_dir() == studio_home / "logs"
    monkeypatch.delenv("STUDIO_HOME")
    import platformdirs
    assert diagnostics.log_dir() == __import__("pathlib").Path(
        platformdirs.user_log_dir("procedure-studio", appauthor=False))


def test_a_hard_crash_leaves_the_stack_in_the_crash_log(tmp_path):
    script = textwrap.dedent(f"""
        import os, faulthandler
        os.environ["STUDIO_HOME"] = {str(tmp_path)!r}
        from studio.ui import diagnostics
        diagnostics.install()
        def paint_the_flowchart():
            faulthandler._sigsegv()
        paint_the_flowchart()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    crash = (tmp_path / "logs" / "crash.log").read_text()
    assert "started: Procedure Studio" in crash and "Segmentation fault" in crash
    assert "paint_the_flowchart" in crash                  # the Python stack, where it died


def test_a_fatal_python_error_leaves_its_stack_in_the_crash_log_too(tmp_path):
    """Python's fatal errors (the none_dealloc abort users saw) bypass faulthandler and
    write to stderr only: stderr is copied into crash.log, and still reaches the terminal."""
    script = textwrap.dedent(f"""
        import ctypes, os
        os.environ["STUDIO_HOME"] = {str(tmp_path)!r}
        from studio.ui import diagnostics
        diagnostics.install()
        def draw_branches():
            ctypes.pythonapi.Py_FatalError(b"none_dealloc: deallocating None (simulated)")
        draw_branches()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    crash = (tmp_path / "logs" / "crash.log").read_text()
    assert "Fatal Python error: none_dealloc" in crash and "draw_branches" in crash
    assert "Fatal Python error: none_dealloc" in done.stderr          # the terminal sees it too


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_opens_the_dialog_and_is_logged(installed, qtbot):
    folder, reporter = installed

    def on_click():
        raise ValueError("the checkpoint note broke")
    QTimer.singleShot(0, on_click)
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible(), timeout=5000)
    dialog = reporter.dialog
    assert "the checkpoint note broke" in dialog.heading.text()
    details = dialog.details.toPlainText()
    assert "Traceback" in details and "on_click" in details and f"Procedure Studio: {__version__}" in details
    assert str(folder) in dialog.where.text()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == details
    log = (folder / "studio.log").read_text()
    assert "unhandled error in the main thread" in log and "ValueError: the checkpoint note broke" in log


def test_an_error_in_another_thread_reaches_the_same_dialog(installed, qtbot):
    folder, reporter = installed
    reporter("KeyError: first", "first details")
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible(), timeout=5000)
    worker = threading.Thread(target=lambda: {}["missing"], name="run-all")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: reporter.dialog.errors == 2, timeout=5000)   # added, not a second dialog
    assert "1 more since" in reporter.dialog.heading.text()
    assert "thread 'run-all'" in reporter.dialog.details.toPlainText()
    assert "KeyError: 'missing'" in (folder / "studio.log").read_text()


def test_the_app_log_rotates_instead_of_growing_without_end(installed):
    folder, _ = installed
    line = "x" * 1000
    for _ in range(diagnostics.LOG_BYTES // 1000 + 100):
        diagnostics.log.info(line)
    assert (folder / "studio.log.1").is_file()                   # the old part moved aside
    assert (folder / "studio.log").stat().st_size < diagnostics.LOG_BYTES


def test_qt_warnings_go_to_the_log(installed):
    folder, _ = installed
    previous = log_qt_messages()
    try:
        qWarning("qt.svg: Cannot open file 'close.svg'")
    finally:
        from PySide6.QtCore import qInstallMessageHandler
        qInstallMessageHandler(previous)
    assert "Cannot open file 'close.svg'" in (folder / "studio.log").read_text()


def test_help_about_shows_versions_and_the_log_folder(qtbot, demo_project, studio_home):
    import PySide6
    from PySide6.QtCore import qVersion
    win = open_window(qtbot, demo_project)
    assert "About Procedure Studio" in [a.text().replace("&", "") for a in win.help_menu.actions()]
    win.actions_["about"].trigger()
    dialog = win.about_dialog
    qtbot.waitUntil(dialog.isVisible)
    shown = {name: label.text() for name, label in dialog.values.items()}
    assert shown["Procedure Studio"] == __version__ and shown["Qt"] == qVersion()
    assert shown["PySide6"] == PySide6.__version__ and shown["Python"].startswith(
        ".".join(map(str, sys.version_info[:3])))
    assert shown["Logs"] == str(studio_home / "logs")
    dialog.copy_button.click()
    assert f"PySide6: {PySide6.__version__}" in QGuiApplication.clipboard().text()
    dialog.close()


def test_crash_evidence_is_an_object_the_app_owns_not_module_state(studio_home):
    first = diagnostics.install(capture_stderr=False)
    try:
        assert diagnostics.install(capture_stderr=False) is first     # one per process at a time
        assert sys.excepthook == first._excepthook and not hasattr(diagnostics, "_state")
    finally:
        first.close()
    assert sys.excepthook != first._excepthook and first.closed
    second = diagnostics.install(capture_stderr=False)
    try:
        assert second is not first
    finally:
        second.close()

"""Start the desktop app: QApplication, theme, main window, the project to open.

Imports only Qt and the editor here; nothing heavy (no litellm, no pyqtgraph)
comes in before the first paint.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication


def process_age() -> float:
    """Seconds since this process started (Linux /proc), else since this module loaded."""
    try:
        import os
        with open("/proc/self/stat") as handle:
            start_ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as handle:
            uptime = float(handle.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _LOADED


_LOADED = time.perf_counter()


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("Procedure Studio")
        app.setOrganizationName("procedure-studio")
    from . import app_settings, theme
    stored = app_settings.settings().value("theme", "system")
    theme.apply_theme(app, {"dark": True, "light": False}.get(stored))
    return app


def run(project: Path | None, smoke: bool = False) -> int:
    """Open the window on `project` (None: last project or the sample). Returns the exit code."""
    started = time.perf_counter()
    app = make_app()
    from .dialogs import crash_dialog
    crash_dialog.install(app)          # crash log, app log, and a dialog instead of vanishing
    from . import app_settings
    from .main_window import MainWindow
    window = MainWindow()
    target = project if project is not None else app_settings.startup_project()
    if target is not None:
        window.controller.open(target)   # raises on a path that is not a project
    window.show()
    if smoke:
        app.processEvents()
        image = window.grab()
        if image.isNull():
            raise RuntimeError("the main window did not paint")
        painted = process_age()
        cpu = time.process_time()        # CPU seconds: what a busy machine does not inflate
        heavy = [m for m in ("litellm", "pyqtgraph") if m in sys.modules]
        print(f"first paint: {painted * 1000:.0f} ms after process start "
              f"({(time.perf_counter() - started) * 1000:.0f} ms in the app, "
              f"{cpu * 1000:.0f} ms CPU); "
              f"heavy modules loaded: {', '.join(heavy) or 'none'}")
        window.controller.close(ask=False)
        window.close()
        return 0
    return app.exec()

"""Re-take the README screenshots from the real app on a fresh copy of the sample.

    xvfb-run -s "-screen 0 1600x1000x24" python docs/screenshots/take_screenshots.py

Writes editor.png (the procedure editor), runner.png (a run with one turn's
reasoning expanded), simulation-editor.png (a turn's attachments beside the
expected variables and connector calls) and library.png (the library after two
runs, the regression first in the diff) next to this file. Settings live in a throw-away STUDIO_HOME.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
os.environ["STUDIO_HOME"] = tempfile.mkdtemp(prefix="studio-shots-")


def wait(ms: int = 200) -> None:
    from PySide6.QtCore import QElapsedTimer, QEventLoop
    from PySide6.QtWidgets import QApplication
    clock = QElapsedTimer()
    clock.start()
    while clock.elapsed() < ms:
        QApplication.instance().processEvents(QEventLoop.AllEvents, 20)
        time.sleep(0.005)


def until(condition, ms: int = 30000) -> None:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > ms / 1000:
            raise TimeoutError("the app did not get there in time")
        wait(20)


def simulation_editor_shot(panels, path: Path) -> None:
    """The simulation editor twice, side by side: the customer's photo turn and the
    expectations scrolled to the variables and connector calls."""
    from PySide6.QtGui import QColor, QPainter, QPixmap
    editor = panels.editor
    simulation = panels.project.simulations["damaged-photo-full-refund"]
    panels.open_simulation(simulation.name, simulation)
    editor.setParent(None)
    editor.resize(760, 930)
    editor.show()
    wait(300)
    editor.tabs.setCurrentIndex(0)
    editor.customer.turn_list.setCurrentRow(2)
    wait(300)
    left = editor.grab()
    editor.tabs.setCurrentIndex(2)
    wait(200)
    editor.tabs.currentWidget().ensureWidgetVisible(editor.expect.calls, 0, 0)
    editor.tabs.currentWidget().ensureWidgetVisible(editor.expect.variables, 0, 40)
    wait(300)
    right = editor.grab()
    gap = 12
    canvas = QPixmap(left.width() + gap + right.width(), max(left.height(), right.height()))
    canvas.fill(QColor("#d5dbe1"))
    painter = QPainter(canvas)
    painter.drawPixmap(0, 0, left)
    painter.drawPixmap(left.width() + gap, 0, right)
    painter.end()
    canvas.save(str(path))
    editor.hide()


def main() -> int:
    project = Path(tempfile.mkdtemp(prefix="studio-sample-")) / "food-delivery"
    subprocess.run([sys.executable, "-m", "studio", "new", str(project), "--sample", "food-delivery"],
                   check=True, cwd=ROOT, capture_output=True)
    from studio.ui import theme
    from studio.ui.app import make_app
    from studio.ui.main_window import MainWindow
    app = make_app()
    theme.apply_theme(app, False)
    window = MainWindow()
    window.controller.open(project)
    window.resize(1600, 1000)
    window.show()
    wait(500)

    editor = window.open_item("procedure", "damaged-order")
    window.docks["problems"].raise_()
    wait(200)                         # the editor as it opens: default split, legible chart
    editor.select_step("eligible")
    wait(400)
    window.grab().save(str(HERE / "editor.png"))

    host = window.panels_host
    host.docks["runner"].raise_()
    until(lambda: host.ensure_built() is not None)
    panels = host.panels
    runner = panels.runner
    simulation = panels.project.simulations["damaged-photo-full-refund"]
    panels.open_simulation(simulation.name, simulation)
    runner.run()
    until(lambda: not runner.is_running())
    runner.setParent(None)
    runner.resize(1500, 930)
    runner.show()
    wait(300)
    runner.transcript.agent_bubbles()[1].set_expanded(True)
    wait(300)
    runner.transcript.verticalScrollBar().setValue(0)
    wait(200)
    runner.grab().save(str(HERE / "runner.png"))
    simulation_editor_shot(panels, HERE / "simulation-editor.png")

    library = panels.library_view
    library.setParent(None)
    library.resize(1500, 930)
    library.show()
    wait(300)
    library.run(None)
    until(lambda: not library.is_running())
    editor.select_step("amount")      # a designer halves the refund without a photo to 40 %
    window.inspector.step_form.fields["code"].setPlainText(
        "refund = round(order.total * (1.0 if has_photo else 0.4), 2)")
    wait(600)
    window.actions_["save_all"].trigger()
    wait(300)
    library.run(None)
    until(lambda: not library.is_running())
    wait(500)
    from PySide6.QtCore import Qt
    library.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
    library.table.clearSelection()
    wait(300)
    library.grab().save(str(HERE / "library.png"))
    window.controller.close(ask=False)
    shutil.rmtree(project.parent, ignore_errors=True)
    print("written:", ", ".join(str(HERE / n) for n in ("editor.png", "runner.png", "simulation-editor.png", "library.png")))
    return 0


if __name__ == "__main__":
    sys.exit(main())

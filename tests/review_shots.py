"""Screenshots of the Review screen and its dialogs for docs/screenshots (run under xvfb):
`xvfb-run -a -s "-screen 0 1600x1000x24" python tests/review_shots.py`."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
# a first start: the window's layout saved by an earlier session (settings.ini) stays out
os.environ.setdefault("STUDIO_HOME", tempfile.mkdtemp(prefix="studio-review-shots-"))


def wait(app, predicate, ms=20000):
    import time
    end = time.monotonic() + ms / 1000
    while not predicate() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        app.processEvents()


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    from studio.cli import main as studio
    from studio.core.project import load_project
    from studio.library import Library
    from studio.ui.review.approve_dialog import ApproveDialog
    from studio.ui.review.export_dialog import ExportDialog
    from studio.ui.review.review_screen import ReviewScreen
    from studio.ui.theme import apply_theme
    apply_theme(app, dark=False)
    tmp = Path(tempfile.mkdtemp())
    root = tmp / "food-delivery"
    shutil.copytree(ROOT / "sample_projects" / "food-delivery", root)
    studio(["run-all", str(root), "--quiet"])
    for proc in ("damaged-order", "complaints"):
        studio(["approve", str(root), proc])
    path = root / "procedures" / "damaged-order.yaml"
    text = path.read_text().replace("when: refund > 50", "when: refund > 80")
    text = text.replace("  - id: lookup\n", "  - id: greet\n    kind: instruction\n"
                        "    text: Greet the customer by name.\n  - id: lookup\n", 1)
    path.write_text(text)
    studio(["run-all", str(root), "--quiet"])
    from studio.ui.main_window import MainWindow
    window = MainWindow()
    window.controller.open(root)
    window.resize(1600, 1000)
    window.show()
    wait(app, lambda: True, 1000)               # painted once, as before a user's first click
    window.review_host.show()                   # Review > Show review: the dock grows to fit
    screen = window.review_host.ensure_built()
    wait(app, lambda: screen.diff.diff is not None and not screen.is_busy())
    wait(app, lambda: True, 500)
    app.primaryScreen().grabWindow(window.winId()).save(str(OUT / "review-main-window.png"))
    window.controller.close(ask=False)
    project = load_project(root)
    with Library.open(root) as lib:
        for size in ((1600, 1000), (1280, 800)):
            screen = ReviewScreen(project, lambda: lib)
            screen.resize(*size)
            screen.show()
            screen.refresh()
            wait(app, lambda: screen.diff.diff is not None and not screen.is_busy())
            for item in range(screen.procedures.topLevelItemCount()):
                if screen.procedures.topLevelItem(item).text(0) == "damaged-order":
                    screen.procedures.setCurrentItem(screen.procedures.topLevelItem(item))
            wait(app, lambda: not screen.is_busy())
            wait(app, lambda: True, 200)
            screen.grab().save(str(OUT / f"review-{size[0]}x{size[1]}.png"))
            screen.shutdown()
            screen.close()
        import json

        from studio.flywheel.importer import import_files
        log = tmp / "conversations.jsonl"        # three production conversations to replay
        log.write_text("".join(json.dumps({"id": f"c-{n}", "started_at": f"2026-11-30T09:1{n}:00Z",
                                           "outcome": "resolved", "messages": [
            {"role": "customer", "text": "My pizza arrived crushed"},
            {"role": "agent", "text": "Sorry! What's the order number?"},
            {"role": "customer", "text": f"FD-12345{n}"}]}) + "\n" for n in range(3)))
        import_files(lib, [log])
        dialog = ApproveDialog(project, lib, "damaged-order")
        dialog.show()
        wait(app, lambda: dialog.check is not None)
        wait(app, lambda: "real conversations." in dialog.shadow.text())
        dialog.grab().save(str(OUT / "review-approve-refused.png"))
        dialog.done(0)
        dialog = ApproveDialog(project, lib, "cancel-order")      # every simulation passed
        dialog.show()
        wait(app, lambda: dialog.check is not None)
        wait(app, lambda: "conversations" in dialog.shadow.text(), 5000)
        dialog.grab().save(str(OUT / "review-approve-evidence.png"))
        dialog.done(0)
        export = ExportDialog(project, lib)
        export.show()
        wait(app, lambda: export.plan is not None)
        export.plan = None
        export.environment.setCurrentText("staging")
        wait(app, lambda: export.plan is not None)
        export.grab().save(str(OUT / "review-export.png"))
        export.done(0)
        from studio.govern.regression import regression_causes
        from studio.library.diff import diff_runs
        from studio.ui.panels.library.diff_view import DiffView
        view = DiffView()                         # the library's regression view, run 1 -> 2
        diff = diff_runs(lib)
        view.set_diff(diff, regression_causes(lib, diff))
        view.expandAll()
        view.resize(1100, 260)
        view.show()
        wait(app, lambda: True, 300)
        view.grab().save(str(OUT / "review-regression-cause.png"))
        view.close()
    print("screenshots in", OUT)


if __name__ == "__main__":
    main()

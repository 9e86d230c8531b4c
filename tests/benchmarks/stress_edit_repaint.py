"""Stress: edit and repaint the real main window for minutes, as a designer would,
and report crashes and None's reference count (the PySide6 6.12.0 / Python 3.11
"none_dealloc" abort happened while typing a checkpoint note and on Ctrl+Z).

    xvfb-run -a -s "-screen 0 1600x1000x24" python3 tests/benchmarks/stress_edit_repaint.py [SECONDS]

Default 300 s. The editing runs in a child process so a hard crash (a signal, a
fatal Python error) is reported with its exit status and the crash log's stack
instead of taking the report down with it. Each round: type into a checkpoint's
note in the inspector (keystroke by keystroke), undo and redo the typing, add a
step of every kind and undo some, select steps, zoom and repaint the flowchart,
and paint the whole window. Not a test (no assertions); exit 1 on a crash or a
None leak.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
KINDS = ("instruction", "condition", "connector", "code", "knowledge", "checkpoint",
         "subprocedure", "switch", "end")


def child(seconds: float) -> int:
    import gc
    import resource

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from studio.ui.app import make_app
    from studio.ui.dialogs import crash_dialog
    from studio.document.demo import write_demo_project
    from studio.ui.main_window import MainWindow

    app = make_app()
    crash_dialog.install(app)
    project = write_demo_project(Path(os.environ["STUDIO_HOME"]) / "project")
    win = MainWindow()
    win.controller.open(project)
    win.resize(1400, 900)
    win.show()
    app.processEvents()
    editor = win.open_item("procedure", "damaged-order")     # branch lanes and a checkpoint
    undo, redo = win.actions_["undo"], win.actions_["redo"]
    counts = dict.fromkeys(("keystrokes", "undo", "redo", "steps_added", "window_paints",
                            "flowchart_paints", "rounds"), 0)
    gc.collect()
    start_none = low_none = sys.getrefcount(None)
    started = last_report = time.monotonic()
    round_ = 0
    while time.monotonic() - started < seconds:
        round_ += 1
        editor.select_step("approve")
        app.processEvents()
        win.inspector.show_step(editor.model.procedure.id, "approve")
        note = win.inspector.step_form.fields["note"]
        note.setFocus()
        note.moveCursor(note.textCursor().MoveOperation.End)
        text = f" round {round_}: refund checked"
        for ch in text:
            QTest.keyClick(note, ch)
            counts["keystrokes"] += 1
            if counts["keystrokes"] % 8 == 0:
                app.processEvents()
        QTest.qWait(350)                           # the field's debounce commits the edit
        for _ in range(3):
            undo.trigger(); counts["undo"] += 1
            app.processEvents()
        for _ in range(2):
            redo.trigger(); counts["redo"] += 1
            app.processEvents()
        kind = KINDS[round_ % len(KINDS)]
        editor.select_step("ask-order")
        editor.insert_step(kind)
        counts["steps_added"] += 1
        if round_ % 3 == 0:                        # keep the procedure from growing forever
            undo.trigger(); counts["undo"] += 1
        for factor in (1.2, 1 / 1.2):
            editor.flowchart.zoom(factor)
            editor.flowchart.viewport().repaint()
            counts["flowchart_paints"] += 1
        win.repaint()
        win.grab()
        counts["window_paints"] += 1
        QTest.keyClick(editor.view, Qt.Key.Key_Down)
        app.processEvents()
        counts["rounds"] = round_
        if time.monotonic() - last_report >= 30:
            gc.collect()
            now = sys.getrefcount(None)
            low_none = min(low_none, now)
            print(f"[{time.monotonic() - started:5.0f} s] round {round_}, None refcount {now} "
                  f"(start {start_none}), steps {len(editor.model.procedure.step_ids())}", flush=True)
            last_report = time.monotonic()
    gc.collect()
    end_none = sys.getrefcount(None)
    low_none = min(low_none, end_none)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"done: {time.monotonic() - started:.0f} s, " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"None refcount: start {start_none}, lowest {low_none}, end {end_none}; "
          f"peak RSS {rss_mb:.0f} MB")
    leaked = start_none - low_none > 1000
    print("None leak: " + ("YES, the Qt binding drops references to None" if leaked else "no"))
    win.controller.close(ask=False)
    return 1 if leaked else 0


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 300.0
    import PySide6
    print(f"stress: {seconds:.0f} s of editing and repainting on Python {sys.version.split()[0]}, "
          f"PySide6 {PySide6.__version__}, QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', '(default)')}, "
          f"DISPLAY={os.environ.get('DISPLAY', '')}", flush=True)
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, STUDIO_HOME=home)
        begun = time.monotonic()
        done = subprocess.run([sys.executable, __file__, "--child", str(seconds)], env=env, cwd=ROOT)
        elapsed = time.monotonic() - begun
        crash_log = Path(home) / "logs" / "crash.log"
        if done.returncode < 0 or done.returncode not in (0, 1):
            print(f"CRASH after {elapsed:.0f} s: exit status {done.returncode}")
            if crash_log.exists():
                print("crash.log:\n" + crash_log.read_text()[-4000:])
            return 1
        errors = Path(home) / "logs" / "studio.log"
        unhandled = errors.read_text().count("unhandled error") if errors.exists() else 0
        print(f"no crash in {elapsed:.0f} s (exit {done.returncode}); unhandled errors logged: {unhandled}")
        return 1 if done.returncode or unhandled else 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.exit(child(float(sys.argv[2])))
    sys.exit(main())

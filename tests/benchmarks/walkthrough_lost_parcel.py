"""The designer's day, driven through the real window (issue 16's "done when"):

    xvfb-run -a -s "-screen 0 1920x1080x24" python tests/benchmarks/walkthrough_lost_parcel.py [--size 1280x800]

From the start page: a new empty project, the `get_order` connector made in its
form and tried with "Test call", the "Lost parcel" procedure built in the editor
and inspector (ask the order number, look it up, IF delivered more than 7 days
ago a code step computes the refund and an approval checkpoint, ELSE hand off
with a note, end resolved), tried down both branches with data in "Try it"
(delivered 10 days ago and approved; delivered 2 days ago), both runs saved as
simulations, run all, a change that breaks one, run all again, and the failed
result's stored transcript opened from the regression, without running again.

Every edit goes through the widgets a designer uses (no YAML, no files written
by hand); the app's questions (folder, names) are answered by a scripted
Prompts, as in the GUI tests. Screenshots go to docs/screenshots/walkthrough/.
Exits 1 with the step that failed when the app does not get there.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STUDIO_HOME", tempfile.mkdtemp(prefix="studio-walkthrough-"))

from studio.ui.prompts import Prompts  # noqa: E402


class Answers(Prompts):
    """The app's questions, answered from a dict (a modal dialog cannot be clicked by a script)."""

    def __init__(self):
        super().__init__(None)
        self.answers: dict[str, object] = {}

    def _get(self, name, default=None):
        value = self.answers.get(name, default)
        return value() if callable(value) else value

    def ask_text(self, title, label, text=""):
        return self._get("ask_text")

    def new_procedure(self):
        return self._get("new_procedure")

    def choose(self, title, label, items):
        return self._get("choose")

    def open_folder(self, title):
        return self._get("open_folder")

    def confirm(self, title, text):
        return True

    def yes_no_cancel(self, title, text):
        return "yes"

    def save_discard_cancel(self, title, text):
        return "save"

    def error(self, title, text):
        raise RuntimeError(f"the app reported an error: {title}: {text}")


def wait(ms: int = 150) -> None:
    from PySide6.QtCore import QElapsedTimer, QEventLoop
    from PySide6.QtWidgets import QApplication
    clock = QElapsedTimer()
    clock.start()
    while clock.elapsed() < ms:
        QApplication.instance().processEvents(QEventLoop.AllEvents, 20)
        time.sleep(0.005)


def until(what: str, condition, ms: int = 30000) -> None:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > ms / 1000:
            raise TimeoutError(f"the app did not get there in time: {what}")
        wait(20)


class Walk:
    def __init__(self, out: Path, size: tuple[int, int]):
        from studio.ui.app import make_app
        from studio.ui.main_window import MainWindow
        self.app = make_app()
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self.prompts = Answers()
        self.win = MainWindow(self.prompts)
        self.win.resize(*size)
        self.win.show()
        wait(300)
        self.shots: list[Path] = []

    def shot(self, name: str) -> None:
        wait(250)
        path = self.out / f"{name}.png"
        self.win.grab().save(str(path))
        self.shots.append(path)
        print(f"  screenshot {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    # -- the inspector, as a designer fills it in ---------------------------------
    @property
    def form(self):
        return self.win.inspector.step_form

    def type_line(self, edit, text: str) -> None:
        edit.setFocus()
        edit.setText(text)
        edit.textEdited.emit(text)
        edit.editingFinished.emit()
        wait(30)

    def type_text(self, edit, text: str) -> None:
        edit.setFocus()
        edit.setPlainText(text)
        wait(30)

    def rename(self, step_id: str) -> str:
        self.type_line(self.form.fields["id"], step_id)
        return step_id

    def insert(self, kind: str, after: str) -> str:
        editor = self.win.current_editor()
        if "#" in after:
            editor.select_keys([after], current=after)
        else:
            editor.select_step(after)
        editor.insert_actions[kind].trigger()
        wait(60)
        return self.form.step_id


def build(walk: Walk, project: Path) -> None:
    win, prompts = walk.win, walk.prompts
    print("1. start page: a new empty project")
    walk.shot("01-start-page")
    prompts.answers.update(choose="Empty project", open_folder=str(project))
    from PySide6.QtWidgets import QPushButton
    win.start_page.findChild(QPushButton, "start-new-project").click()
    until("the new project opens", lambda: win.session is not None)
    walk.shot("02-empty-project")

    print("2. the get_order connector, in its form, with a test call")
    prompts.answers["ask_text"] = "get_order"
    win.actions_["new_connector"].trigger()
    form = win.documents.currentWidget()
    walk.type_line(form.description, "Look up an order by its number.")
    form.add_input("order_id")
    from PySide6.QtCore import Qt
    form.inputs.item(0, 2).setCheckState(Qt.CheckState.Checked)
    walk.type_text(form.sample.edit, json.dumps(
        {"id": "PK-100001", "status": "delivered", "total": 42.5, "hours_since_delivery": 3}, indent=2))
    form.test_inputs.setText('{"order_id": "PK-483920"}')
    form.run_test()
    until("the test call answers", lambda: getattr(form, "last_test", None) is not None)
    assert form.last_test["output"]["id"] == "PK-483920", form.last_test
    walk.shot("03-connector-form")

    print("3. the Lost parcel procedure, from File → New procedure")
    prompts.answers["new_procedure"] = ("Lost parcel", "blank")
    win.actions_["new_procedure"].trigger()
    editor = win.current_editor()
    assert editor is not None and editor.item_id == "lost-parcel"
    win.inspector.tabs.setCurrentIndex(1)                       # the Procedure tab
    pform = win.inspector.procedure_form
    walk.type_text(pform.description, "The customer's parcel has not arrived.")
    walk.type_text(pform.examples, "my parcel never arrived\nmy parcel is lost\nwhere is my parcel")
    pform._add_variable()
    wait(60)
    table = pform.variables
    table.item(0, 0).setText("order_id")
    table.item(0, 4).setText("Order number, like PK-123456")
    table.item(0, 5).setText(r"PK-\d{6}")
    wait(60)
    assert "order_id" in win.session.project.procedures["lost-parcel"].variables
    win.inspector.tabs.setCurrentIndex(0)

    editor.select_step("start")
    walk.rename("ask-order")
    walk.type_text(walk.form.fields["text"], "Say sorry and ask for the order number (it looks like PK-123456).")
    walk.type_line(walk.form.fields["collect"], "order_id")

    walk.insert("connector", "ask-order")
    walk.rename("lookup")
    walk.form.fields["connector"].setCurrentText("get_order")
    wait(60)
    walk.type_text(walk.form.input_edits["order_id"], "{{ order_id }}")
    walk.type_line(walk.form.fields["save_as"], "order")

    late = walk.insert("condition", "lookup")
    late = walk.rename("late")
    walk.type_text(walk.form.branch_edits[0], "order.hours_since_delivery > 7 * 24")

    walk.insert("code", "late#0")
    walk.rename("refund")
    walk.type_text(walk.form.fields["code"], "refund = round(order.total, 2)")
    walk.insert("checkpoint", "refund")
    walk.rename("approve")
    walk.form.fields["mode"].setCurrentText("approval")
    walk.type_text(walk.form.fields["note"], "Refund £{{ refund }} for lost parcel {{ order_id }}")

    walk.insert("checkpoint", "late#1")
    walk.rename("handoff")
    walk.type_text(walk.form.fields["note"],
                   "Parcel {{ order_id }} was delivered {{ order.hours_since_delivery }} h ago and "
                   "the customer has not got it: check with the courier.")
    walk.type_text(walk.form.fields["say"], "I'm passing you to a teammate who will check with the courier.")

    walk.insert("end", "late")
    walk.rename("done")
    walk.type_text(walk.form.fields["say"], "Your refund of £{{ refund }} is on its way.")
    win.actions_["save_all"].trigger()
    wait(200)
    editor.select_step("late")
    steps = [s.id for s in win.session.project.procedures["lost-parcel"].all_steps()]
    assert steps == ["ask-order", "lookup", "late", "refund", "approve", "handoff", "done"], steps
    problems = [p for p in win.controller.validate() if p.severity == "error"]
    assert not problems, [p.format() for p in problems]
    walk.shot("04-lost-parcel-built")


def try_branches(walk: Walk) -> None:
    win = walk.win
    panels = win.panels_host.ensure_built()
    runner = panels.runner
    cases = [("Delivered 10 days ago and approved", 240, "approved", "resolved", "05-try-delivered-10-days-ago"),
             ("Delivered 2 days ago is handed off", 48, None, "handoff", "07-try-delivered-2-days-ago")]
    for number, (name, hours, decision, outcome, shot) in enumerate(cases):
        print(f"{4 + number}. Try it: {name.lower()}")
        win.panels_host._show("runner")
        runner.set_try_mode(False)
        runner.try_button.click()
        data = runner.try_data
        data.set_procedure("lost-parcel")
        data.connectors["get_order"].set_mode("answer", {"id": "PK-483920", "status": "delivered",
                                                         "total": 42.5, "hours_since_delivery": hours})
        if decision:
            data.set_approval("approve", decision)
        for text in ("Hi, my parcel never arrived", "It's PK-483920"):
            runner.input.setText(text)
            runner.send_button.click()
            until(f"the agent answers {text!r}", lambda: not runner.is_running())
        result = runner.last_result
        assert result.outcome == outcome, (result.outcome, result.error)
        walk.shot(shot)
        runner.save_try_run(name)
        until("the saved run opens in the simulation editor", lambda: panels.editor.key is not None)
        if number == 0:
            walk.shot("06-saved-run-in-simulation-editor")


def run_all_and_read(walk: Walk) -> None:
    win = walk.win
    panels = win.panels_host.ensure_built()
    view = panels.library_view
    print("6. run all: both pass")
    win.panels_host._show("library")
    view.refresh()
    until("the library lists both", lambda: view.model.rowCount() == 2)
    view.run_all_button.click()
    until("run all finishes", lambda: not view.is_running() and view.model.rows[0].status)
    assert {r.status for r in view.model.rows} == {"passed"}, [(r.name, r.status) for r in view.model.rows]

    print("7. a change that breaks one (14 days instead of 7), run all again")
    editor = win.procedure_editor("lost-parcel")
    editor.select_step("late")
    walk.type_text(walk.form.branch_edits[0], "order.hours_since_delivery > 14 * 24")
    win.actions_["save_all"].trigger()
    wait(300)
    view.run_all_button.click()
    until("run all finishes again", lambda: not view.is_running() and view.diff_view.diff is not None
          and view.diff_view.diff.after.id != view.diff_view.diff.before.id)
    regressions = [name for section, name in view.diff_view.ordered() if section == "regressions"]
    assert regressions == ["Delivered 10 days ago and approved"], view.diff_view.ordered()
    walk.shot("08-library-regression-first")

    print("8. the failed result's stored transcript, without running again")
    runs = len(view.library.runs())
    section = view.diff_view.topLevelItem(1)
    item = section.child(0)
    view.diff_view.itemDoubleClicked.emit(item, 0)
    until("the stored result shows", lambda: "stored result" in panels.runner.title.text())
    assert len(view.library.runs()) == runs, "a stored result must not run again"
    assert panels.runner.last_result.status == "failed"
    win.panels_host._show("runner")
    walk.shot("09-stored-failed-transcript")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1280x800", help="window size, e.g. 1280x800 or 1920x1080")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "walkthrough"))
    args = parser.parse_args()
    size = tuple(int(x) for x in args.size.split("x"))
    started = time.perf_counter()
    walk = Walk(Path(args.out), size)
    project = Path(tempfile.mkdtemp(prefix="lost-parcel-")) / "parcel-support"
    try:
        build(walk, project)
        try_branches(walk)
        run_all_and_read(walk)
    except Exception as exc:
        walk.shot("failed-here")
        print(f"walkthrough FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        host = getattr(walk.win, "panels_host", None)
        panels = host.panels if host is not None else None
        for widget in (panels.runner, panels.library_view) if panels else ():
            widget._pool.waitForDone(10000)
        walk.win.controller.close(ask=False)
    print(f"walkthrough passed in {time.perf_counter() - started:.1f} s; "
          f"{len(walk.shots)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

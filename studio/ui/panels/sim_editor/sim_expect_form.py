"""Expectations of a simulation: one small form per expectation type, with
step and connector pickers fed from the procedure."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QListWidget, QListWidgetItem,
                               QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget)

from studio.core.project import Project
from studio.core.problems import Severity
from studio.core.simulation import Expectations
from studio.core.snippets import snippet_assigns
from studio.core.steps import CodeStep, ConnectorStep, SubprocedureStep
from studio.core.validate_simulations import expectation_conflicts

from ...widgets.choices import fill_choices
from .kv_table import KeyValueTable
from .form_problems import Problem, problem, within
from .sim_calls_form import CallsEditor
from .sim_fixtures_form import procedure_connectors

OUTCOMES = [("(any)", None), ("resolved", "resolved"), ("handoff", "handoff"), ("unresolved", "unresolved")]


def procedure_names(project: Project, procedure_id: str | None) -> list[str]:
    """Names a simulation may expect values of: the procedure's variables, its connector
    results (`save_as`) and the names its snippets assign; sub-procedures' after."""
    out: list[str] = []
    seen_procs: set[str] = set()

    def visit(pid: str | None) -> None:
        proc = project.procedures.get(pid or "")
        if proc is None or proc.id in seen_procs:
            return
        seen_procs.add(proc.id)
        out.extend(proc.variables)
        subs = []
        for step in proc.all_steps():
            if isinstance(step, ConnectorStep) and step.save_as:
                out.append(step.save_as)
            elif isinstance(step, CodeStep):
                try:
                    out.extend(snippet_assigns(step.code))
                except SyntaxError:
                    pass
            elif isinstance(step, SubprocedureStep):
                subs.append(step.procedure)
        for sub in subs:
            visit(sub)

    visit(procedure_id)
    return list(dict.fromkeys(out))


class CheckList(QListWidget):
    """Pick several ids; ids not offered (kept from the file) stay as extra checked rows."""
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMaximumHeight(130)
        self.itemChanged.connect(lambda _item: self.changed.emit())

    def load(self, options: list[str], checked: list[str]) -> None:
        self.blockSignals(True)
        self.clear()
        self._order = list(checked)
        for value in options + [c for c in checked if c not in options]:
            item = QListWidgetItem(value, self)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if value in checked else Qt.CheckState.Unchecked)
        self.blockSignals(False)

    def checked(self) -> list[str]:
        """Checked ids, in the order the file had them, newly checked ones after."""
        on = [self.item(i).text() for i in range(self.count())
              if self.item(i).checkState() == Qt.CheckState.Checked]
        order = getattr(self, "_order", [])
        return [v for v in order if v in on] + [v for v in on if v not in order]


class Lines(QPlainTextEdit):
    """A list of strings, one per line."""

    def __init__(self, placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setMaximumHeight(64)

    def load(self, values: list[str]) -> None:
        self.setPlainText("\n".join(values))

    def values(self) -> list[str]:
        return [line.strip() for line in self.toPlainText().splitlines() if line.strip()]


class ExpectationsForm(QWidget):
    changed = Signal()

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent)
        self.project = project
        self.procedure = QComboBox()
        self.outcome = QComboBox()
        for label, value in OUTCOMES:
            self.outcome.addItem(label, value)
        self.visited = CheckList()
        self.not_visited = CheckList()
        self.variables = KeyValueTable("Variable", "Expected value",
                                       "Type a value: 42.5, true, null, \"text\" or plain text")
        self.calls = CallsEditor(project)
        self.not_called = CheckList()
        self.replies_contain = Lines("one text per line, case-insensitive")
        self.replies_not_contain = Lines("one text per line")
        self.note_contains = Lines("text the internal handoff/approval note must contain")
        self.max_turns = QSpinBox()
        self.max_turns.setRange(0, 100)
        self.max_turns.setSpecialValueText("no limit")
        self.rubric = Lines("criteria judged by a model (skipped offline)")

        body = QWidget()
        column = QVBoxLayout(body)

        def group(title: str, *rows: tuple[str, QWidget]) -> None:
            box = QGroupBox(title)
            form = QFormLayout(box)
            for label, widget in rows:
                form.addRow(label, widget)
            column.addWidget(box)

        group("Routing and outcome", ("Procedure", self.procedure), ("Outcome", self.outcome),
              ("Max turns", self.max_turns))
        group("Steps", ("Visited", self.visited), ("Not visited", self.not_visited))
        group("Variables", ("Equal to", self.variables))
        group("Connectors", ("Calls", self.calls), ("Not called", self.not_called))
        group("Replies and notes", ("Replies contain", self.replies_contain),
              ("Replies don't contain", self.replies_not_contain), ("Note contains", self.note_contains))
        group("Rubric", ("Criteria", self.rubric))
        column.addStretch(1)
        layout = QVBoxLayout(self)     # the simulation editor scrolls the whole tab
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(body)

        for signal in (self.procedure.currentIndexChanged, self.outcome.currentIndexChanged,
                       self.visited.changed, self.not_visited.changed, self.variables.changed,
                       self.calls.changed, self.not_called.changed, self.replies_contain.textChanged,
                       self.replies_not_contain.textChanged, self.note_contains.textChanged,
                       self.max_turns.valueChanged, self.rubric.textChanged):
            signal.connect(self._emit)
        self._loading = False

    def load(self, expect: Expectations, procedure_id: str | None) -> None:
        self._loading = True
        fill_choices(self.procedure, "(not checked)", sorted(self.project.procedures), expect.procedure)
        self.outcome.setCurrentIndex(max(self.outcome.findData(expect.outcome), 0))
        proc = self.project.procedures.get(procedure_id or "")
        steps = proc.step_ids() if proc else []
        self.visited.load(steps, expect.visited)
        self.not_visited.load(steps, expect.not_visited)
        self.variables.set_suggestions(procedure_names(self.project, procedure_id))
        self.variables.load(dict(expect.variables))
        used = procedure_connectors(self.project, procedure_id)
        self.calls.load(list(expect.connector_calls), used)
        self.not_called.load(used + sorted(c for c in self.project.connectors if c not in used),
                             expect.not_called)
        self.replies_contain.load(expect.replies_contain)
        self.replies_not_contain.load(expect.replies_not_contain)
        self.note_contains.load(expect.note_contains)
        self.max_turns.setValue(expect.max_turns or 0)
        self.rubric.load(expect.rubric)
        self._loading = False

    def expectations(self) -> Expectations:
        return Expectations(
            procedure=self.procedure.currentData(), outcome=self.outcome.currentData(),
            visited=self.visited.checked(), not_visited=self.not_visited.checked(),
            variables=self.variables.values(),
            connector_calls=self.calls.calls(),
            not_called=self.not_called.checked(),
            replies_contain=self.replies_contain.values(),
            replies_not_contain=self.replies_not_contain.values(),
            note_contains=self.note_contains.values(),
            max_turns=self.max_turns.value() or None, rubric=self.rubric.values())

    def problems(self) -> list[Problem]:
        """The tables' own problems, then the domain rules of core validation (same codes)."""
        out = within("variables: ", self.variables.problems())
        out += within("connector calls: ", self.calls.problems())
        expect = Expectations(visited=self.visited.checked(), not_visited=self.not_visited.checked(),
                              connector_calls=self.calls.calls(), not_called=self.not_called.checked())
        out += [problem(code, message, blocking=severity == Severity.error)
                for code, severity, message, _ in expectation_conflicts(expect)]
        return out

    def _emit(self) -> None:
        if not self._loading:
            self.changed.emit()

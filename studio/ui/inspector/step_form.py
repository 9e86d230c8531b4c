"""The inspector form of one step: common fields, then the fields of its kind.

Every widget edit pushes a merging SetStepField (or SetBranchWhen) command;
`refresh()` puts model values back into the widgets after undo/redo without
emitting edits.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QPlainTextEdit, QPushButton, QSpinBox, QTextBrowser,
                               QVBoxLayout, QWidget)

from studio.core.ids import is_valid_id
from studio.core.step_registry import InspectorField, spec_of, step_kinds

from studio.document import commands as cmd
from studio.document.names import project_names
from studio.document.session import ProjectSession
from studio.document.tree_ops import convert_step
from ..prompts import Prompts
from ..resources import step_icon
from ..editor.step_text import kind_label
from ..widgets.code_edit import CodeEdit
from ..widgets.expression_edit import ExpressionEdit
from .snippet_tester import SnippetTester


class StepForm(QWidget):
    def __init__(self, session: ProjectSession, procedure_id: str, step_id: str, parent=None,
                 prompts: Prompts | None = None):
        super().__init__(parent)
        self.session, self.procedure_id, self.step_id = session, procedure_id, step_id
        self.prompts = prompts or Prompts(self)
        self._refreshers: list[Callable[[Any], None]] = []
        self.fields: dict[str, QWidget] = {}
        self.branch_edits: list[ExpressionEdit] = []
        step = self.step
        self.kind = step.kind
        self.branch_count = len(step.branches) if step.kind == "condition" else 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 10, 10, 10)
        head = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(step_icon(step.kind).pixmap(22, 22))
        title = QLabel(kind_label(step.kind))
        title.setObjectName("InspectorTitle")
        head.addWidget(icon)
        head.addWidget(title)
        head.addStretch(1)
        self.kind_combo = QComboBox()
        for kind in step_kinds():
            self.kind_combo.addItem(step_icon(kind), kind_label(kind), kind)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(step.kind))
        self.kind_combo.setToolTip("Change kind…: make this a step of another kind, keeping its "
                                   "id, its condition and the fields both kinds have")
        self.kind_combo.activated.connect(
            lambda index: self.change_kind(self.kind_combo.itemData(index)))
        head.addWidget(QLabel("Kind"))
        head.addWidget(self.kind_combo)
        outer.addLayout(head)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignRight | Qt.AlignTop)
        outer.addLayout(self.form)
        self._id_field()
        for f in spec_of(step.kind).inspector:     # the kind's fields, from its registry entry
            getattr(self, f"_field_{f.widget}")(f, step)
        self._expr("when", "Only when", optional=True,
                   hint="leave empty to always run this step")
        self.extra = QVBoxLayout()
        outer.addLayout(self.extra)
        if step.kind == "code":
            self.tester = SnippetTester(self)
            self.tester.set_code(step.code)
            outer.addWidget(self.tester)
        if step.kind == "knowledge":
            self.preview = QTextBrowser()
            self.preview.setMinimumHeight(160)
            outer.addWidget(QLabel("Article preview"))
            outer.addWidget(self.preview, 1)
            self._update_preview(step)
            self.fields["article"].currentTextChanged.connect(
                lambda _t: self._update_preview(self.step))
        outer.addStretch(1)

    # -- model access ------------------------------------------------------------------
    @property
    def procedure(self):
        return self.session.project.procedures[self.procedure_id]

    @property
    def step(self):
        return self.procedure.find_step(self.step_id)

    def names(self):
        return project_names(self.session.project)

    def set(self, field: str, value: Any, merge: bool = True) -> None:
        step = self.step
        if step is None or getattr(step, field) == value:
            return
        self.session.push(cmd.SetStepField(self.session, self.procedure_id, self.step_id, field,
                                           value, merge=merge))

    def change_kind(self, kind: str) -> bool:
        """Replace the step by one of `kind` (one undo step). Nested steps of a condition
        would be lost: the user confirms first. True when the step was changed."""
        step = self.step
        if step is None or kind == step.kind:
            return False
        nested = sum(len(b.steps) for b in step.branches) if step.kind == "condition" else 0
        if nested and not self.prompts.confirm(
                "Change step kind",
                f"'{step.id}' holds {nested} nested step{'s' * (nested != 1)} in its branches. "
                f"A {kind_label(kind).lower()} step has no branches: they will be deleted "
                "(Undo brings them back). Change the kind?"):
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(step.kind))
            return False
        new = convert_step(step, kind, self.session.project)
        self.session.push(cmd.ReplaceStep(self.session, self.procedure_id, step.id, new,
                                          f"Change {step.id} to {kind_label(kind).lower()}"))
        return True

    def refresh(self) -> None:
        step = self.step
        if step is None:
            return
        for fn in self._refreshers:
            fn(step)
        if self.kind == "code":
            self.tester.set_code(step.code)
        if self.kind == "knowledge":
            self._update_preview(step)

    # -- field builders ----------------------------------------------------------------
    def _row(self, label: str, widget: QWidget, hint: str | None = None) -> None:
        if hint:
            widget.setToolTip(hint)
        self.form.addRow(label, widget)

    def _id_field(self) -> None:
        edit = QLineEdit(self.step_id)
        edit.setToolTip("The step's id: used by simulations and the trace")

        def commit():
            new = edit.text().strip()
            if new == self.step_id:
                return
            if not is_valid_id(new) or new in self.procedure.step_ids():
                edit.setText(self.step_id)
                QMessageBox.warning(self, "Step id", f"'{new}' is not a free, valid step id.")
                return
            old = self.step_id
            self.step_id = new
            self.session.push(cmd.SetStepField(self.session, self.procedure_id, old, "id", new,
                                               merge=False, text="Rename step"))
        edit.editingFinished.connect(commit)
        self._refreshers.append(lambda s: edit.setText(s.id) if not edit.hasFocus() else None)
        self.fields["id"] = edit
        self._row("Id", edit)

    def _text(self, field: str, label: str, lines: int = 3, optional: bool = False,
              hint: str | None = None) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
        edit.setPlainText(getattr(self.step, field) or "")
        loading = [False]

        def on_edit():
            if not loading[0]:
                text = edit.toPlainText()
                self.set(field, (text or None) if optional else text)

        def refresh(step):
            value = getattr(step, field) or ""
            if edit.toPlainText() != value:
                loading[0] = True
                edit.setPlainText(value)
                loading[0] = False
        edit.textChanged.connect(on_edit)
        self._refreshers.append(refresh)
        self.fields[field] = edit
        self._row(label, edit, hint)
        return edit

    def _expr(self, field: str, label: str, template: bool = False, lines: int = 1,
              optional: bool = False, hint: str | None = None) -> ExpressionEdit:
        edit = ExpressionEdit("template" if template else "expression", lines)
        edit.set_names(self.names)
        edit.optional = optional or template
        edit.set_text(getattr(self.step, field) or "")
        if optional:
            edit.setPlaceholderText("(always)" if field == "when" else "")
            edit.optional = True
        edit.edited.connect(lambda text: self.set(field, (text or None) if optional else text))
        self._refreshers.append(lambda s: edit.set_text(getattr(s, field) or ""))
        self.fields[field] = edit
        self._row(label, edit, hint)
        return edit

    def _combo(self, field: str, label: str, options: list[str], editable: bool = False,
               hint: str | None = None) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(editable)
        combo.addItems(options)
        current = getattr(self.step, field) or ""
        if current and current not in options:
            combo.addItem(current)
        combo.setCurrentText(current)
        if not current:                   # nothing chosen shows as nothing, never the first option
            combo.setCurrentIndex(-1)
        combo.currentTextChanged.connect(lambda text: self.set(field, text, merge=False))

        def refresh(step):
            value = getattr(step, field) or ""
            if combo.currentText() != value:
                combo.blockSignals(True)
                if value and combo.findText(value) < 0:
                    combo.addItem(value)
                combo.setCurrentText(value) if value else combo.setCurrentIndex(-1)
                combo.blockSignals(False)
        self._refreshers.append(refresh)
        self.fields[field] = combo
        self._row(label, combo, hint)
        return combo

    def _line(self, field: str, label: str, optional: bool = True, hint: str | None = None) -> QLineEdit:
        edit = QLineEdit(getattr(self.step, field) or "")
        edit.textEdited.connect(lambda t: self.set(field, (t.strip() or None) if optional else t))
        self._refreshers.append(
            lambda s: edit.setText(getattr(s, field) or "") if edit.text() != (getattr(s, field) or "") else None)
        self.fields[field] = edit
        self._row(label, edit, hint)
        return edit

    # -- the widgets an InspectorField names -----------------------------------------------
    def _field_text(self, f: InspectorField, step) -> None:
        self._text(f.name, f.label, lines=f.lines, optional=f.optional, hint=f.hint)

    def _field_template(self, f: InspectorField, step) -> None:
        self._expr(f.name, f.label, template=True, lines=f.lines, optional=f.optional, hint=f.hint)

    def _field_expression(self, f: InspectorField, step) -> None:
        self._expr(f.name, f.label, lines=f.lines, optional=f.optional, hint=f.hint)

    def _field_line(self, f: InspectorField, step) -> None:
        self._line(f.name, f.label, optional=f.optional, hint=f.hint)

    def _field_choice(self, f: InspectorField, step) -> None:
        project = self.session.project
        options = {"connectors": lambda: sorted(project.connectors),
                   "knowledge": lambda: sorted(project.knowledge),
                   "other-procedures": lambda: sorted(p for p in project.procedures
                                                      if p != self.procedure_id)}
        choices = options[f.choices_from]() if f.choices_from else list(f.options)
        combo = self._combo(f.name, f.label, choices, hint=f.hint)
        if f.placeholder:
            combo.setPlaceholderText(f.placeholder)

    def _field_names(self, f: InspectorField, step) -> None:
        field = f.name
        edit = QLineEdit(", ".join(getattr(step, field)))
        edit.setPlaceholderText("variables to collect, comma separated")
        edit.textEdited.connect(lambda t: self.set(
            field, [n.strip() for n in t.split(",") if n.strip()]))
        self._refreshers.append(lambda s: edit.setText(", ".join(getattr(s, field)))
                                if [n.strip() for n in edit.text().split(",") if n.strip()] != getattr(s, field)
                                else None)
        self.fields[field] = edit
        self._row(f.label, edit, f.hint)

    def _field_count(self, f: InspectorField, step) -> None:
        field = f.name
        spin = QSpinBox()
        spin.setRange(f.low, f.high)
        spin.setValue(getattr(step, field))
        spin.valueChanged.connect(lambda v: self.set(field, v))
        self._refreshers.append(
            lambda s: spin.setValue(getattr(s, field)) if spin.value() != getattr(s, field) else None)
        self.fields[field] = spin
        self._row(f.label, spin, f.hint)

    def _field_branches(self, f: InspectorField, step) -> None:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        for index, branch in enumerate(step.branches):
            row = QHBoxLayout()
            label = QLabel("else" if branch.is_else else ("if" if index == 0 else "else if"))
            label.setMinimumWidth(44)
            row.addWidget(label, 0, Qt.AlignmentFlag.AlignTop)
            if branch.is_else:
                row.addWidget(QLabel("(when no branch above matches)"), 1)
            else:
                edit = ExpressionEdit("expression", lines=2)
                edit.set_names(self.names)
                edit.set_text(branch.when)
                edit.edited.connect(lambda text, i=index: self.session.push(cmd.SetBranchWhen(
                    self.session, self.procedure_id, self.step_id, i, text)))
                self._refreshers.append(lambda s, i=index, e=edit: e.set_text(s.branches[i].when)
                                        if i < len(s.branches) else None)
                self.branch_edits.append(edit)
                column = QVBoxLayout()
                column.addWidget(edit)
                under = QHBoxLayout()          # plain words, and "write it in words", under the field
                under.addWidget(self._plain_words(edit, index), 1)
                words = QPushButton("In words…")
                words.setToolTip("Write the condition in words; the model makes the expression")
                words.clicked.connect(lambda _=False, i=index: self.open_words(i))
                under.addWidget(words, 0, Qt.AlignmentFlag.AlignTop)
                column.addLayout(under)
                row.addLayout(column, 1)
            remove = QPushButton("✕")
            remove.setFixedWidth(28)
            remove.setToolTip("Remove this branch and its steps")
            remove.clicked.connect(lambda _=False, i=index: self.session.push(cmd.RemoveBranch(
                self.session, self.procedure_id, self.step_id, i)))
            row.addWidget(remove)
            lay.addLayout(row)
        buttons = QHBoxLayout()
        add = QPushButton("Add branch")
        add.clicked.connect(lambda: self.session.push(cmd.AddBranch(
            self.session, self.procedure_id, self.step_id)))
        buttons.addWidget(add)
        if not any(b.is_else for b in step.branches):
            add_else = QPushButton("Add else")
            add_else.clicked.connect(lambda: self.session.push(cmd.AddBranch(
                self.session, self.procedure_id, self.step_id, len(self.step.branches), "else")))
            buttons.addWidget(add_else)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        from studio.core.condition_names import condition_names
        fields = [n for n in condition_names(self.session.project, self.procedure) if "." in n]
        if fields:                     # what get_order returns, without opening its YAML
            readable = QLabel("Can read: " + ", ".join(fields[:12]) + (" …" if len(fields) > 12 else ""))
            readable.setObjectName("Muted")
            readable.setWordWrap(True)
            self.readable_fields = readable
            lay.addWidget(readable)
        self._row(f.label, box, f.hint)

    def _plain_words(self, edit: ExpressionEdit, index: int) -> QLabel:
        """The branch's condition read in plain words, under its expression."""
        from studio.core.plain_words import describe_condition
        label = QLabel()
        label.setObjectName("Muted")
        label.setWordWrap(True)
        variables = getattr(self.session.project.procedures.get(self.procedure_id), "variables", {})

        def update(text: str) -> None:
            words = describe_condition(text, variables)
            label.setText("" if words == text.strip() else f"reads: {words}")
        update(self.step.branches[index].when)
        edit.edited.connect(update)
        self._refreshers.append(lambda s: index < len(s.branches) and update(s.branches[index].when))
        self.words_labels = getattr(self, "words_labels", []) + [label]
        return label

    def words_dialog(self, index: int):
        from .condition_words import ConditionWordsDialog
        procedure = self.session.project.procedures[self.procedure_id]
        return ConditionWordsDialog(self.session.project, procedure, self.step, index, self)

    def open_words(self, index: int) -> None:
        dialog = self.words_dialog(index)
        if dialog.exec() == dialog.DialogCode.Accepted and dialog.expression:
            self.session.push(cmd.SetBranchWhen(self.session, self.procedure_id, self.step_id,
                                                index, dialog.expression))

    def _field_inputs(self, f: InspectorField, step) -> None:
        """A connector's inputs, one template each; they follow the connector picked above."""
        self.inputs_box = QWidget()
        self.inputs_form = QFormLayout(self.inputs_box)
        self.inputs_form.setContentsMargins(0, 0, 0, 0)
        self._row(f.label, self.inputs_box, f.hint)
        self._build_inputs(step)
        self.fields["connector"].currentTextChanged.connect(lambda _t: self._build_inputs(self.step))
        self._refreshers.append(self._refresh_inputs)

    def _build_inputs(self, step) -> None:
        while self.inputs_form.rowCount():
            self.inputs_form.removeRow(0)
        self.input_edits: dict[str, ExpressionEdit] = {}
        connector = self.session.project.connectors.get(step.connector)
        names = list(connector.inputs) if connector else []
        names += [n for n in step.inputs if n not in names]
        for name in names:
            edit = ExpressionEdit("template")
            edit.set_names(self.names)
            edit.set_text(str(step.inputs.get(name, "")))
            if connector and name in connector.inputs and connector.inputs[name].required:
                edit.setPlaceholderText("required")
            edit.edited.connect(lambda text, n=name: self._set_input(n, text))
            self.inputs_form.addRow(name, edit)
            self.input_edits[name] = edit
        if not names:
            self.inputs_form.addRow(QLabel("This connector takes no inputs."))

    def _set_input(self, name: str, text: str) -> None:
        inputs = dict(self.step.inputs)
        if text:
            inputs[name] = text
        else:
            inputs.pop(name, None)
        self.set("inputs", inputs)

    def _refresh_inputs(self, step) -> None:
        for name, edit in getattr(self, "input_edits", {}).items():
            edit.set_text(str(step.inputs.get(name, "")))

    def _field_code(self, f: InspectorField, step) -> None:
        field = f.name
        edit = CodeEdit()
        edit.set_text(getattr(step, field))
        edit.edited.connect(lambda text: (self.set(field, text), self._code_edited(text)))
        self._refreshers.append(lambda s: edit.set_text(getattr(s, field)))
        self.fields[field] = edit
        self._row(f.label, edit, f.hint)

    def _code_edited(self, text: str) -> None:
        if hasattr(self, "tester"):
            self.tester.set_code(text)

    def _update_preview(self, step) -> None:
        article = self.session.project.knowledge.get(step.article)
        if article is None:
            self.preview.setPlainText(f"No article '{step.article}' in this project.")
        else:
            self.preview.setMarkdown(article.body)

"""The procedure's own settings: title, trigger, channels, variables and switch rules."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLineEdit, QPlainTextEdit, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from studio.core.procedure import VARIABLE_TYPES, SwitchRule, Trigger, Variable

from studio.document import commands as cmd
from studio.document.session import ProjectSession

VARIABLE_COLUMNS = ["name", "type", "required", "options", "description", "pattern"]
NAME, TYPE, REQUIRED, OPTIONS, DESCRIPTION, PATTERN = range(len(VARIABLE_COLUMNS))


def comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def non_empty_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ProcedureForm(QWidget):
    def __init__(self, session: ProjectSession, procedure_id: str, parent=None):
        super().__init__(parent)
        self.session, self.procedure_id = session, procedure_id
        self._loading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 10, 10, 10)
        form = QFormLayout()
        self.title = QLineEdit()
        self.title.textEdited.connect(lambda t: self._set("title", t))
        form.addRow("Title", self.title)
        self.description = self._trigger_box("When does this procedure apply?", 64)
        form.addRow("Trigger", self.description)
        self.examples = self._trigger_box("Example customer messages, one per line", 90)
        form.addRow("Examples", self.examples)
        self.channels = QLineEdit()
        self.channels.setPlaceholderText("chat, email, voice")
        self.channels.textEdited.connect(lambda t: self._set("channels", comma_list(t)))
        form.addRow("Channels", self.channels)
        outer.addLayout(form)

        self.variables = self._table("Variables", VARIABLE_COLUMNS,
                                     outer, self._add_variable, self._variables_edited)
        self.rules = self._table("Switch rules", ["keywords", "when", "to"], outer,
                                 self._add_rule, self._rules_edited)
        outer.addStretch(1)
        self.refresh()

    @property
    def procedure(self):
        return self.session.project.procedures[self.procedure_id]

    def _trigger_box(self, placeholder: str, height: int) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setTabChangesFocus(True)
        box.setFixedHeight(height)
        box.setPlaceholderText(placeholder)
        box.textChanged.connect(self._trigger_edited)
        return box

    def _set(self, field: str, value: Any, merge: bool = True) -> None:
        if self._loading or getattr(self.procedure, field) == value:
            return
        self.session.push(cmd.SetProcedureField(self.session, self.procedure_id, field, value, merge))

    def _table(self, title, columns, outer, add, edited) -> QTableWidget:
        box = QGroupBox(title)
        lay = QVBoxLayout(box)
        table = QTableWidget(0, len(columns))
        table.setHorizontalHeaderLabels(columns)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Stretch)
        for col, name in enumerate(columns):
            if name in ("type", "required"):
                header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        table.verticalHeader().hide()
        table.setMinimumHeight(120)
        table.itemChanged.connect(lambda _i: edited())
        lay.addWidget(table)
        row = QHBoxLayout()
        plus, minus = QPushButton("Add"), QPushButton("Remove")
        plus.clicked.connect(add)
        minus.clicked.connect(lambda: self._remove_row(table, edited))
        row.addWidget(plus)
        row.addWidget(minus)
        row.addStretch(1)
        lay.addLayout(row)
        outer.addWidget(box)
        return table

    def _remove_row(self, table: QTableWidget, edited) -> None:
        if table.currentRow() >= 0:
            table.removeRow(table.currentRow())
            edited()

    # -- trigger ------------------------------------------------------------------------
    def _trigger_edited(self) -> None:
        if self._loading:
            return
        examples = non_empty_lines(self.examples.toPlainText())
        self._set("trigger", Trigger(description=self.description.toPlainText(), examples=examples))

    # -- variables --------------------------------------------------------------------
    def _type_combo(self, value: str) -> QComboBox:
        combo = QComboBox()
        combo.addItems(VARIABLE_TYPES)
        combo.setCurrentText(value)
        combo.currentTextChanged.connect(lambda _t: self._variables_edited(merge=False))
        return combo

    def _add_variable(self) -> None:
        taken = set(self.procedure.variables)
        n, name = 1, "new_variable"
        while name in taken:
            n += 1
            name = f"new_variable_{n}"
        variables = dict(self.procedure.variables)
        variables[name] = Variable()
        self._set("variables", variables, merge=False)

    def _variables_edited(self, merge: bool = True) -> None:
        """Rows → variables; a renamed row keeps what the table does not show."""
        if self._loading:
            return
        table, previous = self.variables, list(self.procedure.variables.values())
        text = lambda r, c: cell_text(table, r, c).strip()
        out: dict[str, Variable] = {}
        for row in range(table.rowCount()):
            name = text(row, NAME)
            if not name:
                continue
            old = self.procedure.variables.get(name) or (
                previous[row] if row < len(previous) else Variable())
            combo = table.cellWidget(row, TYPE)
            required = table.item(row, REQUIRED)
            options = comma_list(text(row, OPTIONS))
            if options == [str(o) for o in old.options or []]:
                options = old.options          # unchanged: keep numbers as numbers
            checked = required is not None and required.checkState() == Qt.Checked
            out[name] = old.model_copy(update={
                "type": combo.currentText() if combo else old.type,
                "required": True if checked else (False if old.required is False else None),
                "options": options or None,
                "description": text(row, DESCRIPTION) or None, "pattern": text(row, PATTERN) or None})
        self._set("variables", out, merge)

    # -- switch rules -----------------------------------------------------------------
    def _add_rule(self) -> None:
        others = [p for p in self.session.project.procedures if p != self.procedure_id]
        rules = list(self.procedure.switch_rules) + [
            SwitchRule(to=others[0] if others else self.procedure_id, keywords=["keyword"])]
        self._set("switch_rules", rules, merge=False)

    def _rules_edited(self) -> None:
        if self._loading:
            return
        rules = []
        for row in range(self.rules.rowCount()):
            cell = lambda c: cell_text(self.rules, row, c).strip()
            old = self.procedure.switch_rules[row] if row < len(self.procedure.switch_rules) else None
            rule = SwitchRule(keywords=comma_list(cell(0)),
                              when=cell(1) or None, to=cell(2),
                              description=old.description if old else None)
            rules.append(rule)
        self._set("switch_rules", rules)

    # -- model → widgets --------------------------------------------------------------
    def refresh(self) -> None:
        procedure = self.procedure
        self._loading = True
        try:
            if self.title.text() != procedure.title:
                self.title.setText(procedure.title)
            if self.description.toPlainText() != procedure.trigger.description:
                self.description.setPlainText(procedure.trigger.description)
            if non_empty_lines(self.examples.toPlainText()) != procedure.trigger.examples:
                self.examples.setPlainText("\n".join(procedure.trigger.examples))
            if comma_list(self.channels.text()) != procedure.channels:
                self.channels.setText(", ".join(procedure.channels))
            self._fill_variables(procedure)
            self._fill_rules(procedure)
        finally:
            self._loading = False

    def _variable_row(self, name: str, var: Variable) -> list[str]:
        return [name, var.type, "yes" if var.required else "", ", ".join(map(str, var.options or [])),
                var.description or "", var.pattern or ""]

    def _fill_variables(self, procedure) -> None:
        table = self.variables
        rows = [self._variable_row(n, v) for n, v in procedure.variables.items()]
        shown = [[(table.cellWidget(r, c).currentText() if c == TYPE and table.cellWidget(r, c)
                   else "yes" if c == REQUIRED and table.item(r, c)
                   and table.item(r, c).checkState() == Qt.Checked
                   else "" if c == REQUIRED
                   else cell_text(table, r, c))
                  for c in range(len(VARIABLE_COLUMNS))] for r in range(table.rowCount())]

        def put(row: int, col: int, value: str) -> None:
            if col == TYPE:
                table.setCellWidget(row, col, self._type_combo(value))
                return
            item = QTableWidgetItem("" if col == REQUIRED else value)
            if col == REQUIRED:
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable | Qt.ItemIsSelectable)
                item.setCheckState(Qt.Checked if value else Qt.Unchecked)
                item.setToolTip("The procedure needs this variable")
            if col == OPTIONS:
                item.setToolTip("For enum variables: the allowed values, separated by commas")
            table.setItem(row, col, item)
        refill(table, shown, rows, put)

    def _fill_rules(self, procedure) -> None:
        table = self.rules
        rows = [(", ".join(r.keywords), r.when or "", r.to) for r in procedure.switch_rules]
        shown = [tuple(cell_text(table, r, c) for c in range(3)) for r in range(table.rowCount())]
        refill(table, shown, rows, lambda row, col, value: table.setItem(row, col, QTableWidgetItem(value)))


def cell_text(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    return item.text() if item else ""


def refill(table: QTableWidget, shown: list, rows: list, put) -> None:
    """Rebuild `table` from `rows` with `put(row, col, value)`, unless it shows them
    already (so a refresh while typing in a cell leaves the editor alone)."""
    if shown == rows:
        return
    table.setRowCount(0)
    for values in rows:
        row = table.rowCount()
        table.insertRow(row)
        for col, value in enumerate(values):
            put(row, col, value)

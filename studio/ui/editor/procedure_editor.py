"""The procedure document: insert palette, card list, flowchart, find bar.

Owns no data: it pushes commands to the session and repaints on its events.
Selection is by step id (`selection_changed`), so the inspector, the
flowchart and the runner (issue 7) can follow and drive it.
"""
from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QMenu, QToolButton, QVBoxLayout,
                               QWidget)

from studio.core.step_registry import spec_of, step_kinds

from studio.document import commands as cmd
from studio.document.clipboard import MIME_STEPS, steps_from_yaml
from studio.document.session import ProjectSession
from studio.document.tree_ops import container_list, locate, new_step, reid_steps
from ..resources import icon, step_icon
from ..widgets.flow_layout import FlowLayout
from ..widgets.share_splitter import ShareSplitter
from .flowchart import FlowchartView
from .step_model import StepTreeModel
from .step_text import headline, kind_label
from .step_view import StepView

FLOWCHART_SHARE = 0.45     # of the editor's width, until the user drags the splitter


class ProcedureEditor(QWidget):
    kind = "procedure"
    selection_changed = Signal(list)     # selected step ids, document order
    current_changed = Signal(object)     # step id, "<step-id>#<branch>" or None

    def __init__(self, session: ProjectSession, procedure_id: str, parent=None):
        super().__init__(parent)
        self.session, self.item_id = session, procedure_id
        self._collapsed: set[str] = set()
        self._syncing = False
        self.model = StepTreeModel(session, procedure_id, self)
        self.view = StepView(self)
        self.view.setModel(self.model)
        self.flowchart = FlowchartView(self)
        self._build_ui()
        self.view.expandAll()
        self._restoring = False     # a rebuild re-expands rows: not the user's choice
        self.view.collapsed.connect(
            lambda i: self._restoring or self._collapsed.add(self.model.node(i).key))
        self.view.expanded.connect(
            lambda i: self._restoring or self._collapsed.discard(self.model.node(i).key))
        self._connect_selection()
        self.flowchart.step_selected.connect(self._from_flowchart)
        self._flow_timer = QTimer(self, singleShot=True, interval=120)
        self._flow_timer.timeout.connect(self._refresh_flowchart)
        self._refresh_flowchart()
        session.procedure_changed.connect(self._on_procedure_changed)

    # -- construction --------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        head = QHBoxLayout()
        head.setContentsMargins(16, 10, 16, 4)
        self.title_label = QLabel()
        self.title_label.setObjectName("InspectorTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        head.addWidget(self.title_label)
        head.addSpacing(8)
        head.addWidget(self.count_label)
        head.addStretch(1)
        layout.addLayout(head)
        self._head = head

        self.add_bar = QWidget(self)            # wraps at 1280 px: every kind stays in sight
        self.add_bar.setObjectName("add-bar")
        flow = FlowLayout(self.add_bar, spacing=2)
        flow.setContentsMargins(12, 2, 12, 4)
        add = QLabel("Add:")
        add.setObjectName("Muted")
        add.setMinimumHeight(26)
        flow.addWidget(add)
        self.insert_actions: dict[str, QAction] = {}
        for number, kind in enumerate(step_kinds(), start=1):
            action = QAction(step_icon(kind), spec_of(kind).short_label, self)
            if number <= 9:
                action.setToolTip(f"Insert {kind_label(kind).lower()} step (Ctrl+{number})")
                action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            else:
                action.setToolTip(f"Insert {kind_label(kind).lower()} step")
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, k=kind: self.insert_step(k))
            button = QToolButton(self.add_bar)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            button.setIconSize(button.iconSize() * 0.9)
            flow.addWidget(button)
            self.addAction(action)
            self.insert_actions[kind] = action
        self.flow_toggle = QToolButton(self)
        self.flow_toggle.setIcon(icon("flowchart"))
        self.flow_toggle.setText("Flowchart")
        self.flow_toggle.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.flow_toggle.setCheckable(True)
        self.flow_toggle.setChecked(True)
        self.flow_toggle.toggled.connect(self._toggle_flowchart)
        self.flow_toggle.setAutoRaise(True)
        self.fit_button = QToolButton(self)
        self.fit_button.setText("Fit")
        self.fit_button.setToolTip("Show the whole flowchart (Ctrl+0)")
        self.fit_button.setAutoRaise(True)
        self.fit_button.clicked.connect(self.flowchart.user_fit)
        self._head.addWidget(self.fit_button)
        self._head.addWidget(self.flow_toggle)
        layout.addWidget(self.add_bar)

        self.find_bar = QLineEdit(self)
        self.find_bar.setPlaceholderText("Find in steps…  (Enter: next, Esc: close)")
        self.find_bar.setClearButtonEnabled(True)
        self.find_bar.returnPressed.connect(self.find_next)
        self.find_bar.hide()
        layout.addWidget(self.find_bar)

        self.splitter = ShareSplitter(FLOWCHART_SHARE, self)   # the user's share: see MainWindow
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.flowchart)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)
        self._update_header()

    def _connect_selection(self) -> None:
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.view.selectionModel().currentChanged.connect(
            lambda cur, _prev: self.current_changed.emit(self._key(cur)))

    def _key(self, index):
        node = self.model.node(index)
        return node.key if node else None

    def _update_header(self) -> None:
        procedure = self.model.procedure
        if procedure is None:
            return
        self.title_label.setText(procedure.title or procedure.id)
        n = len(procedure.all_steps())
        self.count_label.setText(f"{procedure.id} · {n} step{'s' if n != 1 else ''}")

    def title(self) -> str:
        return self.item_id

    def dispose(self) -> None:
        self.session.procedure_changed.disconnect(self._on_procedure_changed)

    # -- session events ------------------------------------------------------------
    def _on_procedure_changed(self, procedure_id: str, step_id) -> None:
        if procedure_id != self.item_id or self.model.procedure is None:
            return
        if step_id is not None:
            self.model.step_changed(step_id)
        else:
            self._rebuild()
        self._update_header()
        self._flow_timer.start()

    def _rebuild(self) -> None:
        selected = self.selected_keys()
        current = self._key(self.view.currentIndex())
        scroll = self.view.verticalScrollBar().value()
        self._restoring = True
        try:
            self.model.rebuild()
            self.view.expandAll()
            for key in self._collapsed:
                index = self.model.index_of(key)
                if index.isValid():
                    self.view.setExpanded(index, False)
        finally:
            self._restoring = False
        self.select_keys(selected, current=current, scroll=False)
        self.view.verticalScrollBar().setValue(scroll)

    # -- selection -------------------------------------------------------------------
    def selected_keys(self) -> list[str]:
        rows = self.view.selectionModel().selectedRows()
        keys = [self.model.node(i).key for i in rows if self.model.node(i)]
        order = {k: n for n, k in enumerate(self.model.by_key)}
        return sorted(keys, key=lambda k: order.get(k, 0))

    def selected_step_ids(self) -> list[str]:
        return [k for k in self.selected_keys() if "#" not in k]

    def select_keys(self, keys: list[str], current: str | None = None, scroll: bool = True) -> None:
        selection = QItemSelection()
        for key in keys:
            index = self.model.index_of(key)
            if index.isValid():
                selection.select(index, index)
        sm = self.view.selectionModel()
        self._syncing = True
        try:
            sm.select(selection, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
            target = self.model.index_of(current or (keys[-1] if keys else ""))
            if target.isValid():
                sm.setCurrentIndex(target, QItemSelectionModel.NoUpdate)
                if scroll:
                    self.view.scrollTo(target)
        finally:
            self._syncing = False
        self._on_selection()

    def select_step(self, step_id: str) -> None:
        """Select and show one step (problems panel, flowchart, runner)."""
        index = self.model.index_of(step_id)
        parent = index.parent()
        while parent.isValid():
            self.view.setExpanded(parent, True)
            parent = parent.parent()
        self.select_keys([step_id], current=step_id)
        self.view.setFocus()

    def _on_selection(self, *_args) -> None:
        ids = self.selected_step_ids()
        if not self._syncing:
            self.flowchart.select_steps(ids)
        self.selection_changed.emit(ids)

    def _from_flowchart(self, ids: list) -> None:
        if ids and ids != self.selected_step_ids():
            self.select_keys(ids, current=ids[-1])

    # -- marks from other panels (problems, runner, coverage) -----------------------
    def set_problems(self, problems: list) -> None:
        by_step: dict[str, list] = {}
        for p in problems:
            if p.step and (p.procedure in (None, self.item_id)):
                by_step.setdefault(p.step, []).append(p)
        self.model.set_problems(by_step)

    def set_marks(self, marks: dict[str, str]) -> None:
        """Light steps up: {step_id: "passed" | "failed" | "active" | "skipped"}; {} clears."""
        self.model.set_marks(marks)
        self.flowchart.set_marks(marks)

    def set_coverage(self, coverage: dict[str, str]) -> None:
        """Coverage dots: {step_id: "covered" | "failing" | "uncovered"}; {} clears."""
        self.model.set_coverage(coverage)

    # -- editing -----------------------------------------------------------------------
    def _insert_point(self):
        """(container, index) just after the current step, or into the selected branch."""
        procedure = self.model.procedure
        key = self._key(self.view.currentIndex())
        if key and "#" in key:
            step_id, branch = key.split("#")
            return (step_id, int(branch)), len(procedure.find_step(step_id).branches[int(branch)].steps)
        if key:
            container, index = locate(procedure, key)
            return container, index + 1
        return None, len(procedure.steps)

    def insert_step(self, kind: str) -> str:
        procedure = self.model.procedure
        step = new_step(kind, procedure.step_ids(), self.session.project)
        container, index = self._insert_point()
        self.session.push(cmd.InsertSteps(self.session, self.item_id, container, index, [step],
                                          f"Insert {kind_label(kind).lower()}"))
        self.select_step(step.id)
        return step.id

    def insert_menu(self) -> QMenu:
        menu = QMenu(self)
        for kind in step_kinds():
            menu.addAction(self.insert_actions[kind])
        return menu

    def delete_selected(self) -> None:
        ids = self.selected_step_ids()
        key = self._key(self.view.currentIndex())
        if not ids and key and "#" in key:
            step_id, branch = key.split("#")
            self.session.push(cmd.RemoveBranch(self.session, self.item_id, step_id, int(branch)))
            return
        if ids:
            self.session.push(cmd.RemoveSteps(self.session, self.item_id, ids,
                                              "Delete steps" if len(ids) > 1 else "Delete step"))

    def duplicate_selected(self) -> None:
        ids = self.selected_step_ids()
        if not ids:
            return
        procedure = self.model.procedure
        steps = reid_steps([procedure.find_step(i) for i in ids], procedure.step_ids())
        container, index = locate(procedure, ids[-1])
        self.session.push(cmd.InsertSteps(self.session, self.item_id, container, index + 1, steps,
                                          "Duplicate"))
        self.select_keys([s.id for s in steps])

    def copy_selected(self) -> None:
        procedure = self.model.procedure
        steps = [procedure.find_step(i) for i in self.selected_step_ids()]
        if steps:
            QGuiApplication.clipboard().setMimeData(self.model.steps_mime(steps))

    def cut_selected(self) -> None:
        self.copy_selected()
        self.delete_selected()

    def paste(self) -> list[str]:
        mime = QGuiApplication.clipboard().mimeData()
        text = mime.text() if mime is not None else ""
        if mime is not None and mime.hasFormat(MIME_STEPS):
            import json
            text = json.loads(bytes(mime.data(MIME_STEPS)).decode("utf-8"))["yaml"]
        steps = steps_from_yaml(text or "", self.model.procedure.step_ids())
        if not steps:
            return []
        container, index = self._insert_point()
        self.session.push(cmd.InsertSteps(self.session, self.item_id, container, index, steps,
                                          "Paste"))
        self.select_keys([s.id for s in steps])
        return [s.id for s in steps]

    def move_selected(self, delta: int) -> None:
        """Alt+Up / Alt+Down: move the current step within its list."""
        ids = self.selected_step_ids()
        if len(ids) != 1:
            return
        container, index = locate(self.model.procedure, ids[0])
        siblings = container_list(self.model.procedure, container)
        target = index + delta
        if not 0 <= target < len(siblings):
            return
        self.session.push(cmd.MoveStep(self.session, self.item_id, ids[0], container,
                                       target + (1 if delta > 0 else 0)))
        self.select_step(ids[0])

    def edit_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.view.edit(index)

    # -- find ----------------------------------------------------------------------------
    def show_find(self) -> None:
        self.find_bar.show()
        self.find_bar.setFocus()
        self.find_bar.selectAll()

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Escape and self.find_bar.isVisible():
            self.find_bar.hide()
            self.view.setFocus()
            return
        super().keyPressEvent(event)

    def find_next(self) -> str | None:
        needle = self.find_bar.text().strip().lower()
        if not needle:
            return None
        steps = self.model.procedure.all_steps()
        current = self.selected_step_ids()
        start = next((n for n, s in enumerate(steps) if current and s.id == current[-1]), -1)
        for offset in range(1, len(steps) + 1):
            step = steps[(start + offset) % len(steps)]
            haystack = " ".join([step.id, headline(step), str(getattr(step, "say", "") or ""),
                                 str(step.when or "")]).lower()
            if needle in haystack:
                self.select_step(step.id)
                self.find_bar.setFocus()
                return step.id
        return None

    # -- flowchart -------------------------------------------------------------------------
    def _toggle_flowchart(self, on: bool) -> None:
        self.flowchart.setVisible(on)
        self.fit_button.setVisible(on)
        if on:
            self.splitter.set_share(self.splitter.share())
            self._refresh_flowchart()

    def _refresh_flowchart(self) -> None:
        if self.flowchart.isVisibleTo(self) or not self.isVisible():
            procedure = self.model.procedure
            if procedure is not None:
                self.flowchart.show_procedure(procedure)
                self.flowchart.select_steps(self.selected_step_ids())

"""Which widget shows which project item: procedures in their editor (wired to the
inspector and the problems), other items as tabs, simulations in the simulation
editor, a problem's file and step, and recovered drafts as text."""
from __future__ import annotations

from typing import Any

from ..documents import TEXT_VIEW
from ..editor.procedure_editor import ProcedureEditor


class DocumentOpener:
    def __init__(self, window: Any, layout: Any):
        self.window, self.layout = window, layout

    @property
    def documents(self):
        return self.window.documents

    def open_item(self, kind: str, item_id: str):
        window = self.window
        widget = self.documents.open(kind, item_id)
        if hasattr(widget, "text_requested") and not getattr(widget, "_wired", False):
            widget._wired = True
            widget.text_requested.connect(lambda i, k=kind: self.show_text(k, i))
        if isinstance(widget, ProcedureEditor) and not getattr(widget, "_wired", False):
            widget._wired = True
            widget.current_changed.connect(lambda key, w=widget: window.inspector.show_step(w.item_id, key))
            widget.set_problems(window.controller.problems)
            self.layout.restore_split(widget)
            window.inspector.show_step(item_id, None)
        return widget

    def open_first_procedure(self, session: Any) -> None:
        first = sorted(session.project.procedures)
        if first:
            self.open_item("procedure", first[0])

    def tree_open(self, kind: str, item_id: str) -> None:
        """Simulations open in the simulation editor (the panels host listens to the tree
        too); their YAML is one "Show YAML" away. Everything else opens as a tab."""
        if kind != "simulation":
            self.open_item(kind, item_id)

    def show_text(self, kind: str, item_id: str):
        """An item's file as YAML text ("Show YAML"); a procedure's beside its flowchart."""
        return self.open_item(kind + TEXT_VIEW if kind in ("procedure", "connector") else kind, item_id)

    def show_current_text(self) -> None:
        editor = self.current_editor()
        if editor is not None:
            self.show_text("procedure", editor.item_id)

    def open_recovered_drafts(self, _rels: list) -> None:
        """A recovered procedure whose text does not parse can only be fixed as text."""
        session = self.window.session
        for kind, item_id in (session.drafts() if session is not None else {}):
            if kind == "procedure":
                self.show_text(kind, item_id)

    def procedure_editor(self, procedure_id: str, open_it: bool = True) -> ProcedureEditor | None:
        """The editor of a procedure (opened if needed): for marks, coverage and selection."""
        widget = self.documents.find("procedure", procedure_id)
        if widget is None and open_it:
            widget = self.open_item("procedure", procedure_id)
        return widget

    def current_editor(self) -> ProcedureEditor | None:
        widget = self.documents.currentWidget()
        return widget if isinstance(widget, ProcedureEditor) else None

    def document_changed(self, widget: Any) -> None:
        window = self.window
        if isinstance(widget, ProcedureEditor):
            window.inspector.show_step(widget.item_id, widget._key(widget.view.currentIndex()))
            widget.set_problems(window.controller.problems)
        window.update_title()

    def problems_changed(self, problems: list) -> None:
        self.window.problems_panel.set_problems(problems)
        for widget in self.documents.documents():
            if isinstance(widget, ProcedureEditor):
                widget.set_problems(problems)

    def jump_to_problem(self, problem: Any) -> None:
        window = self.window
        session = window.session
        if session is None or problem is None:
            return
        key = session.key_of_rel(problem.file or "")
        if key is None and problem.file in session.broken_files():
            window.prompts.error("File could not be read",
                                 f"{problem.format()}\n\nFix {session.root / problem.file} in a "
                                 "text editor: Procedure Studio loads it as soon as it is saved.")
            return
        if key is None:
            return
        if key[0] == "simulation":
            window.project_tree.open_requested.emit(*key)   # the simulation editor
            return
        widget = self.open_item(*key)
        if isinstance(widget, ProcedureEditor) and problem.step:
            widget.select_step(problem.step)

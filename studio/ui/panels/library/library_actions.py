"""What a knowledge manager does to one simulation in the library, from its
right-click menu or a double-click: run it, read its stored result (transcript
and trace as the last run left them, without running again), open it in the
simulation editor, duplicate or delete it, or show its procedure."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu

# (name, label) in menu order; None is a separator
ACTIONS = [("result", "Open stored result"), ("run", "Run"), ("open", "Open in simulation editor"),
           None, ("duplicate", "Duplicate"), ("delete", "Delete…"), None,
           ("procedure", "Show procedure in editor")]


def stored_result(library: Any, name: str) -> Any:
    """The latest stored result of `name` with its transcript and trace, or None."""
    if library is None:
        return None
    for run in library.runs(limit=50):
        records = library.results(run.id, simulation=name)
        if records:
            return records[-1].result
    return None


def library_menu(view: Any, names: list[str], has_result: bool, procedure: str | None) -> QMenu:
    """The menu for the selected rows; each action calls `do_action(view, name, names)`."""
    menu = QMenu(view)
    enabled = {"result": has_result and len(names) == 1, "open": len(names) == 1,
               "procedure": bool(procedure), "duplicate": len(names) == 1}
    for entry in ACTIONS:
        if entry is None:
            menu.addSeparator()
            continue
        key, label = entry
        if key == "run" and len(names) > 1:
            label = f"Run {len(names)} simulations"
        action = menu.addAction(label)
        action.setObjectName(f"library-{key}")
        action.setEnabled(enabled.get(key, bool(names)))
        action.triggered.connect(lambda _=False, k=key: do_action(view, k, list(names)))
    return menu


def show_menu(view: Any, pos: QPoint) -> QMenu | None:
    names = view.selected_names()
    if not names:
        return None
    record = view.library.get(names[0]) if view.library is not None else None
    procedure = getattr(getattr(record, "simulation", None), "procedure", None)
    row = view.model.row_of(names[0])
    menu = library_menu(view, names, bool(row is not None and row.status), procedure)
    menu.popup(view.table.viewport().mapToGlobal(pos))
    return menu


def do_action(view: Any, key: str, names: list[str]) -> None:
    """Carry out a menu action; what needs the window (duplicate, delete, show the
    procedure, open the result in the runner) goes out as a signal."""
    if not names:
        return
    if key == "run":
        view.run(names)
    elif key == "result":
        view.open_result(names[0])
    elif key == "open":
        record = view.library.get(names[0]) if view.library is not None else None
        if record is not None:
            view.simulation_activated.emit(record.name, record.simulation)
    else:
        view.action_requested.emit(key, names)

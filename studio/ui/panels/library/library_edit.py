"""Library menu actions that change the project (duplicate, delete) or move to
another screen (show the procedure): they go through the project tree's
undoable commands, so the library, the tree and undo stay in step."""
from __future__ import annotations

from typing import Any


def library_action(host: Any, key: str, names: list[str]) -> None:
    window, panels = host.window, host.panels
    tree = getattr(window, "project_tree", None)
    keys = [panels.key_of(name) for name in names]
    if key == "procedure":
        record = host.library.get(names[0]) if host.library is not None else None
        procedure = getattr(getattr(record, "simulation", None), "procedure", None)
        if procedure and hasattr(window, "open_item"):
            window.open_item("procedure", procedure)
    elif key == "duplicate" and tree is not None:
        new_key = tree.duplicate("simulation", keys[0])
        simulation = panels.project.simulations.get(new_key) if new_key else None
        if simulation is not None:
            panels.editor.set_simulation(simulation, new_key)
            host._show("simulation")
    elif key == "delete" and tree is not None:
        for item in keys:
            if item in panels.project.simulations and not tree.delete("simulation", item):
                break

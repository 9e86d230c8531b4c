"""An item's file as the designer typed it: checked into the model before it may be saved.

The typed text itself is what lands on disk (comments, key order, quoting), so
it must first parse and validate into the item's model; when it does not, the
problems name line and column and the text is kept as a draft, unsaved.
"""
from __future__ import annotations

from typing import Any

from studio.core.connector import Connector
from studio.core.knowledge import Article
from studio.core.problems import Problem
from studio.core.procedure import Procedure
from studio.core.project import model_from_text
from studio.core.settings import ProjectSettings
from studio.core.simulation import Simulation
from studio.core.yaml_hints import GENERIC, yaml_hint
from studio.core.yaml_io import YamlError

MODEL_OF = {"settings": ProjectSettings, "procedure": Procedure, "connector": Connector,
            "simulation": Simulation}


def parse_item_text(kind: str, item_id: str, text: str, rel: str) -> tuple[Any | None, list[Problem]]:
    """The model `text` describes (None when it cannot be saved) and every problem met."""
    if kind == "knowledge":
        try:
            return Article.parse(item_id, text), []
        except YamlError as exc:
            return None, [Problem(code="yaml", file=rel, line=exc.line, column=exc.column,
                                  message=exc.message, hint=yaml_hint(exc.message) or GENERIC)]
    model, source, problems = model_from_text(MODEL_OF[kind], text, rel)
    if model is not None and getattr(model, "id", item_id) != item_id:
        pos = source.locate(("id",)) if source else None
        problems = problems + [Problem(
            code="id", file=rel, line=pos[0] if pos else None, column=pos[1] if pos else None,
            message=f"the id must stay '{item_id}' (it is the file name)",
            hint="rename items from the project tree, which also updates references")]
        model = None
    return model, problems


def describe(problems: list[Problem]) -> str:
    """One line a problem, each starting with its position: for the editor's status line."""
    lines = []
    for p in problems:
        where = f"line {p.line}, column {p.column}: " if p.line and p.column else (
            f"line {p.line}: " if p.line else "")
        lines.append(f"{where}{p.message}" + (f" ({p.hint})" if p.hint else ""))
    return "\n".join(lines)

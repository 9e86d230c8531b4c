"""Icons from the repository's `resources/icons` folder, loaded once."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """`icon("save")`, `icon("step-condition")`; an empty icon when the file is missing."""
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()


def step_icon(kind: str) -> QIcon:
    return icon(f"step-{kind}")

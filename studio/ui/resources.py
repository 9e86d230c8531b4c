"""Icons from the package's `studio/resources/icons` data, loaded once: they ship
inside the wheel and the app bundle, found through importlib.resources."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from PySide6.QtGui import QIcon

from studio.core.step_registry import get_spec

RESOURCES = Path(str(files("studio") / "resources"))


def resource_path(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """`icon("save")`, `icon("step-condition")`; an empty icon when the file is missing."""
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()


def step_icon(kind: str) -> QIcon:
    spec = get_spec(kind)
    return icon(spec.icon if spec is not None else f"step-{kind}")

"""Where the app keeps its settings, recent projects and user data.

`STUDIO_HOME` (used by tests and the smoke run) puts everything under one
folder; otherwise platformdirs' per-user folders are used.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtCore import QSettings

from studio.core.samples import sample_names, samples_root

APP = "procedure-studio"
MAX_RECENT = 10
SAMPLE = "food-delivery"


def data_dir() -> Path:
    home = os.environ.get("STUDIO_HOME")
    if home:
        return Path(home) / "data"
    import platformdirs
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def settings() -> QSettings:
    home = os.environ.get("STUDIO_HOME")
    if home:
        return QSettings(str(Path(home) / "settings.ini"), QSettings.IniFormat)
    import platformdirs
    path = Path(platformdirs.user_config_dir(APP, appauthor=False)) / "settings.ini"
    return QSettings(str(path), QSettings.IniFormat)


def recent_projects() -> list[str]:
    value = settings().value("recent", []) or []
    if isinstance(value, str):
        value = [value]
    return [p for p in value if Path(p, "studio.yaml").exists()]


def add_recent(path: Path) -> None:
    path_s = str(Path(path).resolve())
    recent = [p for p in recent_projects() if p != path_s]
    store = settings()
    store.setValue("recent", [path_s] + recent[:MAX_RECENT - 1])
    store.sync()


def samples_dir() -> Path:
    return samples_root()


def copy_sample(name: str, target: Path | None = None) -> Path:
    """A writable copy of a bundled sample (never edit the bundled one)."""
    source = samples_dir() / name
    if not (source / "studio.yaml").exists():
        raise FileNotFoundError(f"no sample project '{name}' in {samples_dir()}")
    target = target or (data_dir() / "projects" / name)
    if not (target / "studio.yaml").exists():
        shutil.copytree(source, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("library.sqlite*", "__pycache__"))
    return target


def startup_project() -> Path | None:
    """The last project, else a copy of the sample the very first time, else None."""
    recent = recent_projects()
    if recent:
        return Path(recent[0])
    try:
        return copy_sample(SAMPLE)
    except FileNotFoundError:
        names = sample_names()
        return copy_sample(names[0]) if names else None

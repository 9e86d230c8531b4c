"""The user's own settings file: per machine and per person, never in a project.

`settings.yaml` lives in platformdirs' user config folder (or in
$PROCEDURE_STUDIO_CONFIG_DIR). Sections are read by who needs them: `model:`
by studio.llm (a local api_base, timeouts), `user:` by review (the name an
approval carries, DESIGN.md section 5: "from settings, else the OS user").
It never holds API keys.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from .yaml_io import YamlError, atomic_write, parse_yaml

log = logging.getLogger(__name__)

APP_NAME = "procedure-studio"
CONFIG_DIR_ENV = "PROCEDURE_STUDIO_CONFIG_DIR"


def user_settings_path() -> Path:
    folder = os.environ.get(CONFIG_DIR_ENV)
    if not folder:
        import platformdirs
        folder = platformdirs.user_config_dir(APP_NAME, appauthor=False)
    return Path(folder) / "settings.yaml"


def user_section(name: str, path: Path | None = None) -> dict[str, Any]:
    """One mapping of the file; {} when the file or the section is absent or unreadable."""
    path = path or user_settings_path()
    try:
        data, _where = parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, YamlError) as exc:
        log.warning("ignoring unreadable user settings %s: %s", path, exc)
        return {}
    section = data.get(name) if isinstance(data, dict) else None
    return dict(section) if isinstance(section, dict) else {}


def user_name(path: Path | None = None) -> str | None:
    """The name the user gave for approvals, if any."""
    name = user_section("user", path).get("name")
    return str(name).strip() or None if name is not None else None


def remember_user_name(name: str, path: Path | None = None) -> None:
    """Keep `name` as `user: {name: ...}`, leaving the rest of the file (and its
    comments) as it was. A file that cannot be read is not overwritten."""
    from .yaml_roundtrip import dump, load, new_yaml
    path = path or user_settings_path()
    rt = new_yaml()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    data = load(rt, text) if text.strip() else None
    if data is None:
        from ruamel.yaml.comments import CommentedMap
        data = CommentedMap()
    if not hasattr(data, "get"):
        raise ValueError(f"{path} is not a mapping; fix it by hand before saving your name")
    user = data.get("user")
    if not hasattr(user, "get"):
        data["user"] = {"name": name}
    elif user.get("name") == name:
        return
    else:
        user["name"] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, dump(rt, data))

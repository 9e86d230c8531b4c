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
import time
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
    data = _parsed(path or user_settings_path())
    section = data.get(name) if isinstance(data, dict) else None
    return dict(section) if isinstance(section, dict) else {}


_read: dict[Path, tuple[tuple[int, int, int], Any]] = {}


def _parsed(path: Path) -> Any:
    """The file's data, parsed again only when it changed (its inode, size or modified
    time): every model simulation asks for it two or three times (brain, customer, judge).
    None when it is absent or unreadable."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    except OSError:
        stat = None
    seen = (stat.st_ino, stat.st_size, stat.st_mtime_ns) if stat is not None else None
    known = _read.get(path)
    if seen is not None and known is not None and known[0] == seen:
        return known[1]
    try:
        data, _where = parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, YamlError) as exc:
        log.warning("ignoring unreadable user settings %s: %s", path, exc)
        return None
    if seen is not None and time.time_ns() - stat.st_mtime_ns > RACY_NS:
        _read[path] = (seen, data)
    return data


RACY_NS = 2_000_000_000
"""A file changed this recently is read again next time (as git does): a second change
within the file system's clock tick, keeping the size, would not show in the stat."""


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

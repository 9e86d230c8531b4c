"""Autosave of unsaved edits to a recovery folder, and the offer to restore them.

The folder is `<user data>/recovery/<hash of the project path>/` and mirrors
the project's relative file paths; it is emptied whenever everything is saved
or the user declines the recovery.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from studio.core.yaml_io import atomic_write

from .session import ProjectSession


def recovery_dir(data_dir: Path, project_root: Path) -> Path:
    tag = hashlib.sha1(str(Path(project_root).resolve()).encode()).hexdigest()[:16]
    return Path(data_dir) / "recovery" / tag


class Recovery:
    def __init__(self, session: ProjectSession, data_dir: Path):
        self.session = session
        self.folder = recovery_dir(data_dir, session.root)

    def autosave(self) -> list[str]:
        """Write every dirty file's current text (deleted items are not recovered)."""
        written = []
        for key in self.session.dirty_keys():
            text = self.session.current_text(key)
            if text is None:
                continue
            rel = self.session.rel_path(key)
            atomic_write(self.folder / rel, text)
            written.append(rel)
        return written

    def clear(self) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)

    def pending(self) -> list[str]:
        """Recovery files newer than (or different from) the saved project files."""
        if not self.folder.is_dir():
            return []
        out = []
        for path in sorted(self.folder.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            rel = path.relative_to(self.folder).as_posix()
            saved = self.session.root / rel
            if saved.exists():
                if saved.stat().st_mtime > path.stat().st_mtime:
                    continue
                if saved.read_bytes() == path.read_bytes():
                    continue
            out.append(rel)
        return out

    def restore(self, rels: list[str]) -> list[str]:
        """Load recovered texts into the session as unsaved, undoable edits."""
        from .project_commands import ReplaceItems
        changes, restored = [], []
        for rel in rels:
            key = self.session.key_of_rel(rel) or _guess_key(rel)
            if key is None or key[0] == "settings":
                continue
            model = self.session._load_file(key, self.folder / rel)
            if model is None:
                continue
            changes.append((key[0], key[1], self.session.get(*key), key[1], model))
            restored.append(rel)
        if changes:
            self.session.push(ReplaceItems(self.session, changes, "Recover unsaved changes"))
        return restored


def _guess_key(rel: str) -> tuple[str, str] | None:
    folder, _, name = rel.partition("/")
    kind = {"procedures": "procedure", "connectors": "connector", "knowledge": "knowledge",
            "simulations": "simulation"}.get(folder)
    return (kind, Path(name).stem) if kind else None

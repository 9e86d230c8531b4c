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
        """Write every dirty file's current text, or the draft a text editor holds
        when it does not parse yet (deleted items are not recovered)."""
        written = []
        for key in self.session.dirty_keys():
            text = self.session.draft(key)
            if text is None:
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
        """Load recovered texts into the session as unsaved, undoable edits, each with
        its exact text; a text that does not parse comes back as the draft of its
        text editor (for an item that still exists; the window opens a procedure's)."""
        from .item_text import parse_item_text
        from .project_commands import ReplaceItems
        changes, texts, restored = [], [], []
        for rel in rels:
            key = self.session.key_of_rel(rel) or _guess_key(rel)
            if key is None:
                continue
            try:
                text = (self.folder / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            model, _ = parse_item_text(key[0], key[1], text, rel)
            if model is None:
                if self.session.get(*key) is not None:
                    self.session.set_draft(key, text)
                    restored.append(rel)
                continue
            data = model.render() if key[0] == "knowledge" else model.to_data()
            changes.append((key[0], key[1], self.session.get(*key), key[1], model))
            texts.append((key, self.session.typed(key), (text, data)))
            restored.append(rel)
        settings = [c for c in changes if c[0] == "settings"]
        if settings:        # studio.yaml is not a store item: its own step
            self.session.push(ReplaceItems(self.session, settings, "Recover unsaved settings",
                                           texts=[t for t in texts if t[0][0] == "settings"]))
        others = [c for c in changes if c[0] != "settings"]
        if others:
            self.session.push(ReplaceItems(self.session, others, "Recover unsaved changes",
                                           texts=[t for t in texts if t[0][0] != "settings"]))
        return restored


def _guess_key(rel: str) -> tuple[str, str] | None:
    if rel == "studio.yaml":
        return ("settings", "")
    folder, _, name = rel.partition("/")
    kind = {"procedures": "procedure", "connectors": "connector", "knowledge": "knowledge",
            "simulations": "simulation"}.get(folder)
    return (kind, Path(name).stem) if kind else None

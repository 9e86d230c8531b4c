"""A loaded project being edited: its undo stack, per-file dirty state and events.

Views subscribe to the psygnal signals and repaint; they never change the
project except by pushing a command (see `commands.py`) with `session.push`;
commands change it through the emitting methods of `edits.py`.
A file is dirty when what it would contain now differs from what was last
read or written, so undoing back to the saved state makes it clean again.

Text editors hand in the designer's exact text ("typed text", set by undo
commands together with the model it parses into): saving writes that text
itself. Text that does not parse yet is a "draft": kept, autosaved for
recovery, never written to the project.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Iterator

from psygnal import Signal

from studio.core.project import SETTINGS_FILE, Project, load_model, load_project
from studio.core.yaml_io import atomic_write, model_to_yaml

from .command import Command, CommandStack
from .edits import ModelEdits

KINDS = ("procedure", "connector", "knowledge", "simulation")
STORE = {"procedure": "procedures", "connector": "connectors",
         "knowledge": "knowledge", "simulation": "simulations"}
Key = tuple[str, str]   # (kind, id); ("settings", "") for studio.yaml
Typed = tuple[str, Any] | None   # the designer's text and the data it parsed into


def digest(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha1(data).hexdigest()


class ProjectSession(ModelEdits):
    """One open project. Signals (psygnal) fire after every change:

    - ``procedure_changed(procedure_id, step_id_or_None)``: a step's fields
      changed, or (None) the step structure / procedure settings changed.
    - ``items_changed(kind)``: items of a kind were added, removed or renamed.
    - ``item_changed(kind, id)``: an item's content changed (any kind).
    - ``dirty_changed()``, ``saved()``, ``reloaded(kind, id)``.
    - ``flush_requested()``: editors hand in text still waiting for their typing
      pause (before a save, and before closing asks about unsaved changes).
    """

    procedure_changed = Signal(str, object)
    items_changed = Signal(str)
    item_changed = Signal(str, str)
    dirty_changed = Signal()
    saved = Signal()
    reloaded = Signal(str, str)
    flush_requested = Signal()

    def __init__(self, project: Project, stack: CommandStack | None = None):
        """`stack` is the undo history; the app passes its Qt adapter (same calls)."""
        self.project = project
        self.undo_stack = stack if stack is not None else CommandStack()
        self._saved: dict[Key, Any] = {}
        self._dirty: set[Key] = set()
        self._written: dict[str, str] = {}     # absolute path -> digest of our last write
        self._typed: dict[Key, tuple[str, Any]] = {}
        self._saved_text: dict[Key, str | None] = {}   # file text at last read/write (typed keys)
        self._drafts: dict[Key, str] = {}
        for key in self.keys():
            self._saved[key] = self.current_data(key)

    @classmethod
    def open(cls, root: Path | str, stack: CommandStack | None = None) -> "ProjectSession":
        return cls(load_project(Path(root)), stack)

    @property
    def root(self) -> Path:
        return self.project.root

    # -- items ----------------------------------------------------------------
    def store(self, kind: str) -> dict:
        return getattr(self.project, STORE[kind])

    def keys(self) -> Iterator[Key]:
        yield ("settings", "")
        for kind in KINDS:
            for item_id in self.store(kind):
                yield (kind, item_id)

    def get(self, kind: str, item_id: str) -> Any | None:
        if kind == "settings":
            return self.project.settings
        return self.store(kind).get(item_id)

    def rel_path(self, key: Key) -> str:
        return SETTINGS_FILE if key[0] == "settings" else self.project.file_of(*key)

    def key_of_rel(self, rel: str) -> Key | None:
        for key in list(self._saved) + list(self.keys()):
            if self.rel_path(key) == rel:
                return key
        return None

    def current_data(self, key: Key) -> Any:
        item = self.get(*key)
        if item is None:
            return None
        return item.render() if key[0] == "knowledge" else item.to_data()

    def current_text(self, key: Key) -> str | None:
        """The text the item's file would hold if saved now: the designer's typed text
        while it still describes the item; otherwise, over the typed text or the file,
        with the designer's comments and layout where the data is unchanged."""
        item = self.get(*key)
        if item is None:
            return None
        typed = self._typed.get(key)
        if typed is not None and typed[1] == self.current_data(key):
            return typed[0]
        if key[0] == "knowledge":
            on_disk = self.file_text(key)
            if typed is None and on_disk is not None and self._data_of_text(key, on_disk) == item.render():
                return on_disk
            return item.render()
        return model_to_yaml(item, typed[0] if typed is not None else self.file_text(key))

    def _data_of_text(self, key: Key, text: str) -> Any:
        from .item_text import parse_item_text
        model, _ = parse_item_text(key[0], key[1], text, self.rel_path(key))
        if model is None:
            return None
        return model.render() if key[0] == "knowledge" else model.to_data()

    # -- typed text and drafts (text editors) -----------------------------------------
    def typed(self, key: Key) -> Typed:
        return self._typed.get(key)

    def set_typed(self, key: Key, typed: Typed) -> None:
        """Called by undo commands, before they swap the model and touch the item."""
        if key not in self._saved_text:
            self._saved_text[key] = self.file_text(key) if key in self._saved else None
        if typed is None:
            self._typed.pop(key, None)
        else:
            self._typed[key] = typed

    def draft(self, key: Key) -> str | None:
        return self._drafts.get(key)

    def drafts(self) -> dict[Key, str]:
        return dict(self._drafts)

    def set_draft(self, key: Key, text: str | None) -> None:
        """Text that does not parse (None: the editor's text is fine again). Keeps the
        file dirty, so closing asks and autosave keeps it; saving skips it."""
        if text is None:
            if self._drafts.pop(key, None) is None:
                return
        else:
            self._drafts[key] = text
        self._update_dirty([key])

    def file_text(self, key: Key) -> str | None:
        """What the item's file holds on disk now (None when there is none yet)."""
        try:
            path = self.root / self.rel_path(key)
            return path.read_text(encoding="utf-8") if path.is_file() else None
        except (OSError, UnicodeDecodeError, KeyError, ValueError):
            return None

    # -- change notification (called by commands) ------------------------------
    def push(self, command: Command) -> None:
        self.undo_stack.push(command)

    def macro(self, text: str):
        """Commands pushed inside `with session.macro(text):` undo as one."""
        return self.undo_stack.macro(text)

    def touch(self, kind: str, item_id: str, step_id: str | None = None,
              structure: bool = True) -> None:
        """A command changed an item: update dirty state and tell the views."""
        self._update_dirty([(kind, item_id)])
        if kind == "procedure":
            self.procedure_changed.emit(item_id, None if structure else step_id)
        self.item_changed.emit(kind, item_id)

    def touch_items(self, kind: str, ids: list[str]) -> None:
        self._update_dirty([(kind, i) for i in ids])
        self.items_changed.emit(kind)
        for item_id in ids:
            if kind == "procedure" and item_id in self.project.procedures:
                self.procedure_changed.emit(item_id, None)
            self.item_changed.emit(kind, item_id)

    def _update_dirty(self, keys: list[Key]) -> None:
        before = set(self._dirty)
        for key in keys:
            if self._changed(key):
                self._dirty.add(key)
            else:
                self._dirty.discard(key)
        if before != self._dirty:
            self.dirty_changed.emit()

    def _changed(self, key: Key) -> bool:
        if key in self._drafts or self.current_data(key) != self._saved.get(key):
            return True
        if key in self._typed and self.get(*key) is not None:
            return self.current_text(key) != self._saved_text.get(key)
        return False

    # -- dirty state and saving -------------------------------------------------
    @property
    def is_dirty(self) -> bool:
        return bool(self._dirty)

    def dirty_keys(self) -> list[Key]:
        return sorted(self._dirty)

    def is_key_dirty(self, key: Key) -> bool:
        return key in self._dirty

    def save(self, keys: list[Key] | None = None) -> list[Path]:
        """Write dirty files atomically (all when `keys` is None); deleted items lose their file.
        Typed text is written as typed; a file with a draft (text that does not parse)
        is not written and stays dirty (see `drafts`)."""
        self.flush_requested.emit()
        written = []
        for key in list(self._dirty if keys is None else [k for k in keys if k in self._dirty]):
            if key in self._drafts:
                continue
            path = self.root / self.rel_path(key)
            item = self.get(*key)
            if key in self._typed and item is not None:
                text = self.current_text(key)
                atomic_write(path, text)
                self.project.files.setdefault(f"{key[0]}:{key[1]}", self.rel_path(key))
                self._saved[key] = self.current_data(key)
                self._saved_text[key] = text
                self._written[str(path)] = digest(path.read_bytes())
            elif item is None:
                if path.exists():
                    path.unlink()
                self.project.files.pop(f"{key[0]}:{key[1]}", None)
                self._saved.pop(key, None)
                self._saved_text.pop(key, None)
            else:
                if key[0] == "settings":
                    self.project.save_settings()
                elif key[0] == "procedure":
                    self.project.save_procedure(item)
                elif key[0] == "connector":
                    self.project.save_connector(item)
                elif key[0] == "knowledge":
                    self.project.save_article(item)
                else:
                    self.project.save_simulation(key[1], item)
                self.project.files.setdefault(f"{key[0]}:{key[1]}", self.rel_path(key))
                self._saved[key] = self.current_data(key)
                self._written[str(path)] = digest(path.read_bytes())
                if key in self._saved_text:
                    self._saved_text[key] = path.read_text(encoding="utf-8")
            self._dirty.discard(key)
            written.append(path)
        self.dirty_changed.emit()
        self.saved.emit()
        return written

    def saved_data(self, key: Key) -> Any:
        """What the item's file held at the last read or write (None: no file yet)."""
        return self._saved.get(key)

    def mark_saved(self, key: Key) -> None:
        """The item was written by someone else (an editor's own save function): it is clean."""
        self._saved[key] = self.current_data(key)
        path = self.root / self.rel_path(key)
        if path.is_file():
            self._written[str(path)] = digest(path.read_bytes())
            if key in self._saved_text:
                self._saved_text[key] = path.read_text(encoding="utf-8")
        self._update_dirty([key])

    def is_own_write(self, path: Path | str) -> bool:
        """True when the file on disk is exactly what we last wrote or read."""
        path = Path(path)
        known = self._written.get(str(path))
        if not path.exists():
            return known is None and self.key_of_rel(self._rel(path)) is None
        current = digest(path.read_bytes())
        if known is not None:
            return current == known
        key = self.key_of_rel(self._rel(path))
        if key is None:
            return False
        saved = self._saved.get(key)
        return saved is not None and self._data_of_file(key, path) == saved

    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def _data_of_file(self, key: Key, path: Path) -> Any:
        model = self._load_file(key, path)
        if model is None:
            return None
        return model.render() if key[0] == "knowledge" else model.to_data()

    def _load_file(self, key: Key, path: Path) -> Any:
        from studio.core.connector import Connector
        from studio.core.knowledge import Article
        from studio.core.procedure import Procedure
        from studio.core.settings import ProjectSettings
        from studio.core.simulation import Simulation
        if key[0] == "knowledge":
            try:
                return Article.parse(key[1], path.read_text(encoding="utf-8"))
            except Exception:
                return None
        cls = {"settings": ProjectSettings, "procedure": Procedure, "connector": Connector,
               "simulation": Simulation}[key[0]]
        model, _, _ = load_model(cls, path, self._rel(path))
        return model

    def reload_from_disk(self, rel: str) -> bool:
        """Take the disk version of a file (after an outside change); history is cleared."""
        key = self.key_of_rel(rel)
        if key is None:
            return False
        path = self.root / rel
        model = self._load_file(key, path) if path.exists() else None
        if path.exists() and model is None:
            return False
        if key[0] == "settings":
            self.project.settings = model
        elif model is None:
            self.store(key[0]).pop(key[1], None)
        else:
            self.store(key[0])[key[1]] = model
        self._saved[key] = self.current_data(key)
        if path.exists():
            self._written[str(path)] = digest(path.read_bytes())
        self.undo_stack.clear()
        self._typed.pop(key, None)
        self._drafts.pop(key, None)
        self._saved_text.pop(key, None)
        self._update_dirty([key])
        self.items_changed.emit(key[0])
        if key[0] == "procedure":
            self.procedure_changed.emit(key[1], None)
        self.item_changed.emit(*key)
        self.reloaded.emit(*key)
        return True

    # -- files that did not load ----------------------------------------------------
    def broken_files(self) -> list[str]:
        """Project files that could not be read (they show as load problems)."""
        return sorted({p.file for p in self.project.load_problems
                       if p.file and (self.root / p.file).is_file() and self.key_of_rel(p.file) is None})

    def adopt_file(self, rel: str) -> bool:
        """A file the app did not have (fixed outside, or new: written by hand or by the
        CLI): load it into the project (nothing of it was in the app, so nothing can be
        lost). Its load problems are refreshed either way; True when it loaded."""
        folders = {"procedures": "procedure", "connectors": "connector",
                   "knowledge": "knowledge", "simulations": "simulation"}
        path = self.root / rel
        kind = folders.get(Path(rel).parts[0]) if len(Path(rel).parts) == 2 else None
        if kind is None or not path.is_file():
            return False
        item_id = path.stem
        if kind == "knowledge":
            model, problems = self._load_file((kind, item_id), path), []
        else:
            from studio.core.connector import Connector
            from studio.core.procedure import Procedure
            from studio.core.simulation import Simulation
            cls = {"procedure": Procedure, "connector": Connector, "simulation": Simulation}[kind]
            model, _, problems = load_model(cls, path, rel)
        others = [p for p in self.project.load_problems if p.file != rel]
        if model is None:
            self.project.load_problems = others + [p for p in problems if p.severity.value == "error"]
            self._written[str(path)] = digest(path.read_bytes())
            return False
        item_id = getattr(model, "id", None) or item_id
        self.project.load_problems = others
        self.store(kind)[item_id] = model
        self.project.files[f"{kind}:{item_id}"] = rel
        key = (kind, item_id)
        self._saved[key] = self.current_data(key)
        self._written[str(path)] = digest(path.read_bytes())
        self._update_dirty([key])
        self.items_changed.emit(kind)
        self.item_changed.emit(*key)
        return True

    def mark_own_write(self, path: Path) -> None:
        if path.exists():
            self._written[str(path)] = digest(path.read_bytes())

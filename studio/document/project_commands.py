"""Undo commands on whole project items: add, rename (with references), duplicate, delete."""
from __future__ import annotations

from typing import Any

from studio.core.connector import Connector
from studio.core.knowledge import Article
from studio.core.procedure import Procedure
from studio.core.simulation import Simulation

from .command import Command
from .references import renamed_references
from .session import Key, ProjectSession, Typed
from .tree_ops import unique_id

MERGE_REPLACE = 1010
Change = tuple[str, str | None, Any, str | None, Any]   # kind, old id, old, new id, new
TextChange = tuple[Key, Typed, Typed]                    # key, typed text before, after


class ReplaceItems(Command):
    """Swap whole items in and out of the project; the base of every item command.

    `texts` carries the designer's exact file text along (text editors, recovery)."""

    def __init__(self, session: ProjectSession, changes: list[Change], text: str,
                 merge_key: str | None = None, texts: list[TextChange] | None = None):
        super().__init__(text)
        self.session, self.changes, self.merge_key = session, list(changes), merge_key
        self.texts = list(texts or [])

    @property
    def merge_id(self) -> int:
        return MERGE_REPLACE if self.merge_key else -1

    def merge_with(self, other: Command) -> bool:
        if not (isinstance(other, ReplaceItems) and other.merge_key == self.merge_key
                and len(other.changes) == len(self.changes) == 1
                and other.changes[0][1] == self.changes[0][3]):
            return False
        kind, old_id, old, _, _ = self.changes[0]
        _, _, _, new_id, new = other.changes[0]
        self.changes = [(kind, old_id, old, new_id, new)]
        merged = {key: (before, after) for key, before, after in self.texts}
        for key, before, after in other.texts:
            merged[key] = (merged.get(key, (before, None))[0], after)
        self.texts = [(key, before, after) for key, (before, after) in merged.items()]
        return True

    def _apply(self, forward: bool) -> None:
        for key, before, after in self.texts:
            self.session.set_typed(key, after if forward else before)
        changes = [(k, a, b, c, d) if forward else (k, c, d, a, b)
                   for k, a, b, c, d in self.changes]
        if any(k == "settings" for k, *_ in changes):     # studio.yaml: one object, no store
            self.session.set_settings(changes[0][4])
            return
        self.session.replace_items(
            [(kind, old_id) for kind, old_id, old, _, _ in changes if old is not None],
            [(kind, new_id, new) for kind, _, _, new_id, new in changes if new is not None])

    def redo(self):
        self._apply(True)

    def undo(self):
        self._apply(False)


def empty_item(kind: str, item_id: str, title: str = "") -> Any:
    if kind == "procedure":
        return Procedure(id=item_id, title=title or item_id.replace("-", " ").capitalize())
    if kind == "connector":
        return Connector(id=item_id, description=title, sample={"ok": True})
    if kind == "knowledge":
        return Article(id=item_id, title=title or item_id, body=f"# {title or item_id}\n\n")
    return Simulation(name=title or item_id)


def add_item(session: ProjectSession, kind: str, item_id: str, item: Any | None = None) -> ReplaceItems:
    item = item if item is not None else empty_item(kind, item_id)
    return ReplaceItems(session, [(kind, None, None, item_id, item)], f"Add {kind}")


def delete_item(session: ProjectSession, kind: str, item_id: str) -> ReplaceItems:
    old = session.get(kind, item_id)
    return ReplaceItems(session, [(kind, item_id, old, None, None)], f"Delete {kind}")


def _with_id(kind: str, item: Any, new_id: str) -> Any:
    data = item.model_dump(mode="json", by_alias=True)
    if kind == "simulation":
        return type(item).model_validate(data)
    data["id"] = new_id
    return type(item).model_validate(data)


def duplicate_item(session: ProjectSession, kind: str, item_id: str) -> tuple[str, ReplaceItems]:
    new_id = unique_id(f"{item_id}-copy", session.store(kind))
    copy = _with_id(kind, session.get(kind, item_id), new_id)
    if kind == "simulation":
        copy.name = f"{copy.name} (copy)"
    elif hasattr(copy, "title") and copy.title:
        copy.title = f"{copy.title} (copy)"
    return new_id, ReplaceItems(session, [(kind, None, None, new_id, copy)], f"Duplicate {kind}")


def rename_item(session: ProjectSession, kind: str, old_id: str, new_id: str,
                update_references: bool = True) -> ReplaceItems:
    """Rename an item; references in other items follow when `update_references`."""
    old = session.get(kind, old_id)
    changes: list[Change] = [(kind, old_id, old, new_id, _with_id(kind, old, new_id))]
    if update_references:
        for ref_kind, ref_id, updated in renamed_references(session.project, kind, old_id, new_id):
            if (ref_kind, ref_id) == (kind, old_id):
                changes[0] = (kind, old_id, old, new_id, _with_id(kind, updated, new_id))
                continue
            changes.append((ref_kind, ref_id, session.get(ref_kind, ref_id), ref_id, updated))
    return ReplaceItems(session, changes, f"Rename {kind}")


def replace_item(session: ProjectSession, kind: str, item_id: str, new: Any,
                 merge: bool = True) -> ReplaceItems:
    """An edited copy of one item (text editors of articles and connectors); typing merges."""
    return ReplaceItems(session, [(kind, item_id, session.get(kind, item_id), item_id, new)],
                        f"Edit {kind}", merge_key=f"{kind}:{item_id}" if merge else None)


def replace_item_text(session: ProjectSession, kind: str, item_id: str, new: Any, text: str,
                      merge_key: str | None = None) -> ReplaceItems:
    """The designer's text of one item and the model it parses into: saving writes
    the text itself. Commands with the same `merge_key` merge (typing)."""
    key = (kind, item_id)
    data = new.render() if kind == "knowledge" else new.to_data()
    before = (session.current_text(key), session.current_data(key))   # undo brings this text back
    return ReplaceItems(session, [(kind, item_id, session.get(kind, item_id), item_id, new)],
                        f"Edit {kind} text", merge_key=merge_key,
                        texts=[(key, before, (text, data))])

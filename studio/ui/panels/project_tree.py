"""The project tree: procedures, connectors, knowledge and simulations, with item commands."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from studio.core.ids import is_valid_id, slugify

from studio.document import project_commands as pc
from studio.document.references import references
from studio.document.session import KINDS, ProjectSession
from ..prompts import Prompts
from ..resources import icon

# the tree's own keys: they win over the window's Delete / Ctrl+D (which act on steps)
KEYS = {"delete": "Del", "rename": "F2", "duplicate": "Ctrl+D", "open": "Return"}
GROUPS = {"procedure": "Procedures", "connector": "Connectors", "knowledge": "Knowledge",
          "simulation": "Simulations"}
KIND_ROLE = Qt.UserRole + 1
ID_ROLE = Qt.UserRole + 2


class ProjectTree(QWidget):
    open_requested = Signal(str, str)     # kind, id
    text_requested = Signal(str, str)     # kind, id: the file as YAML text (simulations, procedures)

    def __init__(self, prompts: Prompts, parent=None):
        super().__init__(parent)
        self.prompts = prompts
        self.session: ProjectSession | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setMinimumWidth(220)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemDoubleClicked.connect(self._activated)
        self.tree.installEventFilter(self)
        layout.addWidget(self.tree)

    def set_session(self, session: ProjectSession | None) -> None:
        if self.session is not None:
            self.session.items_changed.disconnect(self._on_items)
            self.session.dirty_changed.disconnect(self.rebuild)
        self.session = session
        if session is not None:
            session.items_changed.connect(self._on_items)
            session.dirty_changed.connect(self.rebuild)
        self.rebuild()

    def _on_items(self, _kind: str) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        expanded = {self.tree.topLevelItem(i).data(0, KIND_ROLE)
                    for i in range(self.tree.topLevelItemCount())
                    if self.tree.topLevelItem(i).isExpanded()}
        current = self.current()
        self.tree.clear()
        if self.session is None:
            return
        for kind in KINDS:
            store = self.session.store(kind)
            group = QTreeWidgetItem([f"{GROUPS[kind]}  ({len(store)})"])
            group.setData(0, KIND_ROLE, kind)
            group.setIcon(0, icon(kind))
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            for item_id in sorted(store):
                item = store[item_id]
                title = getattr(item, "title", None) or getattr(item, "name", None)
                label = title if kind in ("procedure", "simulation") and title else item_id
                if self.session.is_key_dirty((kind, item_id)):
                    label = "● " + label
                child = QTreeWidgetItem([label])
                child.setData(0, KIND_ROLE, kind)
                child.setData(0, ID_ROLE, item_id)
                child.setIcon(0, icon(kind))
                child.setToolTip(0, f"{title or item_id}\n{self.session.rel_path((kind, item_id))}")
                group.addChild(child)
                if current == (kind, item_id):
                    self.tree.setCurrentItem(child)
            group.setExpanded(not expanded or kind in expanded)

    def current(self) -> tuple[str, str | None] | None:
        item = self.tree.currentItem()
        return (item.data(0, KIND_ROLE), item.data(0, ID_ROLE)) if item else None

    def select(self, kind: str, item_id: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                child = group.child(j)
                if (child.data(0, KIND_ROLE), child.data(0, ID_ROLE)) == (kind, item_id):
                    self.tree.setCurrentItem(child)

    def _activated(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        if item.data(0, ID_ROLE):
            self.open_requested.emit(item.data(0, KIND_ROLE), item.data(0, ID_ROLE))

    # -- keyboard ---------------------------------------------------------------------
    @staticmethod
    def _key_command(event) -> str | None:
        """Which tree command a key press means (Delete, F2, Ctrl+D, Enter), if any."""
        key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not mods:
            return "open"
        if key == Qt.Key.Key_F2 and not mods:
            return "rename"
        if key == Qt.Key.Key_D and mods == Qt.KeyboardModifier.ControlModifier:
            return "duplicate"
        if (key == Qt.Key.Key_Delete and not mods) or event.matches(QKeySequence.StandardKey.Delete):
            return "delete"
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            command = self._key_command(event)
            if command is not None and self.tree.state() != self.tree.State.EditingState:
                event.accept()          # ShortcutOverride: the key comes here, not to the window
                if event.type() == QEvent.Type.KeyPress:
                    self.run_key(command)
                return True
        return super().eventFilter(watched, event)

    def run_key(self, command: str) -> None:
        """Apply a keyboard command to the current item; Enter on a group folds it."""
        item = self.tree.currentItem()
        if item is None or self.session is None:
            return
        kind, item_id = item.data(0, KIND_ROLE), item.data(0, ID_ROLE)
        if not item_id:
            if command == "open":
                item.setExpanded(not item.isExpanded())
            return
        {"open": lambda: self.open_requested.emit(kind, item_id),
         "rename": lambda: self.rename(kind, item_id),
         "duplicate": lambda: self.duplicate(kind, item_id),
         "delete": lambda: self.delete(kind, item_id)}[command]()

    def _menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        if item is None or self.session is None:
            return
        kind, item_id = item.data(0, KIND_ROLE), item.data(0, ID_ROLE)
        menu = self.context_menu(item)
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def context_menu(self, item: QTreeWidgetItem) -> QMenu:
        """The item's menu; the keyboard shortcuts of the tree are shown next to their commands."""
        kind, item_id = item.data(0, KIND_ROLE), item.data(0, ID_ROLE)
        menu = QMenu(self)

        def add(text: str, slot, key: str | None = None, icon_name: str | None = None) -> None:
            action = QAction(text, menu)
            if icon_name:
                action.setIcon(icon(icon_name))
            if key:
                action.setShortcut(QKeySequence(KEYS[key]))
                action.setShortcutVisibleInContextMenu(True)
            action.triggered.connect(lambda _checked=False: slot())
            menu.addAction(action)

        add(f"Add {kind}…", lambda: self.add(kind), icon_name="add")
        if item_id:
            add("Open", lambda: self.open_requested.emit(kind, item_id), "open")
            if kind in ("simulation", "procedure"):
                add("Show YAML", lambda: self.text_requested.emit(kind, item_id))
            add("Rename…", lambda: self.rename(kind, item_id), "rename")
            add("Duplicate", lambda: self.duplicate(kind, item_id), "duplicate", "duplicate")
            add("Delete", lambda: self.delete(kind, item_id), "delete", "delete")
        return menu

    # -- item commands (each one undoable) ------------------------------------------
    def add(self, kind: str, name: str | None = None, template: str | None = None) -> str | None:
        if kind == "procedure" and name is None:
            choice = self.prompts.new_procedure()
            name, template = choice if choice else (None, None)
        name = name or self.prompts.ask_text(f"New {kind}", "Name (an id is made from it):")
        if not name:
            return None
        store = self.session.store(kind)
        item_id = slugify(name)
        if item_id in store:
            self.prompts.error(f"New {kind}", f"There is already a {kind} '{item_id}'.")
            return None
        item = pc.empty_item(kind, item_id, name)
        if kind == "procedure" and template:
            from studio.core.procedure import Procedure
            from studio.core.procedure_templates import procedure_data
            item = Procedure.model_validate(procedure_data(template, item_id, name))
        self.session.push(pc.add_item(self.session, kind, item_id, item))
        self.select(kind, item_id)
        self.open_requested.emit(kind, item_id)
        return item_id

    def rename(self, kind: str, item_id: str, new_id: str | None = None) -> bool:
        new_id = new_id or self.prompts.ask_text(f"Rename {kind}", "New id:", item_id)
        if not new_id or new_id == item_id:
            return False
        if not is_valid_id(new_id) or new_id in self.session.store(kind):
            self.prompts.error(f"Rename {kind}",
                               f"'{new_id}' is not a free id (lower-case letters, digits, - and _).")
            return False
        refs = references(self.session.project, kind, item_id)
        update = True
        if refs:
            names = ", ".join(f"{k} {i}" for k, i in refs[:8])
            answer = self.prompts.yes_no_cancel(
                f"Rename {kind}", f"{len(refs)} item(s) refer to '{item_id}': {names}.\n\n"
                                  "Update those references too?")
            if answer == "cancel":
                return False
            update = answer == "yes"
        self.session.push(pc.rename_item(self.session, kind, item_id, new_id, update))
        self.select(kind, new_id)
        return True

    def duplicate(self, kind: str, item_id: str) -> str:
        new_id, command = pc.duplicate_item(self.session, kind, item_id)
        self.session.push(command)
        self.select(kind, new_id)
        return new_id

    def delete(self, kind: str, item_id: str) -> bool:
        refs = references(self.session.project, kind, item_id)
        text = f"Delete {kind} '{item_id}'? You can undo this until you close the project."
        if refs:
            text += f"\n\n{len(refs)} item(s) still refer to it and will show problems."
        if not self.prompts.confirm(f"Delete {kind}", text):
            return False
        neighbours = sorted(self.session.store(kind))
        index = neighbours.index(item_id) if item_id in neighbours else 0
        self.session.push(pc.delete_item(self.session, kind, item_id))
        rest = [n for n in neighbours if n != item_id]
        if rest:      # the keyboard carries on from the next item
            self.select(kind, rest[min(index, len(rest) - 1)])
        return True

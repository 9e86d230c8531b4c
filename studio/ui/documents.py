"""The central tab area: one tab per open document, made by a factory per kind.

Other panels add kinds with `register_kind("simulation", factory)` where
`factory(session, item_id) -> QWidget`; the widget may define `title()` and
`dispose()` (called when the tab closes or the project changes).
A kind may name a second view of an item: "procedure:text" is the procedure
"procedure" shown as its YAML file (`item_kind` gives the item's kind).
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from studio.document.session import ProjectSession
from .resources import icon

Factory = Callable[[ProjectSession, str], QWidget]
TEXT_VIEW = ":text"


def item_kind(kind: str) -> str:
    """The kind of the item a document shows ("procedure:text" shows a "procedure")."""
    return kind.split(":", 1)[0]


class DocumentArea(QTabWidget):
    current_document_changed = Signal(object)    # the widget, or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabsClosable(True)
        self.setMovable(True)
        self.setDocumentMode(True)
        self.factories: dict[str, Factory] = {}
        self.session: ProjectSession | None = None
        self.tabCloseRequested.connect(self.close_tab)
        self.currentChanged.connect(lambda _i: self.current_document_changed.emit(self.currentWidget()))

    def register_kind(self, kind: str, factory: Factory) -> None:
        self.factories[kind] = factory

    def set_session(self, session: ProjectSession | None) -> None:
        self.close_all()
        self.session = session
        if session is not None:
            session.items_changed.connect(self._on_items)

    def documents(self) -> list[QWidget]:
        return [self.widget(i) for i in range(self.count())]

    def find(self, kind: str, item_id: str) -> QWidget | None:
        return next((w for w in self.documents()
                     if getattr(w, "kind", None) == kind and getattr(w, "item_id", None) == item_id), None)

    def open(self, kind: str, item_id: str) -> QWidget | None:
        existing = self.find(kind, item_id)
        if existing is not None:
            self.setCurrentWidget(existing)
            return existing
        factory = self.factories.get(kind)
        if factory is None or self.session is None or self.session.get(item_kind(kind), item_id) is None:
            return None
        widget = factory(self.session, item_id)
        widget.kind, widget.item_id = kind, item_id
        index = self.addTab(widget, icon(item_kind(kind)), _label(widget))
        self.setTabToolTip(index, self.session.rel_path((item_kind(kind), item_id)))
        self.setCurrentIndex(index)
        return widget

    def close_tab(self, index: int) -> None:
        widget = self.widget(index)
        self.removeTab(index)
        if hasattr(widget, "dispose"):
            widget.dispose()
        widget.deleteLater()

    def close_all(self) -> None:
        if self.session is not None:
            try:
                self.session.items_changed.disconnect(self._on_items)
            except Exception:
                pass
        while self.count():
            self.close_tab(0)

    def _on_items(self, kind: str) -> None:
        """Close tabs whose item disappeared (deleted or renamed); retitle the rest."""
        for widget in self.documents():
            if item_kind(getattr(widget, "kind", "")) != kind:
                continue
            if self.session.get(kind, widget.item_id) is None:
                self.close_tab(self.indexOf(widget))
        self.update_titles()

    def update_titles(self) -> None:
        if self.session is None:
            return
        for i, widget in enumerate(self.documents()):
            key = (item_kind(getattr(widget, "kind", "")), getattr(widget, "item_id", ""))
            dirty = self.session.is_key_dirty(key)
            self.setTabText(i, ("● " if dirty else "") + _label(widget))


def _label(widget: QWidget) -> str:
    title = getattr(widget, "title", None)
    return title() if callable(title) else getattr(widget, "item_id", "")

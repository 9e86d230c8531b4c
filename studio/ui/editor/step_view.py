"""The card list: a tree view whose indentation is drawn as branch lanes."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QAbstractItemView, QTreeView

from ..theme import colors
from .step_delegate import StepDelegate
from .step_model import NODE_ROLE


class StepView(QTreeView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setIndentation(26)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(False)
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setDragDropMode(QAbstractItemView.DragDrop)
        self.setDefaultDropAction(Qt.MoveAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setAutoScroll(True)
        self.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setExpandsOnDoubleClick(False)
        self.setAnimated(False)
        self.setFrameShape(QTreeView.NoFrame)
        self.setItemDelegate(StepDelegate(self))
        self.setStyleSheet("QTreeView { background: palette(window); padding: 8px 4px; }"
                           "QTreeView::item:selected, QTreeView::item:hover "
                           "{ background: transparent; }")
        self._relayout = QTimer(self, singleShot=True, interval=60)
        self._relayout.timeout.connect(self.doItemsLayout)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._relayout.start()

    def drawRow(self, painter, option, index):
        """Cards paint their own selection: keep Qt's row highlight out of the lane area."""
        opt = type(option)(option)
        palette = opt.palette
        palette.setColor(palette.ColorRole.Highlight, QColor(0, 0, 0, 0))
        opt.palette = palette
        super().drawRow(painter, opt, index)

    def drawBranches(self, painter: QPainter, rect, index):
        """Lanes: a tinted bar for each enclosing branch, and a chevron to collapse."""
        c = colors()
        node = index.data(NODE_ROLE)
        if node is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        indent = self.indentation()
        lane = c.kind("condition")
        lane.setAlpha(70 if c.dark else 55)
        # ancestors that are branch nodes get a lane line
        level, parent = node.depth, node.parent
        while parent is not None:
            x = rect.left() + indent * parent.depth + indent // 2
            if parent.is_branch:
                painter.fillRect(QRectF(x - 1.5, rect.top(), 3, rect.height()), lane)
            parent = parent.parent
        if self.model().rowCount(index) > 0:
            x = rect.left() + indent * level + indent / 2
            y = rect.top() + (18 if not node.is_branch else 17)
            painter.setPen(QPen(c.q("muted"), 1.6))
            painter.setBrush(Qt.NoBrush)
            if self.isExpanded(index):
                pts = [QPointF(x - 4, y - 2), QPointF(x, y + 2), QPointF(x + 4, y - 2)]
            else:
                pts = [QPointF(x - 2, y - 4), QPointF(x + 2, y), QPointF(x - 2, y + 4)]
            painter.drawPolyline(QPolygonF(pts))
        painter.restore()

"""The procedure as a flowchart: nodes top-down, branches as labelled edges.

Layout is a simple recursive one (a condition's branches side by side, then
they join), rebuilt on change; zoom with Ctrl+wheel, pan by dragging.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (QBrush, QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath,
                           QPen, QPolygonF)
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsPathItem, QGraphicsScene,
                               QGraphicsSimpleTextItem, QGraphicsView)

from studio.core.steps import ConditionStep

from ..resources import step_icon
from ..theme import MARK_COLORS, colors
from .step_text import headline

NODE_W, DIAMOND_W, DIAMOND_H = 188, 168, 56
VGAP, HGAP, EMPTY_W = 36, 18, 72
TEXT_PT, ID_PT, LABEL_PT, MAX_LINES = 9.5, 9.0, 8.5, 3
LEGIBLE_SCALE = 0.65   # opening/resizing never shrinks below this: node text stays readable
MIN_SCALE = 0.15       # zoom floor (Fit may go this far to show a huge chart whole)


def _terminal(step) -> bool:
    if step.when:
        return False
    return step.kind in ("end", "switch") or (step.kind == "checkpoint" and step.mode == "handoff")


def _node_font(bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(ID_PT if bold else TEXT_PT)
    font.setBold(bold)
    return font


def wrap_lines(text: str, fm: QFontMetrics, width: int, max_lines: int) -> list[str]:
    """Word-wrapped lines, the last one elided when the text is longer."""
    lines, rest = [], " ".join(text.split())
    while rest and len(lines) < max_lines:
        cut = len(rest)
        while fm.horizontalAdvance(rest[:cut]) > width and cut > 1:
            space = rest.rfind(" ", 0, cut - 1)
            cut = space if space > 0 else cut - 1
        lines.append(rest[:cut])
        rest = rest[cut:].lstrip()
    if rest and lines:
        lines[-1] = fm.elidedText(lines[-1] + " " + rest, Qt.ElideRight, width)
    return lines


class StepNode(QGraphicsItem):
    """A step as a card (its id and headline, as tall as the headline needs) or, for a
    condition, a diamond narrower than a card so branch columns stay compact."""

    def __init__(self, step, x: float, y: float):
        super().__init__()
        self.step_id, self.kind = step.id, step.kind
        self.text = headline(step)
        self.is_condition = isinstance(step, ConditionStep)
        self.lines = [] if self.is_condition else wrap_lines(
            self.text, QFontMetrics(_node_font()), NODE_W - 24, MAX_LINES)
        line_h = QFontMetrics(_node_font()).lineSpacing()
        self.w = DIAMOND_W if self.is_condition else NODE_W
        self.h = DIAMOND_H if self.is_condition else 30 + max(1, len(self.lines)) * line_h + 8
        self.mark: str | None = None
        self.setPos(x - self.w / 2, y)
        self.setFlag(QGraphicsItem.ItemIsSelectable, True)
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip(f"{step.id}: {self.text}")

    def boundingRect(self) -> QRectF:
        return QRectF(-3, -3, self.w + 6, self.h + 6)

    def top(self) -> QPointF:
        return self.pos() + QPointF(self.w / 2, 0)

    def bottom(self) -> QPointF:
        return self.pos() + QPointF(self.w / 2, self.h)

    def paint(self, painter: QPainter, option, widget=None):
        c = colors()
        painter.setRenderHint(QPainter.Antialiasing)
        color = c.kind(self.kind)
        border = c.q("accent") if self.isSelected() else color
        if self.mark in MARK_COLORS:
            border = QColor(MARK_COLORS[self.mark])
        painter.setPen(QPen(border, 2.4 if self.isSelected() or self.mark else 1.4))
        painter.setBrush(QColor(c.card))
        bold = _node_font(bold=True)
        if self.is_condition:
            w, h = self.w, self.h
            poly = QPolygonF([QPointF(w / 2, 0), QPointF(w, h / 2), QPointF(w / 2, h), QPointF(0, h / 2)])
            tint = QColor(color)
            tint.setAlpha(40 if not c.dark else 70)
            painter.save()
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor(c.card))       # opaque under the tint
            painter.drawPolygon(poly)
            painter.restore()
            painter.setBrush(tint)
            painter.drawPolygon(poly)
            painter.setFont(bold)
            painter.setPen(c.q("text"))
            label = QFontMetrics(bold).elidedText(f"{self.step_id}?", Qt.ElideMiddle, int(w / 2) + 10)
            painter.drawText(QRectF(0, 0, w, h), Qt.AlignCenter, label)
            return
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, self.w, self.h), 8, 8)
        painter.drawPath(path)
        painter.save()
        painter.setClipPath(path)
        painter.fillRect(QRectF(0, 0, 5, self.h), color)
        painter.restore()
        step_icon(self.kind).paint(painter, QRect(12, 8, 16, 16))
        painter.setFont(bold)
        painter.setPen(color.darker(130) if not c.dark else color.lighter(130))
        ident = QFontMetrics(bold).elidedText(self.step_id, Qt.ElideRight, self.w - 46)
        painter.drawText(QRectF(34, 6, self.w - 44, 20), Qt.AlignVCenter, ident)
        painter.setFont(_node_font())
        painter.setPen(c.q("text"))
        painter.drawText(QRectF(12, 30, self.w - 20, self.h - 32), Qt.AlignLeft | Qt.AlignTop,
                         "\n".join(self.lines))


class FlowchartView(QGraphicsView):
    step_selected = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setMinimumWidth(120)
        self.nodes: dict[str, StepNode] = {}
        self._syncing = False
        self._marks: dict[str, str] = {}
        self._shown_once = False
        self._fit_mode: str | None = "auto"   # "auto" (opening view), "all" (Fit), None (user's own)
        self.scene().selectionChanged.connect(self._on_selection)
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.actionTriggered.connect(self._user_moved)

    def _user_moved(self, *_args) -> None:
        self._fit_mode = None     # the user scrolled: keep their view on edits and resizes

    def sizeHint(self) -> QSize:
        return QSize(380, 600)

    # -- building ------------------------------------------------------------------
    def show_procedure(self, procedure) -> None:
        self._syncing = True
        scene = self.scene()
        scene.clear()
        self.nodes = {}
        scene.setBackgroundBrush(QBrush(colors().q("base")))
        start = self._pill(f"Start · {procedure.title or procedure.id}", 0, 0)
        exits = self._place(procedure.steps, 0, start.bottom().y() + VGAP, [(start.bottom(), "", 0)])
        last_y = max((e[0].y() for e in exits), default=0) + VGAP
        if exits:
            done = self._pill("continue / end", 0, last_y)
            for point, label, label_w in exits:
                self._edge(point, done.top(), label, label_w=label_w)
        for step_id, mark in self._marks.items():
            if step_id in self.nodes:
                self.nodes[step_id].mark = mark
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-40, -30, 40, 40))
        if not self._shown_once:
            self._shown_once = True
            self.fit()
        else:                                       # until the user zooms or pans
            self._refit()
        self._syncing = False

    class _Pill:
        def __init__(self, item, top, bottom):
            self.item, self._top, self._bottom = item, top, bottom

        def top(self):
            return self._top

        def bottom(self):
            return self._bottom

    def _pill(self, text: str, cx: float, y: float):
        c = colors()
        label = QGraphicsSimpleTextItem(text)
        label.setFont(_node_font(bold=True))
        label.setBrush(c.q("muted"))
        w = label.boundingRect().width() + 24
        path = QPainterPath()
        path.addRoundedRect(QRectF(cx - w / 2, y, w, 26), 13, 13)
        item = QGraphicsPathItem(path)
        item.setBrush(c.q("lane"))
        item.setPen(QPen(c.q("border"), 1))
        self.scene().addItem(item)
        label.setParentItem(item)
        label.setPos(cx - w / 2 + 12, y + 13 - label.boundingRect().height() / 2)
        return self._Pill(item, QPointF(cx, y), QPointF(cx, y + 26))

    def _measure(self, steps: list) -> float:
        width = NODE_W if steps else EMPTY_W
        for step in steps:
            if isinstance(step, ConditionStep) and step.branches:
                inner = sum(self._measure(b.steps) for b in step.branches)
                inner += HGAP * (len(step.branches) - 1)
                if not any(b.is_else for b in step.branches):
                    inner += EMPTY_W + HGAP
                width = max(width, inner)
        return width

    def _place(self, steps: list, cx: float, y: float, incoming: list) -> list:
        for step in steps:
            node = StepNode(step, cx, y)
            self.scene().addItem(node)
            self.nodes[step.id] = node
            for point, label, label_w in incoming:
                self._edge(point, node.top(), label, label_w=label_w)
            y += node.h + VGAP
            if isinstance(step, ConditionStep) and step.branches:
                before = set(self.nodes)
                incoming = self._place_branches(step, node, cx, y)
                # below every step the branches drew (an empty ELSE lane's exit is high up:
                # what follows must not be drawn over the IF lane's steps)
                lows = [n.bottom().y() for k, n in self.nodes.items() if k not in before]
                y = max([e[0].y() for e in incoming] + lows) + VGAP
                incoming = self._lower_exits(incoming, y - VGAP / 2)
            elif _terminal(step):
                incoming = []
            else:
                incoming = [(node.bottom(), "", 0)]
        return incoming

    def _lower_exits(self, exits: list, y: float) -> list:
        """Exits of short lanes run straight down to `y` before they join."""
        out = []
        for point, label, label_w in exits:
            if point.y() < y - 1:
                self._edge(point, QPointF(point.x(), y), arrow=False)
                point = QPointF(point.x(), y)
            out.append((point, label, label_w))
        return out

    def _place_branches(self, step, node: StepNode, cx: float, y: float) -> list:
        widths = [self._measure(b.steps) for b in step.branches]
        has_else = any(b.is_else for b in step.branches)
        total = sum(widths) + HGAP * (len(widths) - 1) + (0 if has_else else EMPTY_W + HGAP)
        x = cx - total / 2
        out = []
        for branch, width in zip(step.branches, widths):
            bcx = x + width / 2
            label = "else" if branch.is_else else branch.when
            if branch.steps:
                out += self._place(branch.steps, bcx, y, [(node.bottom(), label, width)])
            else:
                anchor = QPointF(bcx, y + 10)
                self._edge(node.bottom(), anchor, label, arrow=False, label_w=width)
                out.append((anchor, "", 0))
            x += width + HGAP
        if not has_else:
            anchor = QPointF(x + EMPTY_W / 2, y + 10)
            self._edge(node.bottom(), anchor, "otherwise", arrow=False, label_w=EMPTY_W)
            out.append((anchor, "", 0))
        return out

    def _edge(self, a: QPointF, b: QPointF, label: str = "", arrow: bool = True,
              label_w: float = 0) -> None:
        c = colors()
        path = QPainterPath(a)
        if abs(a.x() - b.x()) < 0.5:
            path.lineTo(b)
        else:
            mid = a.y() + min(18, (b.y() - a.y()) / 2) if b.y() > a.y() else a.y() + 18
            path.lineTo(a.x(), mid)
            path.lineTo(b.x(), mid)
            path.lineTo(b)
        if arrow:
            path.moveTo(b)
            path.lineTo(b + QPointF(-4, -7))
            path.moveTo(b)
            path.lineTo(b + QPointF(4, -7))
        item = QGraphicsPathItem(path)
        item.setPen(QPen(c.q("muted"), 1.3))
        item.setZValue(-1)
        self.scene().addItem(item)
        if label:
            font = QFont()
            font.setPointSizeF(LABEL_PT)
            room = int(max(label_w, EMPTY_W) - 10)
            text = QGraphicsSimpleTextItem(QFontMetrics(font).elidedText(label, Qt.ElideRight, room))
            text.setFont(font)
            text.setBrush(QColor("#B45309") if not c.dark else QColor("#FBBF24"))
            rect = text.boundingRect()
            bg = QGraphicsPathItem()
            p = QPainterPath()
            p.addRoundedRect(QRectF(0, 0, rect.width() + 8, rect.height() + 2), 4, 4)
            bg.setPath(p)
            bg.setBrush(c.q("base"))
            bg.setPen(QPen(Qt.NoPen))
            bg.setPos(b.x() - rect.width() / 2 - 4, b.y() - rect.height() - 12)
            bg.setToolTip(label)
            text.setParentItem(bg)
            text.setPos(4, 1)
            self.scene().addItem(bg)

    # -- selection & marks --------------------------------------------------------------
    def _on_selection(self) -> None:
        if self._syncing:
            return
        try:
            items = self.scene().selectedItems()
        except RuntimeError:
            return
        ids = [i.step_id for i in items if isinstance(i, StepNode)]
        if ids:
            self.step_selected.emit(ids)

    def select_steps(self, ids: list[str]) -> None:
        self._syncing = True
        try:
            self.scene().clearSelection()
            for step_id in ids:
                node = self.nodes.get(step_id)
                if node:
                    node.setSelected(True)
            if ids and ids[-1] in self.nodes:
                self.ensureVisible(self.nodes[ids[-1]], 40, 40)
        finally:
            self._syncing = False

    def set_marks(self, marks: dict[str, str]) -> None:
        self._marks = dict(marks)
        for step_id, node in self.nodes.items():
            node.mark = self._marks.get(step_id)
            node.update()

    # -- zoom, pan, export --------------------------------------------------------------
    def wheelEvent(self, event):
        self._fit_mode = None
        if event.modifiers() & Qt.ControlModifier:
            self.zoom(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)

    def zoom(self, factor: float) -> None:
        scale = self.transform().m11() * factor
        self._fit_mode = None
        if MIN_SCALE <= scale <= 4:
            self.scale(factor, factor)

    def fit(self) -> None:
        """The opening view: the whole chart if it fits at a readable size (never enlarged
        past 100%), else its width down to LEGIBLE_SCALE, from the top, centred on the
        main path; what is left over is a scroll or a drag away (and Fit shows it all)."""
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        view_w, view_h = self._room()
        by_width = min(1.0, view_w / rect.width())
        whole = min(by_width, view_h / rect.height())
        self.resetTransform()
        if whole >= LEGIBLE_SCALE:
            self.scale(whole, whole)
            self.centerOn(rect.center())
            return
        scale = max(LEGIBLE_SCALE, by_width)
        self.scale(scale, scale)
        x = rect.center().x() if scale == by_width else 0.0   # the main path, under Start
        self.centerOn(x, rect.top() + view_h / (2 * scale))

    def fit_all(self) -> None:
        """Everything in view, however small that makes it (never enlarged past 100%)."""
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        view_w, view_h = self._room()
        scale = max(MIN_SCALE, min(1.0, view_w / rect.width(), view_h / rect.height()))
        self.resetTransform()
        self.scale(scale, scale)
        self.centerOn(rect.center())

    def _room(self) -> tuple[int, int]:
        return max(1, self.viewport().width() - 4), max(1, self.viewport().height() - 4)

    def _refit(self) -> None:
        if self._fit_mode == "auto":
            self.fit()
        elif self._fit_mode == "all":
            self.fit_all()

    def fit_width(self) -> None:   # the old name, kept for callers
        self.fit()

    def user_fit(self) -> None:
        """The Fit action (Ctrl+0): show it all, and keep doing so on resize until the user
        zooms or pans."""
        self._fit_mode = "all"
        self.fit_all()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self.scene().items():
            self._refit()

    def mousePressEvent(self, event):
        self._fit_mode = None      # the user pans: stop re-fitting on resize
        super().mousePressEvent(event)

    def export_png(self, path: str, scale: float = 2.0) -> None:
        rect = self.scene().sceneRect()
        image = QImage(int(rect.width() * scale), int(rect.height() * scale), QImage.Format_ARGB32)
        image.fill(colors().q("base"))
        painter = QPainter(image)
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.scene().render(painter, QRectF(image.rect()), rect)
        painter.end()
        if not image.save(path):
            raise OSError(f"cannot write {path}")

    def export_svg(self, path: str) -> None:
        from PySide6.QtSvg import QSvgGenerator
        rect = self.scene().sceneRect()
        gen = QSvgGenerator()
        gen.setFileName(path)
        gen.setSize(rect.size().toSize())
        gen.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        gen.setTitle("Procedure flowchart")
        painter = QPainter(gen)
        self.scene().render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
        painter.end()

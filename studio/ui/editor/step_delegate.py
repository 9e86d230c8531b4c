"""Paints each step as a card (kind colour, icon, text, problems, run marks) and edits inline."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QStyle, QStyledItemDelegate

from ..resources import icon, step_icon
from ..theme import MARK_COLORS, MARK_LABELS, colors
from .step_model import COVERAGE_ROLE, MARK_ROLE, NODE_ROLE, PROBLEMS_ROLE
from .step_text import branch_label, branch_words, details, headline, kind_label

PAD_X, PAD_Y, GAP = 14, 10, 3
ICON = 18
MAX_CODE_LINES = 6
BRANCH_H = 30


class StepDelegate(QStyledItemDelegate):
    def __init__(self, view):
        super().__init__(view)
        self.view = view
        base = view.font()
        self.f_text = QFont(base)
        self.f_text.setPointSizeF(base.pointSizeF() + 0.5)
        self.f_small = QFont(base)
        self.f_small.setPointSizeF(max(7.0, base.pointSizeF() - 1.5))
        self.f_kind = QFont(self.f_small)
        self.f_kind.setBold(True)
        self.f_kind.setLetterSpacing(QFont.PercentageSpacing, 104)
        self.f_code = QFont("monospace")
        self.f_code.setStyleHint(QFont.Monospace)
        self.f_code.setPointSizeF(base.pointSizeF())

    # -- geometry ----------------------------------------------------------------
    def _card_rect(self, rect: QRect) -> QRect:
        return rect.adjusted(2, 4, -12, -4)

    def _text_width(self, index) -> int:
        node = index.data(NODE_ROLE)
        width = self.view.viewport().width() - self.view.indentation() * (node.depth + 1)
        return max(120, width - 14 - PAD_X * 2 - ICON - 10)

    def _main_text(self, step) -> tuple[str, QFont]:
        if step.kind == "code":
            lines = step.code.rstrip().splitlines() or [""]
            if len(lines) > MAX_CODE_LINES:
                lines = lines[:MAX_CODE_LINES - 1] + [f"… {len(lines) - MAX_CODE_LINES + 1} more lines"]
            return "\n".join(lines), self.f_code
        return headline(step), self.f_text

    def sizeHint(self, option, index):
        node = index.data(NODE_ROLE)
        if node is None:
            return QSize(100, 40)
        if node.is_branch:
            words = self._words(node)
            return QSize(200, BRANCH_H + 6 + (QFontMetrics(self.f_small).height() + 4 if words else 0))
        width = self._text_width(index)
        text, font = self._main_text(node.step)
        fm, fs = QFontMetrics(font), QFontMetrics(self.f_small)
        flags = Qt.TextWordWrap if node.step.kind != "code" else 0
        h = fm.boundingRect(QRect(0, 0, width, 10000), flags, text or " ").height()
        h = min(h, fm.lineSpacing() * 8) if node.step.kind != "code" else h
        extra = sum(fs.boundingRect(QRect(0, 0, width, 1000), Qt.TextWordWrap, d).height() + GAP
                    for d in details(node.step))
        return QSize(200, PAD_Y * 2 + fs.height() + GAP + 2 + h + extra + 8)

    # -- painting ----------------------------------------------------------------
    def paint(self, painter: QPainter, option, index):
        node = index.data(NODE_ROLE)
        if node is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        if node.is_branch:
            self._paint_branch(painter, option, node)
        else:
            self._paint_step(painter, option, index, node)
        painter.restore()

    def _words(self, node) -> str:
        """The branch's condition in plain words (shown under its pill)."""
        procedure = getattr(self.view.model(), "procedure", None)
        return branch_words(node.step.branches[node.branch], getattr(procedure, "variables", None))

    def _paint_branch(self, painter, option, node):
        c = colors()
        branch = node.step.branches[node.branch]
        label = branch_label(branch, node.branch)
        color = c.kind("condition")
        fm = QFontMetrics(self.f_kind)
        r = option.rect.adjusted(2, 4, -12, -2)
        text_w = min(fm.horizontalAdvance(label) + 24, r.width())
        pill = QRectF(r.left(), r.top(), text_w, BRANCH_H - 4)
        fill = QColor(color)
        fill.setAlpha(60 if c.dark else 38)
        selected = option.state & QStyle.State_Selected
        painter.setPen(QPen(color if selected else Qt.transparent, 1.5))
        painter.setBrush(fill)
        painter.drawRoundedRect(pill, 11, 11)
        painter.setFont(self.f_kind)
        painter.setPen(QColor("#FBBF24") if c.dark else QColor("#92400E"))
        painter.drawText(pill.adjusted(12, 0, -8, 0), Qt.AlignVCenter | Qt.AlignLeft,
                         fm.elidedText(label, Qt.ElideRight, int(pill.width()) - 20))
        if not branch.steps:
            painter.setFont(self.f_small)
            painter.setPen(c.q("muted"))
            painter.drawText(QRectF(pill.right() + 10, pill.top(), 300, pill.height()),
                             Qt.AlignVCenter, "empty — drop steps here")
        words = self._words(node)
        if words:
            painter.setFont(self.f_small)
            painter.setPen(c.q("muted"))
            fs = QFontMetrics(self.f_small)
            line = QRectF(r.left() + 12, pill.bottom() + 2, r.width() - 12, fs.height() + 2)
            painter.drawText(line, Qt.AlignVCenter | Qt.AlignLeft,
                             fs.elidedText(words, Qt.ElideRight, int(line.width())))

    def _paint_step(self, painter, option, index, node):
        c = colors()
        step = node.step
        r = QRectF(self._card_rect(option.rect))
        selected = bool(option.state & QStyle.State_Selected)
        problems = index.data(PROBLEMS_ROLE) or []
        has_error = any(p.severity.value == "error" for p in problems)
        mark = index.data(MARK_ROLE)
        path = QPainterPath()
        path.addRoundedRect(r, 8, 8)
        painter.fillPath(path, c.q("card_selected") if selected else c.q("card"))
        border = c.q("accent") if selected else (QColor("#DC2626") if has_error else c.q("border"))
        if mark in MARK_COLORS:
            border = QColor(MARK_COLORS[mark])
        painter.setPen(QPen(border, 2 if (selected or mark) else 1))
        painter.drawPath(path)
        kind_color = c.kind(step.kind)
        painter.save()
        painter.setClipPath(path)
        painter.fillRect(QRectF(r.left(), r.top(), 5, r.height()), kind_color)
        if mark in MARK_COLORS:
            tint = QColor(MARK_COLORS[mark])
            tint.setAlpha(28)
            painter.fillRect(r, tint)
        painter.restore()

        x, y = r.left() + PAD_X, r.top() + PAD_Y
        step_icon(step.kind).paint(painter, QRect(int(x), int(y) - 1, ICON, ICON))
        tx = x + ICON + 10
        fs = QFontMetrics(self.f_kind)
        cov = index.data(COVERAGE_ROLE)
        right = r.right() - 12 - (22 if problems else 0) - (16 if cov in MARK_COLORS else 0)
        badge_text = MARK_LABELS.get(mark, mark).upper() if mark in MARK_COLORS else ""
        badge = fs.horizontalAdvance(badge_text) + 8 if badge_text else 0
        label, ident = self.header_fit(step, right - badge - tx, marked=bool(badge_text))
        painter.setFont(self.f_kind)
        painter.setPen(kind_color.lighter(130) if c.dark else kind_color.darker(125))
        painter.drawText(QRectF(tx, y, 400, fs.height()), Qt.AlignLeft | Qt.AlignVCenter, label)
        painter.setFont(self.f_small)
        painter.setPen(c.q("muted"))
        id_x = tx + (fs.horizontalAdvance(label) + 10 if label else 0)
        room = max(0, int(right - id_x - badge))              # the id never runs under the badge
        painter.drawText(QRectF(id_x, y, room, fs.height()), Qt.AlignLeft | Qt.AlignVCenter,
                         QFontMetrics(self.f_small).elidedText(ident, Qt.ElideRight, room))
        right = r.right() - 12
        if problems:
            name = "error" if has_error else "warning"
            icon(name).paint(painter, QRect(int(right) - 16, int(y) - 1, 16, 16))
            right -= 22
        if cov in MARK_COLORS:
            painter.setBrush(QColor(MARK_COLORS[cov]))
            painter.setPen(Qt.NoPen)
            painter.drawEllipse(QRectF(right - 10, y + 2, 10, 10))
            right -= 16
        if badge_text:
            painter.setFont(self.f_kind)
            painter.setPen(QColor(MARK_COLORS[mark]))
            painter.drawText(QRectF(right - 110, y, 110, fs.height()), Qt.AlignRight | Qt.AlignVCenter,
                             badge_text)

        y += fs.height() + GAP + 2
        width = self._text_width(index)
        text, font = self._main_text(step)
        painter.setFont(font)
        painter.setPen(c.q("text"))
        fm = QFontMetrics(font)
        flags = Qt.TextWordWrap if step.kind != "code" else 0
        h = fm.boundingRect(QRect(0, 0, width, 10000), flags, text or " ").height()
        if step.kind != "code":
            h = min(h, fm.lineSpacing() * 8)
        painter.drawText(QRectF(tx, y, width, h), Qt.AlignLeft | Qt.AlignTop | flags, text)
        y += h + GAP
        painter.setFont(self.f_small)
        fsm = QFontMetrics(self.f_small)
        for line in details(step):
            lh = fsm.boundingRect(QRect(0, 0, width, 1000), Qt.TextWordWrap, line).height()
            painter.setPen(c.q("muted"))
            painter.drawText(QRectF(tx, y, width, lh), Qt.AlignLeft | Qt.TextWordWrap, line)
            y += lh + GAP

    def header_fit(self, step, room: float, marked: bool) -> tuple[str, str]:
        """The kind label and "#id" for a header `room` px wide (before the badge): on a
        narrow card with a run mark the label goes (the icon says the kind) so the id stays whole."""
        label, ident = kind_label(step.kind).upper(), f"#{step.id}"
        needed = QFontMetrics(self.f_kind).horizontalAdvance(label) + 10 \
            + QFontMetrics(self.f_small).horizontalAdvance(ident)
        return (label if needed <= room or not marked else ""), ident

    # -- inline editing ------------------------------------------------------------
    def createEditor(self, parent, option, index):
        node = index.data(NODE_ROLE)
        if node.is_branch:
            editor = QLineEdit(parent)
        else:
            editor = QPlainTextEdit(parent)
            editor.setTabChangesFocus(True)
            if node.step.kind == "code":
                editor.setFont(self.f_code)
                editor.setProperty("multiline", True)
            else:
                editor.setFont(self.f_text)
        editor.setObjectName("InlineEditor")
        return editor

    def setEditorData(self, editor, index):
        text = index.data(Qt.EditRole) or ""
        if isinstance(editor, QLineEdit):
            editor.setText(text)
        elif editor.toPlainText() != text:
            editor.setPlainText(text)
            editor.selectAll()

    def setModelData(self, editor, model, index):
        text = editor.text() if isinstance(editor, QLineEdit) else editor.toPlainText()
        model.setData(index, text, Qt.EditRole)

    def updateEditorGeometry(self, editor, option, index):
        r = self._card_rect(option.rect)
        node = index.data(NODE_ROLE)
        if node.is_branch:
            editor.setGeometry(r.left(), r.top(), min(r.width(), 520), BRANCH_H - 4)
        else:
            editor.setGeometry(r.adjusted(PAD_X + ICON + 4, 22, -8, -6))

    def eventFilter(self, editor, event):
        if (event.type() == QEvent.KeyPress and isinstance(editor, QPlainTextEdit)
                and event.key() in (Qt.Key_Return, Qt.Key_Enter)
                and not event.modifiers() & Qt.ShiftModifier
                and (not editor.property("multiline") or event.modifiers() & Qt.ControlModifier)):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QStyledItemDelegate.NoHint)
            return True
        return super().eventFilter(editor, event)

"""The conversation as chat bubbles; each agent turn folds out its reasoning
(procedure chosen and why, conditions with their values, connector calls,
variables, checkpoints, model reasoning) read from the result's trace."""
from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QSizePolicy,
                               QToolButton, QVBoxLayout, QWidget)

from ...theme import colors, tone
from .reasoning import events_by_turn, reasoning_html, reasoning_rows, visible

BUBBLE_CSS = {
    "customer": "background:#eef1f5; border:1px solid #d5dbe3; color:#1d232b;",
    "agent": "background:#e3effd; border:1px solid #b9d4f5; color:#10263f;",
    "note": "background:#fff6df; border:1px dashed #e0b44c; color:#4a3500;",
    "system": "background:transparent; border:none; color:#6b7683;",
}
DARK_BUBBLE_CSS = {
    "customer": "background:#2a2f38; border:1px solid #3a404c; color:#e5e7eb;",
    "agent": "background:#1c3050; border:1px solid #2f5d8f; color:#e5e7eb;",
    "note": "background:#3a3020; border:1px dashed #8a6d2c; color:#f3e3b5;",
    "system": "background:transparent; border:none; color:#9ca3af;",
}


def bubble_css(role: str) -> str:
    return (DARK_BUBBLE_CSS if colors().dark else BUBBLE_CSS).get(role, "")


# a note comes from any checkpoint (an approval's decision too), not only a handoff
ROLE_TITLE = {"customer": "Customer", "agent": "Agent", "note": "Internal note", "system": ""}


class Bubble(QFrame):
    """One transcript entry; agent bubbles carry a fold-out reasoning panel."""

    def __init__(self, entry: Any, reasoning: list[dict] | None, attachments_dir: Path | None):
        super().__init__()
        self.role = entry.role
        self.entry = entry
        self.setObjectName(f"bubble-{entry.role}")
        self.setStyleSheet(f"QFrame#{self.objectName()} {{ {bubble_css(entry.role)}"
                           " border-radius:10px; }")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        title = ROLE_TITLE.get(entry.role, entry.role)
        where = " · ".join(x for x in (entry.procedure, entry.step) if x)
        if title:
            head = QLabel(f"<span style='font-weight:600'>{title}</span>"
                          + tone(f" <span style='color:#6b7683'>{where}</span>" if where else ""))
            head.setStyleSheet("background:transparent; border:none; font-size:11px;")
            layout.addWidget(head)
        self.text = QLabel(entry.text or "")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setStyleSheet("background:transparent; border:none; font-size:13px;")
        if entry.role == "system":
            self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.text)
        for att in entry.attachments or []:
            layout.addWidget(_attachment_chip(att, attachments_dir))
        self.toggle: QToolButton | None = None
        self.details: QLabel | None = None
        if reasoning is not None:
            self.toggle = QToolButton()
            self.toggle.setCheckable(True)
            self.toggle.setText(f"Reasoning · {len(visible(reasoning))} decisions")
            self.toggle.setArrowType(Qt.ArrowType.RightArrow)
            self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            self.toggle.setStyleSheet(tone("QToolButton { border:none; background:transparent;"
                                           " color:#2f5d8f; font-size:11px; }"))
            self.details = ReasoningPanel(reasoning)
            self.details.setVisible(False)
            self.toggle.toggled.connect(self.set_expanded)
            layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
            layout.addWidget(self.details)

    def set_expanded(self, on: bool) -> None:
        if self.toggle is None or self.details is None:
            return
        if self.toggle.isChecked() != on:
            self.toggle.setChecked(on)
            return
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.details.setVisible(on)

    @property
    def reasoning_text(self) -> str:
        return self.details.html if self.details else ""


class ReasoningPanel(QFrame):
    """The decisions behind one agent turn, one row per trace event."""

    def __init__(self, events: list[dict]):
        super().__init__()
        self.setObjectName("reasoning")
        c = colors()
        self.setStyleSheet(f"QFrame#reasoning {{ background:{c.card}; border:1px solid {c.border};"
                           " border-radius:6px; } QLabel { background:transparent; border:none;"
                           f" color:{c.text}; font-size:12px; }}")
        self.html = reasoning_html(events)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        rows = reasoning_rows(events)
        if not rows:
            grid.addWidget(QLabel("<i>No decisions recorded for this turn.</i>"), 0, 0, 1, 2)
        for i, (badge_html, text_html) in enumerate(rows):
            badge = QLabel(tone(badge_html))
            badge.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            text = QLabel(tone(text_html))
            text.setTextFormat(Qt.TextFormat.RichText)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            grid.addWidget(badge, i, 0)
            grid.addWidget(text, i, 1)
        grid.setColumnStretch(1, 1)


def _attachment_chip(att: dict, attachments_dir: Path | None) -> QWidget:
    name = str(att.get("file") or att.get("name") or "attachment")
    chip = QWidget()
    chip.setStyleSheet("background:transparent; border:none;")
    row = QHBoxLayout(chip)
    row.setContentsMargins(0, 2, 0, 2)
    path = attachments_dir / name if attachments_dir else None
    pix = QPixmap(str(path)) if path and path.is_file() else QPixmap()
    if not pix.isNull():
        thumb = QLabel()
        thumb.setPixmap(pix.scaled(96, 96, Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation))
        row.addWidget(thumb)
    extracted = att.get("extracted") or {}
    facts = ", ".join(f"{k}: {json.dumps(v)}" for k, v in extracted.items())
    label = QLabel(tone(f"<span style='color:#6b7683'>attachment</span> <b>{html.escape(name)}</b>"
                        + (f"<br><span style='color:#6b7683'>reads as {html.escape(facts)}</span>"
                           if facts else "")))
    label.setStyleSheet("font-size:11px;")
    row.addWidget(label)
    row.addStretch(1)
    return chip


class TranscriptView(QScrollArea):
    """Scrollable column of bubbles: customer on the left, agent on the right."""

    step_clicked = Signal(str, str)   # procedure id, step id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._body = QWidget()
        self._body.setObjectName("transcript-body")
        self._body.setStyleSheet(f"QWidget#transcript-body {{ background:{colors().base}; }}")
        self._column = QVBoxLayout(self._body)
        self._column.setContentsMargins(12, 12, 12, 12)
        self._column.setSpacing(8)
        self._column.addStretch(1)
        self.setWidget(self._body)
        self.bubbles: list[Bubble] = []
        self.attachments_dir: Path | None = None

    def restyle(self) -> None:
        """The theme changed: the body takes the new colours (bubbles are re-made by the owner)."""
        self._body.setStyleSheet(f"QWidget#transcript-body {{ background:{colors().base}; }}")

    def expanded_rows(self) -> list[int]:
        return [n for n, b in enumerate(self.agent_bubbles()) if b.toggle.isChecked()]

    def clear(self) -> None:
        for bubble in self.bubbles:
            row = bubble.parentWidget()
            self._column.removeWidget(row)    # gone at once, not only when Qt gets to deleting it
            row.hide()
            row.deleteLater()
        self.bubbles = []

    def show_placeholder(self, text: str) -> None:
        self.clear()
        self._add_row(_SystemEntry(text), None)

    def set_result(self, result: Any) -> None:
        self.clear()
        grouped = events_by_turn(list(result.trace or []))
        # reasoning goes on the last agent entry of each customer turn (a note if none)
        owner: dict[int, int] = {}
        for index, entry in enumerate(result.transcript):
            turn = entry.turn or 0
            if entry.role == "agent" or (entry.role == "note" and turn not in owner):
                owner[turn] = index
        if set(owner) == {0} and grouped and 0 not in grouped:
            grouped = {0: [e for evs in grouped.values() for e in evs]}   # turns not numbered
        for index, entry in enumerate(result.transcript):
            turn = entry.turn or 0
            events = grouped.get(turn, []) if owner.get(turn) == index else None
            self._add_row(entry, events)
        orphans = [e for turn, evs in grouped.items() if turn not in owner for e in evs]
        if orphans:
            self._add_row(_SystemEntry("Engine decisions without a reply"), orphans)
        if result.error:
            self._add_row(_SystemEntry(f"⚠ {result.error}"), None)

    def _add_row(self, entry: Any, reasoning: list[dict] | None) -> Bubble:
        bubble = Bubble(entry, reasoning, self.attachments_dir)
        row = QWidget()
        row.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        if entry.role == "agent":
            line.addStretch(1)
            line.addWidget(bubble, 6)
        elif entry.role in ("note", "system"):
            line.addStretch(1)
            line.addWidget(bubble, 8)
            line.addStretch(1)
        else:
            line.addWidget(bubble, 6)
            line.addStretch(1)
        self._column.insertWidget(self._column.count() - 1, row)
        self.bubbles.append(bubble)
        return bubble

    def agent_bubbles(self) -> list[Bubble]:
        return [b for b in self.bubbles if b.toggle is not None]

    def expand_all(self, on: bool = True) -> None:
        for bubble in self.agent_bubbles():
            bubble.set_expanded(on)

    def scroll_to_end(self) -> None:
        """After the new bubbles are laid out (the range grows only then)."""
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
        QTimer.singleShot(0, self, lambda: bar.setValue(bar.maximum()))
        QTimer.singleShot(80, self, lambda: bar.setValue(bar.maximum()))   # wrapped bubbles settle late


class _SystemEntry:
    role = "system"
    procedure = None
    step = None
    attachments: list = []
    turn = 0

    def __init__(self, text: str):
        self.text = text

"""A conversation beside what today's procedures do with it, turn by turn; the turns
where they diverge are marked and say how."""
from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

ROLE_COLOURS = {"customer": "#2d5f9a", "agent": "#1e7b34", "human": "#8a4fb3", "note": "#7a6a00"}
MARK = "#fbe3b8"


def _turns(messages: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """Messages grouped by customer turn (1-based); text before the first is turn 0."""
    out: dict[int, list[dict[str, Any]]] = {}
    turn = 0
    for message in messages:
        if message.get("role") == "customer":
            turn = message.get("turn") or turn + 1
        out.setdefault(turn, []).append(message)
    return out


def render(messages: list[dict[str, Any]], marks: dict[int, list[str]]) -> str:
    blocks = []
    for turn, items in sorted(_turns(messages).items()):
        lines = "".join(
            f"<p><b style='color:{ROLE_COLOURS.get(m.get('role'), '#444')}'>{escape(m.get('role', ''))}"
            f"</b>: {escape(m.get('text', ''))}</p>" for m in items)
        notes = "".join(f"<p style='color:#a04000'>&#9670; {escape(n)}</p>" for n in marks.get(turn, []))
        style = f" style='background:{MARK}'" if turn in marks else ""
        blocks.append(f"<div{style}><small>turn {turn}</small>{lines}{notes}</div><hr/>")
    return "".join(blocks) or "<p><i>nothing</i></p>"


class SideBySide(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.production = QTextBrowser()
        self.today = QTextBrowser()
        self.production_title = QLabel("<b>Production</b>")
        self.today_title = QLabel("<b>Today's procedures</b>")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title, view in ((self.production_title, self.production), (self.today_title, self.today)):
            column = QVBoxLayout()
            column.addWidget(title)
            column.addWidget(view)
            layout.addLayout(column)

    def show_pair(self, conv: Any, replay: Any) -> None:
        marks: dict[int, list[str]] = {}
        for d in (replay.divergences if replay is not None else []):
            marks.setdefault(d.turn or 1, []).append(f"{d.kind.replace('_', ' ')}: {d.message}"
                                                    + (f" (trace #{d.trace_index})"
                                                       if d.trace_index is not None else ""))
        self.production_title.setText(
            f"<b>Production</b>: {escape(conv.procedure or '(no procedure)')}, "
            f"{escape(conv.outcome or 'outcome unknown')}")
        self.production.setHtml(render([m.model_dump() for m in conv.messages], marks))
        if replay is None:
            self.today_title.setText("<b>Today's procedures</b>: replaying…")
            self.today.setHtml("")
            return
        self.today_title.setText(
            f"<b>Today's procedures</b>: {escape(replay.triggered or '(no procedure)')}, "
            f"{escape(replay.outcome or replay.status)}")
        self.today.setHtml(render(replay.transcript, marks))

    def clear(self) -> None:
        self.production.clear()
        self.today.clear()

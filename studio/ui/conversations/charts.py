"""Triggered, resolved and handed off per week (production), as a pyqtgraph chart that
exports as PNG and its numbers as CSV."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio.flywheel.browse import series_csv

COLOURS = {"triggered": "#5c6b7a", "resolved": "#1e7b34", "handoff": "#b26a00",
           "unresolved": "#b3261e"}


class ChartsView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        import pyqtgraph as pg
        self.series: list[dict[str, Any]] = []
        self.plot = pg.PlotWidget(background="w")
        self.plot.addLegend(offset=(10, 10))
        self.plot.showGrid(y=True, alpha=0.25)
        self.plot.setLabel("left", "conversations")
        self.plot.setLabel("bottom", "week")
        self.plot.setMinimumHeight(180)
        self.export_png = QPushButton("Export PNG…")
        self.export_csv = QPushButton("Export CSV…")
        self.empty = QLabel("No conversations yet: import some to see trigger, resolve and "
                            "handoff over time.")
        bar = QHBoxLayout()
        bar.addWidget(self.empty)
        bar.addStretch(1)
        bar.addWidget(self.export_png)
        bar.addWidget(self.export_csv)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.plot, 1)

    def set_series(self, series: list[dict[str, Any]]) -> None:
        import pyqtgraph as pg
        self.series = series
        self.plot.clear()
        self.empty.setVisible(not series)
        xs = list(range(len(series)))
        for key in ("triggered", "resolved", "handoff"):
            self.plot.plot(xs, [row[key] for row in series], name=key.replace("handoff", "handed off"),
                           pen=pg.mkPen(COLOURS[key], width=2), symbol="o", symbolSize=6,
                           symbolBrush=COLOURS[key])
        top = max((row["triggered"] for row in series), default=0)
        self.plot.setYRange(0, max(top * 1.08, 1))
        step = max(1, len(series) // 8)
        self.plot.getAxis("bottom").setTicks(
            [[(i, row["week"][5:]) for i, row in enumerate(series) if i % step == 0]])

    def save_png(self, path: Path) -> bool:
        return self.plot.grab().save(str(path))

    def save_csv(self, path: Path) -> None:
        Path(path).write_text(series_csv(self.series), encoding="utf-8")

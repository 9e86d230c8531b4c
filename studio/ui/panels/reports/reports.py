"""Reports over the library's run history: pass rate over runs, per-procedure
outcomes of the latest run, duration p50/p95, tokens and cost per run; export
as PNG and CSV. pyqtgraph is imported only when the panel is first shown.

Tokens and cost that some results did not know are sums over those that did:
they are drawn and exported as lower bounds ("≥", `cost_complete` false), and
a figure no result knew is left out, never drawn or written as 0."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QStackedWidget, QVBoxLayout, QWidget)

from ...background import Task, make_pool

OUTCOME_COLOURS = {"triggered": "#5c6b7a", "resolved": "#1e7b34", "handoff": "#b26a00",
                   "unresolved": "#b3261e"}
EMPTY_HINT = ("No runs yet.\n\nPress “Run all” in the Library (Ctrl+Shift+R): the pass rate, "
              "outcomes per procedure, durations and tokens of each run appear here.")
CHART_MIN_HEIGHT = 190
MAX_RUN_TICKS = 15
CSV_FIELDS = ("run_id", "started", "status", "procedure", "triggered", "resolved", "handoff",
              "unresolved", "passed", "failed", "errors", "pass_rate", "p50_duration_ms",
              "p95_duration_ms", "tokens", "tokens_complete", "cost", "cost_complete")


def load_history(library: Any, limit: int = 50) -> list[Any]:
    from studio.library.stats import history
    return history(library, limit=limit)


def pass_rate(stats: Any) -> float | None:
    done = stats.passed + stats.failed + stats.errors
    return 100.0 * stats.passed / done if done else None


def csv_rows(points: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for point in points:
        for stats in ([point.total] if point.total else []) + point.procedures:
            rows.append({"run_id": point.run_id, "started": point.started, "status": point.status,
                         "procedure": stats.procedure, "triggered": stats.triggered,
                         "resolved": stats.resolved, "handoff": stats.handoff,
                         "unresolved": stats.unresolved, "passed": stats.passed,
                         "failed": stats.failed, "errors": stats.errors,
                         "pass_rate": _round(pass_rate(stats)),
                         "p50_duration_ms": _round(stats.p50_duration_ms),
                         "p95_duration_ms": _round(stats.p95_duration_ms),
                         "tokens": stats.tokens, "tokens_complete": _flag(complete(stats, "tokens")),
                         "cost": stats.cost, "cost_complete": _flag(complete(stats, "cost"))})
    return rows


def complete(stats: Any, figure: str) -> bool:
    """True when `figure` ("tokens" or "cost") covers every result; False when it is
    a lower bound or unknown."""
    return getattr(stats, figure) is not None and not getattr(stats, f"{figure}_unknown", 0)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def cost_points(points: list[Any]) -> list[tuple[int, float, bool, str]]:
    """(run id, cost in $, complete, tooltip) for each run whose cost is at least partly known."""
    out = []
    for point in points:
        stats = point.total
        if stats is None or stats.cost is None:
            continue
        whole = complete(stats, "cost")
        tip = f"run #{point.run_id}: " + (f"${stats.cost:.4f}" if whole else
                                          f"≥ ${stats.cost:.4f} ({stats.cost_unknown} result"
                                          f"{'' if stats.cost_unknown == 1 else 's'} with unknown prices)")
        out.append((point.run_id, stats.cost, whole, tip))
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def write_csv(points: list[Any], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(csv_rows(points))


class ReportsPanel(QWidget):
    loaded = Signal()

    def __init__(self, library: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reports-panel")
        self.library = library
        self.points: list[Any] = []
        self.plots: dict[str, Any] = {}
        self.cost_legend: list[str] = []     # names of the cost series drawn (complete, "≥")
        self._pool = make_pool(1, self)
        self._task: Task | None = None
        self._charts_built = False
        self.summary = QLabel("Run the library to see reports.")
        self.refresh_button = QPushButton("Refresh")
        self.png_button = QPushButton("Export PNG…")
        self.csv_button = QPushButton("Export CSV…")
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        for b in (self.refresh_button, self.png_button, self.csv_button):
            bar.addWidget(b)
        self.charts = QWidget()
        self.grid = QGridLayout(self.charts)
        self.grid.setContentsMargins(0, 0, 0, 0)
        scroller = QScrollArea()            # a short dock scrolls instead of squashing the charts
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(self.charts)
        self.empty = QLabel(EMPTY_HINT)
        self.empty.setObjectName("Muted")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(scroller)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self.png_button.setEnabled(False)
        self.csv_button.setEnabled(False)
        self.refresh_button.setToolTip("Read the run history again")
        self.png_button.setToolTip("Save the four charts as one image")
        self.csv_button.setToolTip("Save the figures behind the charts, one row per run and procedure")
        self.refresh_button.clicked.connect(self.refresh)
        self.png_button.clicked.connect(self._export_png_clicked)
        self.csv_button.clicked.connect(self._export_csv_clicked)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._charts_built:
            self._build_charts()
            self.refresh()

    # -- charts ---------------------------------------------------------------
    def _build_charts(self) -> None:
        import pyqtgraph as pg   # lazily: only when reports are first looked at
        from ...theme import colors
        c = colors()
        pg.setConfigOptions(antialias=True, background=c.base, foreground=c.text)
        self._pg = pg
        specs = (("pass_rate", "Pass rate over runs (%)", 0, 0), ("outcomes", "Latest run by procedure", 0, 1),
                 ("duration", "Duration per run (ms): p50 and p95", 1, 0),
                 ("tokens", "Tokens and cost per run", 1, 1))
        for key, title, row, col in specs:
            plot = pg.PlotWidget(title=title)
            plot.setMinimumHeight(CHART_MIN_HEIGHT)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.addLegend(offset=(10, 10))
            self.grid.addWidget(plot, row, col)
            self.plots[key] = plot
        self._charts_built = True

    def restyle(self) -> None:
        """The theme changed: charts take the new background and text colours."""
        if not self._charts_built:
            return
        from ...theme import colors
        c = colors()
        self._pg.setConfigOptions(background=c.base, foreground=c.text)
        for plot in self.plots.values():
            plot.setBackground(c.base)
            plot.setTitle(plot.getPlotItem().titleLabel.text, color=c.text)
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(c.text)
                axis.setTextPen(c.text)
        self._draw()

    def refresh(self) -> None:
        if self._task is not None:
            return
        library = self.library
        task = Task(lambda _p: load_history(library))
        task.finished.connect(self._loaded)
        task.failed.connect(lambda m: self._loaded([], m))
        self._task = task
        self._pool.start(task)

    def _loaded(self, points: list[Any], error: str = "") -> None:
        self._task = None
        self.points = points
        if not self._charts_built:
            self._build_charts()
        self.pages.setCurrentIndex(1 if points else 0)
        self.png_button.setEnabled(bool(points))
        self.csv_button.setEnabled(bool(points))
        if error:
            self.summary.setText(f"Could not read the run history: {error.splitlines()[0]}")
            self.empty.setText("The run history could not be read.\n\n" + error.splitlines()[0])
        elif not points:
            self.summary.setText("")
            self.empty.setText(EMPTY_HINT)
        else:
            last = points[-1]
            rate = pass_rate(last.total) if last.total else None
            self.summary.setText(f"{len(points)} run{'s' if len(points) != 1 else ''} · latest #{last.run_id}: "
                                 + (f"{rate:.0f}% passing" if rate is not None else "no results"))
        self._draw()
        self.loaded.emit()

    def _draw(self) -> None:
        pg = self._pg
        for plot in self.plots.values():
            plot.clear()
            plot.getAxis("left").setTicks(None)
            plot.getAxis("bottom").setTicks(None)
        runs = [p.run_id for p in self.points]
        totals = [p.total for p in self.points]
        rates = [pass_rate(t) if t else None for t in totals]
        xs = [r for r, v in zip(runs, rates) if v is not None]
        ys = [v for v in rates if v is not None]
        plot = self.plots["pass_rate"]
        plot.plot(xs, ys, pen=pg.mkPen("#1e7b34", width=2), symbol="o", symbolSize=6,
                  symbolBrush="#1e7b34", name="passed")
        plot.setYRange(0, 100)
        plot.setLabel("bottom", "run")
        self._run_ticks(plot, runs)

        plot = self.plots["outcomes"]
        latest = self.points[-1].procedures if self.points else []
        width = 0.2
        for offset, key in enumerate(("triggered", "resolved", "handoff", "unresolved")):
            heights = [getattr(s, key) for s in latest]
            bars = pg.BarGraphItem(x=[i + (offset - 1.5) * width for i in range(len(latest))],
                                   height=heights, width=width, brush=OUTCOME_COLOURS[key], name=key)
            plot.addItem(bars)
        plot.getAxis("bottom").setTicks([[(i, s.procedure) for i, s in enumerate(latest)]])

        plot = self.plots["duration"]
        for key, colour in (("p50_duration_ms", "#2f5d8f"), ("p95_duration_ms", "#b3261e")):
            pts = [(r, getattr(t, key)) for r, t in zip(runs, totals) if t and getattr(t, key) is not None]
            plot.plot([a for a, _ in pts], [b for _, b in pts], pen=pg.mkPen(colour, width=2),
                      symbol="o", symbolSize=5, symbolBrush=colour, name=key.split("_")[0])
        plot.setLabel("bottom", "run")
        self._run_ticks(plot, runs)

        plot = self.plots["tokens"]
        tok = [(r, t.tokens) for r, t in zip(runs, totals) if t and t.tokens is not None]
        cost = cost_points(self.points)
        if tok:
            partial = any(not complete(t, "tokens") for t in totals if t and t.tokens is not None)
            plot.plot([a for a, _ in tok], [b for _, b in tok], pen=pg.mkPen("#6a4fb3", width=2),
                      symbol="o", symbolSize=5, name="tokens" + (" (≥ where some unknown)" if partial else ""))
        self._draw_cost(plot, cost)
        if not tok and not cost:
            text = pg.TextItem("unknown: the offline engine uses no tokens", color="#5c6b7a", anchor=(0.5, 0.5))
            plot.addItem(text)
            text.setPos(0.5, 0.5)
            plot.setXRange(0, 1)
            plot.setYRange(0, 1)
            plot.getAxis("bottom").setTicks([[]])
            plot.getAxis("left").setTicks([[]])
        else:
            self._run_ticks(plot, runs)
        plot.setLabel("bottom", "run")

    def _draw_cost(self, plot: Any, cost: list[tuple[int, float, bool, str]]) -> None:
        """The cost line; runs where some prices were unknown are hollow "≥" points,
        and every point says its figure on hover."""
        pg = self._pg
        self.cost_legend = []
        if not cost:
            return
        plot.plot([r for r, *_ in cost], [c * 1000 for _, c, *_ in cost], pen=pg.mkPen("#0b7a75", width=2))
        for whole, name, brush in ((True, "cost (×1/1000 $)", "#0b7a75"),
                                   (False, "cost ≥ (×1/1000 $, some prices unknown)", None)):
            pts = [(r, c, tip) for r, c, w, tip in cost if w is whole]
            if not pts:
                continue
            scatter = pg.ScatterPlotItem(
                x=[r for r, _, _ in pts], y=[c * 1000 for _, c, _ in pts], data=[t for *_, t in pts],
                symbol="t" if whole else "t1", size=9, pen=pg.mkPen("#0b7a75", width=1.5),
                brush=brush, name=name, hoverable=True, tip=lambda x, y, data: data)
            plot.addItem(scatter)
            self.cost_legend.append(name)

    @staticmethod
    def _run_ticks(plot: Any, runs: list[int]) -> None:
        """Runs are whole numbers: label them #1, #2… instead of 0.1, 0.2…."""
        if not runs:
            return
        step = max(1, len(runs) // MAX_RUN_TICKS + (1 if len(runs) % MAX_RUN_TICKS else 0))
        shown = runs[::-1][::step][::-1]          # counted from the latest, which is always labelled
        plot.getAxis("bottom").setTicks([[(r, f"#{r}") for r in shown]])
        low, high = min(runs), max(runs)           # half a run of room: the latest point is whole
        plot.setXRange(low - (1 if low == high else 0.5), high + (1 if low == high else 0.5), padding=0)

    # -- export -----------------------------------------------------------------
    def export_png(self, path: Path | str) -> bool:
        return self.charts.grab().save(str(path), "PNG")

    def export_csv(self, path: Path | str) -> None:
        write_csv(self.points, Path(path))

    def _export_png_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export charts", "reports.png", "PNG image (*.png)")
        if path:
            self.export_png(path)

    def _export_csv_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export data", "reports.csv", "CSV (*.csv)")
        if path:
            self.export_csv(path)

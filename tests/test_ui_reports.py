"""Reports: charts from the run history, exported as PNG and CSV; pyqtgraph
is loaded only when the panel is first shown."""
import csv
import sys

import pytest

from studio.core.project import load_project  # noqa: E402
from studio.library import Library  # noqa: E402

pytestmark = pytest.mark.gui


def test_reports_chart_runs_and_export(qtbot, sample_copy, tmp_path):
    from studio.library.run_all import run_all
    from studio.ui.panels.reports.reports import ReportsPanel
    root = sample_copy("food-delivery")
    project = load_project(root)
    library = Library.open(root)
    try:
        first = run_all(project, library, concurrency=2)
        run_all(project, library, concurrency=2)
        panel = ReportsPanel(library)
        qtbot.addWidget(panel)
        panel.resize(1200, 800)
        assert not panel.plots          # nothing drawn (nor pyqtgraph needed) until shown
        with qtbot.waitSignal(panel.loaded, timeout=10000):
            panel.show()
        assert "pyqtgraph" in sys.modules
        assert len(panel.points) == 2
        assert "2 runs" in panel.summary.text()

        png = tmp_path / "reports.png"
        assert panel.export_png(png) and png.stat().st_size > 1000
        out = tmp_path / "reports.csv"
        panel.export_csv(out)
        rows = list(csv.DictReader(out.open()))
        totals = [r for r in rows if r["procedure"] == "(all)"]
        assert [int(r["run_id"]) for r in totals] == [first.run_id, first.run_id + 1]
        assert int(totals[0]["passed"]) == first.passed
        assert any(r["procedure"] == "damaged-order" and int(r["triggered"]) > 0 for r in rows)
        panel._pool.waitForDone(5000)
    finally:
        library.close()


def test_costs_with_unknown_prices_are_lower_bounds_never_zero(qtbot, sample_copy, tmp_path):
    """Run 1 knows every price, run 2 only some (a '≥' figure), run 3 none (no value)."""
    from studio.library.run_all import load_default_runner, run_all
    from studio.ui.panels.reports.reports import ReportsPanel
    root = sample_copy("food-delivery")
    project = load_project(root)
    library = Library.open(root)
    offline = load_default_runner()
    prices: dict = {}

    def runner(project, simulation, **kwargs):
        result = offline(project, simulation, **kwargs)
        cost, known = prices["all"] if simulation.name != prices.get("odd") else prices["odd_price"]
        return result.model_copy(update={"tokens": 100, "cost": cost, "cost_known": known})
    try:
        names = sorted(s.name for s in project.simulations.values())[:3]
        prices.update(all=(0.001, None), odd=None, odd_price=None)
        run_all(project, library, simulations=names, runner=runner, concurrency=1)
        prices.update(odd=names[0], odd_price=(None, 0.0005))
        run_all(project, library, simulations=names, runner=runner, concurrency=1)
        prices.update(all=(None, None), odd=None)
        run_all(project, library, simulations=names, runner=runner, concurrency=1)
        panel = ReportsPanel(library)
        qtbot.addWidget(panel)
        with qtbot.waitSignal(panel.loaded, timeout=10000):
            panel.show()
        assert len(panel.points) == 3
        assert any("≥" in name for name in panel.cost_legend)      # the chart says "at least"
        import pyqtgraph as pg
        tips = [tip for item in panel.plots["tokens"].getPlotItem().items
                if isinstance(item, pg.ScatterPlotItem) for tip in item.data["data"]]
        assert any(t.startswith(f"run #{panel.points[1].run_id}: ≥ $0.0025") for t in tips), tips
        assert not any(f"run #{panel.points[2].run_id}:" in t for t in tips)   # nothing known: no point

        out = tmp_path / "reports.csv"
        panel.export_csv(out)
        totals = [r for r in csv.DictReader(out.open()) if r["procedure"] == "(all)"]
        assert [r["cost_complete"] for r in totals] == ["true", "false", "false"]
        assert float(totals[0]["cost"]) == pytest.approx(0.003)
        assert float(totals[1]["cost"]) == pytest.approx(0.0025)    # the known part only
        assert totals[2]["cost"] == ""                               # unknown, not 0
        panel._pool.waitForDone(5000)
    finally:
        library.close()

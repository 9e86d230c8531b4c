"""Reports: charts from the run history, exported as PNG and CSV; pyqtgraph
is loaded only when the panel is first shown."""
import csv
import sys

import pytest

pytest.importorskip("pytestqt")
from studio.core.project import load_project  # noqa: E402
from studio.library import Library  # noqa: E402

pytestmark = pytest.mark.gui


def test_reports_chart_runs_and_export(qtbot, sample_copy, tmp_path):
    from studio.library.run_all import run_all
    from studio.ui.panels.reports import ReportsPanel
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

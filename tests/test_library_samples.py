"""End to end on the sample projects with the real offline engine: `studio run-all` passes
with a valid JUnit file, breaking a procedure shows up in `studio runs diff`, and the
run-all benchmark's generated library is consistent."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import SAMPLES
from studio.cli import main
from studio.core.project import load_project
from studio.library import Library
from studio.library.run_all import run_all

SAMPLE_NAMES = ["food-delivery", "card-payments", "subscriptions"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_run_all_on_each_sample_passes_with_a_valid_junit_file(sample_copy, tmp_path, capsys, name):
    if not (SAMPLES / name / "simulations").is_dir():
        pytest.skip(f"sample {name} not there yet")
    root = sample_copy(name)
    junit, report = tmp_path / "junit.xml", tmp_path / "run.json"
    code = main(["run-all", str(root), "--junit", str(junit), "--json", str(report), "-q"])
    out = capsys.readouterr().out
    assert code == 0, out
    files = list((root / "simulations").glob("*.yaml"))
    suites = ET.parse(junit).getroot()
    cases = suites.findall("./testsuite/testcase")
    assert len(cases) == len(files)
    assert suites.get("failures") == "0" and suites.get("errors") == "0"
    assert {s.get("name") for s in suites.findall("testsuite")} <= \
        {p.stem for p in (root / "procedures").glob("*.yaml")} | {"(no procedure)"}
    data = json.loads(report.read_text())
    assert data["passed"] == len(files) and all(r["trace"] for r in data["results"])
    assert main(["coverage", str(root)]) == 0
    assert "steps" in capsys.readouterr().out


def test_breaking_a_procedure_shows_regressions_naming_failed_expectations(sample_copy, capsys):
    if not (SAMPLES / "food-delivery" / "procedures" / "damaged-order.yaml").is_file():
        pytest.skip("food-delivery sample not there yet")
    root = sample_copy("food-delivery")
    assert main(["run-all", str(root), "-q"]) == 0
    path = root / "procedures" / "damaged-order.yaml"
    text = path.read_text()
    broken = text.replace("(1.0 if has_photo else 0.5)", "0.5")
    assert broken != text
    path.write_text(broken)
    assert main(["run-all", str(root), "-q"]) == 1
    capsys.readouterr()
    assert main(["runs", "diff", str(root)]) == 1
    out = capsys.readouterr().out
    assert "REGRESSIONS" in out and "procedures changed: damaged-order" in out
    section = out.split("REGRESSIONS", 1)[1].split("\n\n", 1)[0]
    assert "(pass -> fail)" in section              # the expectation that changed, by type
    assert "damaged-order" in section
    # only the failures run again, and the fix is reported as a fix
    path.write_text(text)
    assert main(["run-all", str(root), "--failed", "-q"]) == 0
    capsys.readouterr()
    assert main(["runs", "diff", str(root)]) == 0
    assert "fixed:" in capsys.readouterr().out


def test_benchmark_library_is_distinct_consistent_and_mostly_passing(sample_copy):
    """The run-all benchmark's library is different conversations (no two specs alike but
    for the name) whose expectations hold, and only the share asked for fails, so its
    figures describe a realistic library."""
    import importlib.util
    import json
    import sys
    path = Path(__file__).resolve().parent / "benchmarks" / "bench_kit.py"
    spec = importlib.util.spec_from_file_location("bench_kit", path)
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_kit", bench)      # its dataclasses look their module up
    spec.loader.exec_module(bench)
    sims, info = bench.distinct_library(100, failing=0.05)
    assert info["failing"] == 5 and len({s.name for s in sims}) == 100
    assert len({json.dumps(s.to_data() | {"name": "", "tags": []}, sort_keys=True)
                for s in sims}) == 100
    root = sample_copy("food-delivery")
    project = load_project(root)
    with Library.open(root, sync=False) as library:
        library.save_simulations(sims)
        summary = run_all(project, library, simulations=sims, concurrency=2)
    assert (summary.passed, summary.failed, summary.errors) == (95, 5, 0)

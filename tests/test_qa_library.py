"""Library and loading regressions found in QA: rebuild keeps library-only
simulations, the fast YAML path reports the same problems, run-all is
deterministic whatever the concurrency."""
from __future__ import annotations

from studio.cli import main
from studio.core.project import load_model, load_project
from studio.core.simulation import Simulation
from studio.core.yaml_io import parse_yaml
from studio.library import Library
from studio.library.run_all import run_all


def test_rebuild_keeps_simulations_only_the_old_library_had(sample_copy, tmp_path, capsys):
    root = sample_copy("card-payments")
    extra = tmp_path / "extra.yaml"
    exported = root / "simulations" / "lost-card-no-replacement.yaml"
    extra.write_text(exported.read_text().replace(
        "name: ", "name: Imported from elsewhere - ", 1))
    assert main(["sim", "import", str(root), str(extra)]) == 0
    assert main(["sim", "rebuild", str(root)]) == 0
    assert main(["sim", "rebuild", str(root)]) == 0           # twice in the same second
    out = capsys.readouterr().out
    assert "kept 1 simulation(s) that only the old library had" in out
    with Library.open(root) as library:
        names = [r.name for r in library.simulations()]
    assert len(names) == 13 and sum(n.startswith("Imported from elsewhere") for n in names) == 1
    assert len(list(root.glob("library.sqlite.broken-*[0-9]"))) == 2    # neither moved file lost


def test_rebuild_of_a_non_sqlite_file_still_works(sample_copy, capsys):
    root = sample_copy("card-payments")
    (root / "library.sqlite").write_bytes(b"not a database at all" * 10)
    assert main(["runs", "list", str(root)]) == 2
    assert "studio sim rebuild" in capsys.readouterr().err
    assert main(["sim", "rebuild", str(root)]) == 0
    with Library.open(root) as library:
        assert library.simulation_count() == 12


def test_fast_yaml_gives_the_same_data_and_the_same_errors(sample_copy, tmp_path):
    root = sample_copy("food-delivery")
    for path in sorted((root / "simulations").glob("*.yaml")):
        text = path.read_text()
        assert parse_yaml(text, fast=True)[0] == parse_yaml(text)[0]
        fast_source, slow_source = parse_yaml(text, fast=True)[1], parse_yaml(text)[1]
        assert fast_source.locate(("expect",)) == slow_source.locate(("expect",))
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema: simulation/v1\nname: x\n  procedure: [x\n")
    fast = load_model(Simulation, broken, "broken.yaml", fast=True)[2]
    slow = load_model(Simulation, broken, "broken.yaml")[2]
    assert [p.format() for p in fast] == [p.format() for p in slow]
    assert (fast[0].line, fast[0].column) == (3, 12)


def test_project_without_simulations_for_library_commands(sample_copy):
    root = sample_copy("subscriptions")
    (root / "simulations" / "broken.yaml").write_text("name: [\n")
    full = load_project(root)
    light = load_project(root, simulations=False)
    assert full.simulations and not light.simulations
    assert light.procedures.keys() == full.procedures.keys()
    assert any(p.file == "simulations/broken.yaml" for p in full.load_problems)
    assert not light.load_problems


def _comparable(summary) -> list[dict]:
    rows = []
    for record in summary.full_records():          # as stored, read back from the library
        data = record.result.model_dump(mode="json")
        data.pop("duration_ms")
        rows.append(data)
    return rows


def test_run_all_results_do_not_depend_on_concurrency(sample_copy):
    root = sample_copy("food-delivery")
    project = load_project(root, simulations=False)
    with Library.open(root) as library:
        serial = run_all(project, library, concurrency=1)
        parallel = run_all(project, library, concurrency=4)
    assert serial.total == parallel.total == 21
    assert len(_comparable(serial)) == 21
    assert _comparable(serial) == _comparable(parallel)


def test_simulate_json_twice_gives_the_same_trace_bytes(sample_copy, capsys):
    import json
    root = sample_copy("subscriptions")
    outputs = []
    for _ in range(2):
        main(["simulate", str(root), "billing-keyword-switches-to-cancel", "--json"])
        data = json.loads(capsys.readouterr().out)
        outputs.append(json.dumps(data["trace"]))
    assert outputs[0] == outputs[1] and len(outputs[0]) > 1000

"""A stored result in `error` carries what kind of fault it was (`results.error_code`): a
model fault's ModelError reason, or the engine's own code. Views read the code; results
stored before codes existed get one from their text when the library upgrades."""
from __future__ import annotations

import json

import sqlite_utils

from fake_openai import Fault
from llm_kit import isolated, reset_fake, run_cli, server  # noqa: F401  (fixtures)
from studio.core.simulation import Simulation
from studio.library import Library, schema


def stored(root, run_id=None) -> dict[str, tuple[str, str | None]]:
    with Library.open(root) as library:
        run_id = run_id or library.latest_run().id
        return {r.simulation: (r.status, r.result.error_code) for r in library.results(run_id)}


def test_old_error_results_get_their_code_when_the_library_upgrades(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    db = sqlite_utils.Database(root / "library.sqlite")
    schema.migrations.apply(db, stop_before="m011_result_error_code")
    assert "error_code" not in db["results"].columns_dict
    run_id = db["runs"].insert({"started": "2026-01-01", "status": "complete", "repeat": 1,
                                "total": 5, "planned": "[]"}).last_pk
    old = {"a": ("error", "model error during route (connection): cannot connect to "
                          "http://127.0.0.1:9"),
           "b": ("error", "unknown customer segment 'gold' (studio.yaml segments: vip)"),
           "c": ("error", "code step 'calc' was blocked: import of os"),
           "d": ("error", "the judge failed: ValueError: x"),
           "e": ("passed", None)}
    for n, (name, (status, error)) in enumerate(old.items()):
        db["results"].insert({"run_id": run_id, "simulation": name, "repeat_index": 0,
                              "status": status, "error": error, "duration_ms": 1.0, "turns": 1,
                              "expectations": "[]", "coverage": "{}"})
    db.close()
    assert stored(root, run_id) == {"a": ("error", "connection"), "b": ("error", "simulation"),
                                    "c": ("error", "snippet"), "d": ("error", "judge"),
                                    "e": ("passed", None)}
    with Library.open(root) as library:
        assert schema.stored_version(library.db) == schema.SCHEMA_VERSION >= 11
        rows = {r["simulation"]: r["error_code"] for r in library.latest_result_rows()}
    assert rows["a"] == "connection" and rows["e"] is None


def test_a_run_stores_the_engines_code_with_each_error(sample_copy, capsys):
    root = sample_copy("food-delivery")
    with Library.open(root) as library:
        library.save_simulation(Simulation(name="gold customer", procedure="damaged-order",
                                           customer={"segment": "gold",
                                                     "script": ["my pizza arrived crushed"]}))
    code, out = run_cli(capsys, "run-all", str(root))
    assert code == 2, out
    results = stored(root)
    assert results["gold customer"] == ("error", "simulation")
    others = [v for k, v in results.items() if k != "gold customer"]
    assert len(others) > 10 and {s for s, _ in others} <= {"passed", "skipped"}
    assert {c for _, c in others} == {None}            # no fault, no code


def test_a_model_fault_is_stored_with_its_reason_code(sample_copy, capsys, server):
    fake = reset_fake(server, lambda body: Fault.unauthorized())
    root = sample_copy("food-delivery")
    code, out = run_cli(capsys, "run-all", str(root), "--model", "openai/fake-model",
                        "--api-base", fake.url, "--procedure", "late-delivery", "--json", "-")
    assert code == 2, out
    results = stored(root)
    assert results and {c for _, c in results.values()} == {"auth"}
    report, _ = json.JSONDecoder().raw_decode(out[out.index("{"):])
    assert report["run"]["errors"] == len(results)
    assert {r["error_code"] for r in report["results"]} == {"auth"}      # --json says it too

"""The library as a store: seeding, search, edits, import/export, sync with the YAML folder."""
from __future__ import annotations

import subprocess
import sys

import pytest

from library_fakes import make_project, write_simulation
from studio.core.simulation import Simulation
from studio.library import Library, LibraryError
from studio.library.sim_io import export_to, import_files


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "proj", {"crushed-pizza": ["refunds", "happy-path"],
                                            "late-soup": ["late"], "cold-fries": ["refunds"]})


def test_new_library_is_seeded_from_the_simulations_folder_in_wal_mode(project):
    with Library.open(project) as lib:
        assert [r.name for r in lib.simulations()] == ["cold-fries", "crushed-pizza", "late-soup"]
        record = lib.get("crushed-pizza")
        assert record.procedure == "refund" and record.tags == ["refunds", "happy-path"]
        assert record.source_file == "simulations/crushed-pizza.yaml"
        assert record.simulation.customer.turns()[0].text == "I want a refund"
        assert lib.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert [r.name for r in lib.simulations(tag="refunds")] == ["cold-fries", "crushed-pizza"]
        assert lib.tags() == ["happy-path", "late", "refunds"]


def test_search_covers_names_tags_and_scripts_and_indexes_new_rows(project):
    with Library.open(project) as lib:
        assert [r.name for r in lib.search("soup")] == ["late-soup"]
        assert [r.name for r in lib.search("happy")] == ["crushed-pizza"]      # a tag
        assert [r.name for r in lib.search("fries")] == ["cold-fries"]         # a name
        assert lib.search("parcel") == []
        sim = Simulation.model_validate({
            "name": "lost parcel", "procedure": "refund", "tags": ["shipping"],
            "customer": {"script": ["my parcel never arrived"]}})
        lib.save_simulation(sim)
        assert [r.name for r in lib.search("parcel")] == ["lost parcel"]
        assert [r.name for r in lib.search("arriv")] == ["lost parcel"]   # prefix + stemming
        # an update re-indexes: the old words are gone
        lib.save_simulation(sim.model_copy(update={"tags": ["courier"]}))
        assert lib.search("shipping") == []
        assert [r.name for r in lib.search("courier")] == ["lost parcel"]
        lib.delete_simulation("lost parcel")
        assert lib.search("parcel") == []
        assert lib.search('quote " and * odd') == []        # never an FTS syntax error


def test_rename_keeps_one_row_and_audit_log_records_edits(project):
    with Library.open(project) as lib:
        sim = lib.get("late-soup").simulation.model_copy(update={"name": "late soup"})
        lib.save_simulation(sim, previous_name="late-soup")
        assert lib.get("late-soup") is None and lib.get("late soup") is not None
        assert lib.simulation_count() == 3
        clash = lib.get("cold-fries").simulation.model_copy(update={"name": "late soup"})
        with pytest.raises(LibraryError, match="already exists"):
            lib.save_simulation(clash, previous_name="cold-fries")
        assert lib.get("cold-fries") is not None
        actions = [e["action"] for e in lib.audit_log()]
        assert "simulation.save" in actions and "simulation.sync" in actions


def test_changed_yaml_files_are_picked_up_but_deleted_simulations_do_not_come_back(project):
    with Library.open(project) as lib:
        lib.delete_simulation("cold-fries")
    write_simulation(project, "late-soup", ["late", "edited"])
    with Library.open(project) as lib:
        assert lib.get("cold-fries") is None
        assert lib.get("late-soup").tags == ["late", "edited"]


def test_import_validates_with_file_and_line_and_export_round_trips(project, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("schema: simulation/v1\nname: imported one\nprocedure: nowhere\n"
                    "customer: {script: [hello]}\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: simulation/v1\nname: broken\ncustomer:\n  scrip: [hi]\n")
    broken_yaml = tmp_path / "broken.yaml"
    broken_yaml.write_text("name: [unclosed\n")
    with Library.open(project) as lib:
        report = import_files(lib, [good, bad, broken_yaml], known_procedures={"refund"})
        assert report.imported == ["imported one"]
        errors = [p for p in report.problems if p.severity == "error"]
        assert any("unknown field 'scrip'" in p.message and p.line == 4 for p in errors)
        assert any(p.code == "yaml" and p.line for p in errors)
        assert any(p.code == "unknown-procedure" for p in report.problems)
        assert lib.get("broken") is None
        out = export_to(lib, tmp_path / "out")
    assert len(out) == 4
    names = {Simulation.model_validate(__import__("yaml").safe_load(p.read_text())).name for p in out}
    assert names == {"cold-fries", "crushed-pizza", "late-soup", "imported one"}


def test_sim_cli_import_export_list(project, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: simulation/v1\nname: broken\nexpect:\n  outcome: maybe\n")

    def studio(*args):
        return subprocess.run([sys.executable, "-m", "studio", *map(str, args)],
                              capture_output=True, text=True, timeout=60)

    res = studio("sim", "import", project, bad)
    assert res.returncode == 2
    assert "bad.yaml:4" in res.stderr and "outcome" in res.stderr
    (tmp_path / "empty").mkdir()
    res = studio("sim", "import", project, tmp_path / "empty")
    assert res.returncode == 2 and "the folder has no .yaml files" in res.stderr
    res = studio("sim", "list", project, "--search", "soup")
    assert res.returncode == 0 and "late-soup" in res.stdout and "crushed" not in res.stdout
    res = studio("sim", "export", project, tmp_path / "exported")
    assert res.returncode == 0 and len(list((tmp_path / "exported").glob("*.yaml"))) == 3


def test_export_over_an_existing_file_keeps_the_designers_comments(project, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    source = (project / "simulations" / "late-soup.yaml").read_text()
    (out / "late-soup.yaml").write_text("# why this simulation exists\n" + source)
    with Library.open(project) as lib:
        export_to(lib, out)
    text = (out / "late-soup.yaml").read_text()
    assert text.startswith("# why this simulation exists\n")
    assert Simulation.model_validate(__import__("yaml").safe_load(text)).name == "late-soup"

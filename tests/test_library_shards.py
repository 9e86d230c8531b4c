"""`run-all --shard K/N` splits the library over a CI matrix and `runs merge` folds the
shards back: every simulation runs in exactly one shard, and the merged run gives the
same verdicts, coverage, stats and an empty diff against a run made in one place."""
from __future__ import annotations

import json

import pytest

from studio.cli import main
from studio.core.project import load_project
from studio.library import Library
from studio.library.coverage_report import coverage_report
from studio.library.diff import diff_runs
from studio.library.shards import in_shard, parse_shard, shard_of
from studio.library.stats import run_stats


@pytest.fixture
def library_root(sample_copy):
    """food-delivery with 60 renamed copies, two of them failing on purpose."""
    root = sample_copy("food-delivery")
    base = list(load_project(root).simulations.values())
    copies = []
    for i in range(60):
        sim = base[i % len(base)]
        data = sim.to_data() | {"name": f"{sim.name} #{i}"}
        if i in (7, 33):
            data["expect"] = dict(data.get("expect") or {}) | {"replies_contain": ["no agent says this"]}
        copies.append(type(sim).model_validate(data))
    with Library.open(root) as library:
        library.save_simulations(copies)
    return root


def test_shards_partition_any_library_exactly():
    names = [f"simulation {i}" for i in range(997)]
    for n in (1, 2, 3, 7):
        parts = [in_shard(names, k, n) for k in range(1, n + 1)]
        assert sorted(sum(parts, [])) == sorted(names)            # none missing, none twice
        assert all(len(part) > 997 / n / 2 for part in parts)      # roughly even
    assert shard_of("a name", 4) == shard_of("a name", 4)          # stable across calls
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x", "1/0", "1/2/3"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_merged_shards_are_the_run_made_in_one_place(library_root, tmp_path, capsys):
    root = str(library_root)
    assert main(["run-all", root, "-q", "--json", str(tmp_path / "single.json")]) == 1
    files = []
    for k in (1, 2, 3):
        files.append(str(tmp_path / f"shard-{k}.json"))
        main(["run-all", root, "-q", "--shard", f"{k}/3", "--json", files[-1]])
    capsys.readouterr()
    ran = [r["simulation"] for f in files for r in json.loads(open(f).read())["results"]]
    with Library.open(root) as library:
        assert sorted(ran) == library.names()                      # the shards cover it once
        single = json.loads((tmp_path / "single.json").read_text())["run"]["id"]

    assert main(["runs", "merge", root, *files]) == 1              # two failures, as single
    assert "81 simulations: 79 passed, 2 failed" in capsys.readouterr().out
    project = load_project(library_root)
    with Library.open(root) as library:
        merged = library.latest_run()
        assert merged.id == single + 4 and merged.status == "complete"
        assert merged.filters["merged"] == [f"shard-{k}.json" for k in (1, 2, 3)]
        verdicts = {r.simulation: r.status for r in library.results(merged.id)}
        assert verdicts == {r.simulation: r.status for r in library.results(single)}
        diff = diff_runs(library, single, merged.id)
        assert not (diff.regressions or diff.fixes or diff.new or diff.removed)
        assert len(diff.still_failing) == 2
        one = coverage_report(project, library, single).to_dict()["procedures"]
        assert coverage_report(project, library, merged.id).to_dict()["procedures"] == one

        def counts(run_id):
            stats = run_stats(library, run_id).to_dict()["total"]
            return {k: v for k, v in stats.items() if "duration" not in k}
        assert counts(merged.id) == counts(single)


def test_overlapping_or_foreign_files_are_refused_and_store_nothing(library_root, tmp_path,
                                                                    capsys):
    root = str(library_root)
    shard = str(tmp_path / "shard-1.json")
    main(["run-all", root, "-q", "--shard", "1/2", "--json", shard])
    (tmp_path / "junk.json").write_text("{not json")
    capsys.readouterr()
    with Library.open(root) as library:
        runs = len(library.runs())
    assert main(["runs", "merge", root, shard, shard]) == 2
    assert "the shards overlap" in capsys.readouterr().err
    assert main(["runs", "merge", root, str(tmp_path / "junk.json")]) == 2
    assert "junk.json:1:2: not JSON" in capsys.readouterr().err
    with Library.open(root) as library:
        assert len(library.runs()) == runs
    with pytest.raises(SystemExit) as bad:
        main(["run-all", root, "--shard", "3/2"])
    assert bad.value.code == 2 and "K must be between 1 and N" in capsys.readouterr().err

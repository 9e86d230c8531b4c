"""Issue 11 items 5 and 7: a damaged library is found on open, before a run is
appended to it; a folder in its place and a bad studio.yaml are refused clearly."""
from __future__ import annotations

import os

import pytest

from studio.cli import main
from studio.core.project import LIBRARY_FILE


@pytest.fixture
def ran(sample_copy, capsys):
    root = sample_copy("food-delivery")
    assert main(["run-all", str(root), "--quiet"]) == 0
    capsys.readouterr()
    return root


def _overwrite_a_page(path, page: int) -> None:
    with open(path, "r+b") as handle:
        handle.seek(page * 4096)
        handle.write(os.urandom(4096))


def test_one_overwritten_page_is_found_on_open_and_no_run_is_appended(ran, capsys):
    library = ran / LIBRARY_FILE
    pages = library.stat().st_size // 4096
    _overwrite_a_page(library, pages // 2)
    before = library.read_bytes()
    assert main(["run-all", str(ran), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "the simulation library is damaged" in err
    assert f"studio sim rebuild {ran}" in err and "This is a bug" not in err
    assert library.read_bytes() == before                       # nothing written to it


def test_sim_check_runs_the_full_check_on_demand(ran, capsys):
    assert main(["sim", "check", str(ran)]) == 0
    assert "ok (full integrity check)" in capsys.readouterr().out
    library = ran / LIBRARY_FILE
    _overwrite_a_page(library, library.stat().st_size // 4096 // 2)
    assert main(["sim", "check", str(ran)]) == 1
    err = capsys.readouterr().err
    assert "the simulation library is damaged" in err and "studio sim rebuild" in err


def test_a_folder_in_place_of_the_library_gets_a_clear_message_and_rebuild_fixes_it(sample_copy, capsys):
    root = sample_copy("food-delivery")
    (root / LIBRARY_FILE).mkdir()
    assert main(["run-all", str(root), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is a folder, but the simulation library must be a file there" in err
    assert "Is a directory" not in err and f"studio sim rebuild {root}" in err
    assert main(["sim", "rebuild", str(root)]) == 0
    assert (root / LIBRARY_FILE).is_file()
    assert main(["run-all", str(root), "--quiet"]) == 0


def test_run_all_refuses_a_studio_yaml_with_an_unknown_key_like_simulate(sample_copy, capsys):
    root = sample_copy("food-delivery")
    settings = root / "studio.yaml"
    settings.write_text(settings.read_text() + "colour: blue\n")
    assert main(["simulate", str(root), "damaged-photo-full-refund"]) == 2
    simulate_err = capsys.readouterr().err
    assert main(["run-all", str(root), "--quiet"]) == 2
    captured = capsys.readouterr()
    assert "studio.yaml" in captured.err and "colour" in captured.err
    assert "unknown customer segment" not in captured.out + captured.err
    assert not (root / LIBRARY_FILE).exists() or "run 1" not in captured.out
    assert "studio.yaml" in simulate_err


"""Icons, stylesheet assets and the sample projects are package data found through
importlib.resources, so an installed wheel or an app bundle has them without the
checkout (before, a wheel had no samples and blank toolbar icons). The wheel
itself is built and its file list checked."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest

from studio.core.samples import sample_names, samples_root
from studio.core.steps import STEP_KINDS

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ("food-delivery", "card-payments", "subscriptions")


def test_icons_are_package_data_found_through_importlib_resources():
    icons = files("studio") / "resources" / "icons"
    for name in ["app", "close", "save", "undo", "redo", "flowchart"] + [f"step-{k}" for k in STEP_KINDS]:
        assert (icons / f"{name}.svg").is_file(), name


@pytest.mark.gui
def test_ui_icons_load_from_the_package(qtbot):
    from studio.ui.resources import RESOURCES, icon, step_icon
    assert RESOURCES == Path(str(files("studio") / "resources"))
    assert not icon("save").isNull() and not step_icon("condition").isNull()
    assert icon("no-such-icon").isNull()          # a missing file is an empty icon, not a crash


def test_samples_are_found_where_the_package_or_checkout_has_them():
    assert set(SAMPLES) <= set(sample_names())
    assert (samples_root() / "food-delivery" / "studio.yaml").is_file()


def test_the_readme_command_path_exists_at_the_top_of_the_checkout():
    assert (ROOT / "sample_projects" / "food-delivery" / "studio.yaml").is_file()


def test_pyproject_declares_only_data_that_exists():
    assert (ROOT / "studio" / "py.typed").is_file()
    assert (ROOT / "LICENSE").is_file()


@pytest.mark.timeout(300)
def test_the_wheel_ships_samples_icons_and_metadata(tmp_path):
    """Built offline from the checkout (setuptools from the dev extras)."""
    out = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel, = out.glob("procedure_studio-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        meta = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    for sample in SAMPLES:
        assert f"studio/sample_projects/{sample}/studio.yaml" in names
    assert "studio/sample_projects/food-delivery/attachments/crushed-pizza.png" in names
    assert not [n for n in names if "library.sqlite" in n or "__pycache__" in n]
    assert {f"studio/resources/icons/step-{k}.svg" for k in STEP_KINDS} <= names
    assert "studio/py.typed" in names and not [n for n in names if n.startswith(("resources/", "tests/"))]
    assert "License-Expression: MIT" in meta and "Classifier: Typing :: Typed" in meta
    assert "Project-URL: Source" in meta

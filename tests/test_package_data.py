"""Icons, stylesheet assets and the sample projects are package data found through
importlib.resources, so an installed wheel or an app bundle has them without the
checkout (before, a wheel had no samples and blank toolbar icons). The wheel
itself is built and its file list checked."""
from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest
from packaging.requirements import Requirement

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


def test_the_binding_that_frees_none_is_excluded_where_none_is_mortal():
    """PySide6-Essentials 6.12.0 on Python < 3.12 drops references to None (the app
    aborted with none_dealloc); pyproject refuses it there, and says why beside it."""
    text = (ROOT / "pyproject.toml").read_text()
    pins = [Requirement(r) for r in tomllib.loads(text)["project"]["dependencies"]]
    pins = [r for r in pins if r.name == "PySide6-Essentials"]

    def allowed(python: str, release: str) -> bool:
        env = {"python_version": python, "python_full_version": python + ".0"}
        return any((r.marker is None or r.marker.evaluate(env)) and r.specifier.contains(release)
                   for r in pins)
    assert not allowed("3.11", "6.12.0")
    assert allowed("3.11", "6.11.3") and allowed("3.11", "6.12.1") and allowed("3.13", "6.12.0")
    above = text[:text.index('"PySide6-Essentials')].splitlines()[:-1]
    comment = []
    while above and above[-1].strip().startswith("#"):       # the comment right above the pin
        comment.insert(0, above.pop())
    comment = "\n".join(comment)
    assert "6.12.0" in comment and "none_dealloc" in comment and "canary" in comment


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

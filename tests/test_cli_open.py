"""`studio open` without a screen: a clear message, never a Qt abort."""
import os
import subprocess
import sys

import pytest


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(STUDIO_HOME=str(tmp_path / "home"), **extra)
    return env


def test_open_without_a_display_says_what_to_do(tmp_path, sample_copy):
    project = sample_copy("food-delivery")
    done = subprocess.run([sys.executable, "-m", "studio", "open", str(project)],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no display found" in done.stderr and "xvfb-run" in done.stderr


@pytest.mark.gui
def test_smoke_without_a_display_paints_offscreen(tmp_path, sample_copy):
    project = sample_copy("food-delivery")
    done = subprocess.run([sys.executable, "-m", "studio", "open", str(project), "--smoke"],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "first paint" in done.stdout
    logs = tmp_path / "home" / "logs"                # the real app keeps its crash evidence
    assert "started: Procedure Studio" in (logs / "crash.log").read_text()
    log = (logs / "studio.log").read_text()
    assert "started: Procedure Studio" in log and f"logs in {logs}" in log
    assert "qt.svg" not in done.stderr + log and "Cannot open file" not in done.stderr + log


def _without(monkeypatch, *modules):
    """This Python as if `modules` were not installed (None in sys.modules stops an import)."""
    for name in list(sys.modules):
        if name.split(".")[0] in modules:
            monkeypatch.delitem(sys.modules, name)
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)
    for name in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"):
        if "PySide6" in modules:
            monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.parametrize("missing", ["PySide6", "pyqtgraph"])
def test_open_without_the_gui_installed_says_how_to_install_it(monkeypatch, capsys, sample_copy, missing):
    from studio.cli import main
    project = sample_copy("food-delivery")
    monkeypatch.setenv("DISPLAY", ":0")          # a desktop session, but a CLI-only install
    _without(monkeypatch, missing)
    if missing == "pyqtgraph":                   # PySide6 there (also in the headless venv)
        import types
        for name in ("PySide6", "PySide6.QtWidgets"):
            monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    assert main(["open", str(project)]) == 2
    err = capsys.readouterr().err
    assert f"{missing} is not installed" in err
    assert "pip install" in err and '"pyqtgraph>=' in err and '"PySide6-Essentials>=' in err
    assert "Traceback" not in err


def test_the_install_hint_asks_for_what_pyproject_requires():
    import tomllib
    from pathlib import Path
    from studio.cli.cmd_open import GUI_REQUIREMENTS
    data = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    declared = {d.split(";")[0].strip().replace(" ", "") for d in data["project"]["dependencies"]}
    for requirement in GUI_REQUIREMENTS:
        assert requirement in declared


def test_open_without_the_gui_and_without_a_display_says_both(monkeypatch, capsys, sample_copy):
    from studio.cli import main
    project = sample_copy("food-delivery")
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    _without(monkeypatch, "PySide6")
    assert main(["open", str(project)]) == 2
    err = capsys.readouterr().err
    assert "PySide6 is not installed" in err and "pip install" in err
    if sys.platform.startswith("linux"):
        assert "no display found" in err

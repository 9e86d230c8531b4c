"""packaging/ builds the app folder that runs without Python (packaging/build.sh, which
takes many minutes, is run by hand or by packaging/ci/build.yml): what can be checked
quickly is checked here. The frozen entry point behaves as `studio` and runs the
sandbox worker; the spec leaves out no Qt module the app imports; the .desktop file
and the CI workflow are what packaging/README.md says."""
from __future__ import annotations

import ast
import configparser
import re
import subprocess
import sys
from pathlib import Path

from studio import __version__

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def test_the_scripts_are_executable_bash_without_syntax_errors():
    for name in ("build.sh", "smoke.sh"):
        script = PACKAGING / name
        assert script.stat().st_mode & 0o111, f"{name} is not executable"
        done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_the_frozen_entry_point_is_the_studio_command():
    done = subprocess.run([sys.executable, str(PACKAGING / "launcher.py"), "--version"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"studio {__version__}"


def test_the_frozen_entry_point_runs_the_sandbox_worker_script(tmp_path):
    from studio.runtime.sandbox import FROZEN_WORKER_FLAG
    script = tmp_path / "worker.py"
    script.write_text("import sys\nprint('worker', sys.argv[1:])\n")
    done = subprocess.run([sys.executable, str(PACKAGING / "launcher.py"), FROZEN_WORKER_FLAG,
                           str(script), "256"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "worker ['256']"


def _spec_list(name: str) -> list[str]:
    tree = ast.parse((PACKAGING / "procedure-studio.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in the spec")


def test_the_spec_leaves_out_unused_qt_modules_and_none_the_app_imports():
    excluded = set(_spec_list("excludes"))
    assert {"PySide6.QtQml", "PySide6.QtWebEngineCore", "PySide6.QtNetwork"} <= excluded
    used = set()
    for path in (ROOT / "studio").rglob("*.py"):
        used |= set(re.findall(r"\b(PySide6\.Qt\w+)", path.read_text(encoding="utf-8")))
    assert used, "no Qt module found in studio/"
    assert used & excluded == set()


def test_the_desktop_entry_starts_the_app_with_its_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / "procedure-studio.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Exec"].split()[0] == "procedure-studio"
    assert (PACKAGING / "icons" / f"{desktop['Icon']}.svg").is_file()
    assert (PACKAGING / "icons" / f"{desktop['Icon']}.png").is_file()


def test_the_ci_workflow_builds_and_smoke_tests_on_the_three_systems():
    workflow = (PACKAGING / "ci" / "build.yml").read_text(encoding="utf-8")
    assert re.search(r"os:\s*\[ubuntu-latest, windows-latest, macos-latest\]", workflow)
    assert "packaging/build.sh" in workflow and "packaging/smoke.sh" in workflow
    readme = (PACKAGING / "README.md").read_text(encoding="utf-8")
    assert "## Windows" in readme and "## macOS" in readme

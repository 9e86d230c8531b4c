""".ci/run tests what users run: the suite with `python3` (the README's install command)
in .venv and with the newest Python present in .venv-newest. The CI that only used the
newest Python never saw the PySide6 6.12.0 crash that only Python 3.11 shows.

.ci/run is sourced (it then only defines its steps) with a PATH of fake interpreters,
and venvs whose `lint-imports` and `python` say what they were asked to run."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("seq", "sort", "tail", "dirname", "cat")


def _script(path: Path, text: str) -> None:
    path.write_text("#!/bin/sh\n" + text + "\n")
    path.chmod(0o755)


@pytest.fixture
def fake_bin(tmp_path):
    """A PATH holding only the tools .ci/run's steps use, and no Python yet."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in TOOLS:
        os.symlink(shutil.which(tool), bin_ / tool)
    return bin_


def _python(bin_: Path, name: str, version: str | None) -> None:
    """An interpreter answering .ci/run's version probe (None: a shim that does not run)."""
    _script(bin_ / name, f"echo {version}" if version else "exit 1")


def _fake_venv(root: Path, name: str, log: Path) -> None:
    bin_ = root / name / "bin"
    bin_.mkdir(parents=True)
    (bin_ / "activate").write_text(f'PATH="{bin_}:$PATH"\n')
    _script(bin_ / "lint-imports", f'echo "{name}: lint-imports" >> {log}')
    _script(bin_ / "python", f'echo "{name}: python $*" >> {log}')


def _steps(tmp_path, fake_bin, *steps) -> tuple[subprocess.CompletedProcess, str]:
    """Source .ci/run, fake make_venv, run `steps` from tmp_path (where the fake venvs
    are) with .ci/run's own run_suite; (the process, what the venvs were asked to run)."""
    log = tmp_path / "suites.log"
    log.touch()
    for name in (".venv", ".venv-newest"):
        _fake_venv(tmp_path, name, log)
    script = "\n".join([f'source "{ROOT}/.ci/run"', f'cd "{tmp_path}"',
                        'make_venv() { echo "make_venv $1 $2"; }',
                        'echo "steps: ${STEPS[*]}"', *steps])
    done = subprocess.run(["/bin/bash", "-c", script], capture_output=True, text=True, timeout=60,
                          env={"PATH": str(fake_bin), "HOME": str(tmp_path)})
    return done, log.read_text()


def test_ci_runs_the_suite_with_python3_and_with_the_newest_python(tmp_path, fake_bin):
    _python(fake_bin, "python3", "3.11")
    _python(fake_bin, "python3.11", "3.11")
    _python(fake_bin, "python3.12", None)          # a pyenv shim of a version not selected
    _python(fake_bin, "python3.13", "3.13")
    done, suites = _steps(tmp_path, fake_bin, "step_readme_python", "step_newest_python")
    assert done.returncode == 0, done.stderr
    assert "steps: step_readme_python step_newest_python" in done.stdout
    assert "python3 is Python 3.11 (.venv)" in done.stdout
    assert "make_venv .venv python3\n" in done.stdout
    assert "newest Python: python3.13 (3.13, .venv-newest)" in done.stdout
    assert "make_venv .venv-newest python3.13\n" in done.stdout
    assert suites.splitlines() == [".venv: lint-imports", ".venv: python -m pytest",
                                   ".venv-newest: lint-imports", ".venv-newest: python -m pytest"]


def test_with_nothing_newer_than_python3_the_second_venv_is_skipped(tmp_path, fake_bin):
    _python(fake_bin, "python3", "3.13")
    _python(fake_bin, "python3.13", "3.13")
    _python(fake_bin, "python3.11", "3.11")
    done, suites = _steps(tmp_path, fake_bin, "step_readme_python", "step_newest_python")
    assert done.returncode == 0, done.stderr
    assert "skipped: no Python newer than python3 (3.13) found" in done.stdout
    assert suites.splitlines() == [".venv: lint-imports", ".venv: python -m pytest"]


def test_a_python3_older_than_the_readme_asks_is_an_error(tmp_path, fake_bin):
    _python(fake_bin, "python3", None)             # 3.10: the version probe exits 1
    done, suites = _steps(tmp_path, fake_bin, "step_readme_python || echo status $?")
    assert "status 2" in done.stdout and "needs Python 3.11 or newer" in done.stderr
    assert suites == ""

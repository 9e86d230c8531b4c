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

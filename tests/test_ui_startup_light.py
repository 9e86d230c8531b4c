"""Start-up stays light: the first paint loads neither litellm nor pyqtgraph, and
the test-half panels (runner, library, reports) are built after it, when looked at."""
from __future__ import annotations

import os
import subprocess
import sys


def test_first_paint_loads_no_heavy_module(tmp_path, sample_copy):
    project = sample_copy("food-delivery")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STUDIO_HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, "-m", "studio", "open", str(project), "--smoke"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "heavy modules loaded: none" in done.stdout, done.stdout

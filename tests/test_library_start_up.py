"""What a library command and a run-all worker import: start-up is part of every command's
time (DESIGN.md section 7 counts it), so neither pays for modules it never uses."""
from __future__ import annotations

import subprocess
import sys


def _loaded(code: str, prefixes: tuple[str, ...]) -> list[str]:
    script = (code + "\nimport sys\nprint(sorted(m for m in sys.modules "
              f"if m.split('.')[0] in {prefixes!r}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    return eval(done.stdout.strip())  # noqa: S307 - our own printed list


def test_the_library_uses_sqlite_utils_without_importing_numpy_or_pandas(tmp_path):
    code = ("import sqlite3\nfrom studio.library import Library\n"
            f"Library.open({str(tmp_path)!r}, sync=False).close()")
    assert _loaded(code, ("numpy", "pandas")) == []
    assert "sqlite_utils" in _loaded(code, ("sqlite_utils",))


def test_a_run_all_worker_starts_without_the_store():
    """Workers run simulations and return rows: the fork server imports the engine and
    the records, not sqlite-utils, the writer or the Library."""
    code = "import studio.library.run_pool, studio.simulate.runner"
    assert _loaded(code, ("sqlite_utils", "numpy")) == []
    assert "studio.library.library" not in _loaded(code, ("studio",))

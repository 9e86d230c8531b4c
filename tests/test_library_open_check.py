"""A damaged library is still found on open (DESIGN.md §7), while a library that Studio
closed cleanly and nobody touched since skips SQLite's full quick_check (0.3 s on every
command at 20,000 simulations x 3 runs): open_check.py says which opens get which."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from library_fakes import make_project
from studio.cli import main
from studio.library import Library, LibraryCorrupt
from studio.library import library as library_module
from studio.library import open_check


@pytest.fixture
def checks(monkeypatch):
    """Every library counts as large here (small ones always get the full check), and
    each full quick_check is recorded."""
    monkeypatch.setattr(open_check, "ALWAYS_CHECK_BELOW", 0)
    ran = []
    real = library_module.integrity_problems

    def spy(db, *, full=False):
        ran.append("integrity_check" if full else "quick_check")
        return real(db, full=full)
    monkeypatch.setattr(library_module, "integrity_problems", spy)
    return ran


def _overwrite_middle_page(path) -> None:
    pages = path.stat().st_size // 4096
    with open(path, "r+b") as handle:
        handle.seek(pages // 2 * 4096)
        handle.write(os.urandom(4096))


def _library(tmp_path, count=40):
    root = make_project(tmp_path / "proj", count)
    Library.open(root).close()                  # first open: checked in full, closed cleanly
    return root


def test_an_untouched_library_closed_cleanly_skips_the_full_check(tmp_path, checks):
    root = _library(tmp_path)
    checks.clear()
    with Library.open(root) as library:
        assert library.full_check is False and library.simulation_count() == 40
    with Library.open(root, read_only=True) as library:
        assert library.full_check is False
    assert checks == []


def test_a_page_overwritten_after_a_clean_close_is_found_on_open(tmp_path, checks, capsys):
    root = _library(tmp_path)
    path = root / "library.sqlite"
    _overwrite_middle_page(path)
    with pytest.raises(LibraryCorrupt) as info:
        Library.open(root)
    assert "the simulation library is damaged" in str(info.value)
    assert checks == ["quick_check", "quick_check"]     # the first open, then this one
    before = path.read_bytes()
    assert main(["run-all", str(root), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "the simulation library is damaged" in err and f"studio sim rebuild {root}" in err
    assert path.read_bytes() == before                   # no run appended to it


def test_putting_the_modified_time_back_does_not_hide_a_change(tmp_path, checks):
    root = _library(tmp_path)
    path = root / "library.sqlite"
    stat = path.stat()
    _overwrite_middle_page(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))   # as `cp -p` or a sync tool does
    assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_size == stat.st_size
    with pytest.raises(LibraryCorrupt):
        Library.open(root)


def test_a_studio_that_died_with_the_library_open_gets_the_full_check_next(tmp_path, checks):
    root = _library(tmp_path)
    script = textwrap.dedent(f"""
        import os
        from studio.library import Library
        library = Library.open({str(root)!r})
        library.audit("test.write")
        os._exit(0)                       # killed: no close, the lock file keeps this pid
    """)
    assert subprocess.run([sys.executable, "-c", script], timeout=60).returncode == 0
    checks.clear()
    with Library.open(root) as library:
        assert library.full_check is True and library.simulation_count() == 40
    assert checks == ["quick_check"]
    with Library.open(root) as library:          # that close was clean again
        assert library.full_check is False


def test_damage_met_while_open_leaves_no_clean_close(tmp_path, checks, monkeypatch):
    root = _library(tmp_path)
    library = Library.open(root)
    library.damaged(Exception("database disk image is malformed"))   # a query met a bad page
    library.close()
    with Library.open(root) as again:
        assert again.full_check is True


def test_small_libraries_always_get_the_full_check(tmp_path, checks, monkeypatch):
    monkeypatch.setattr(open_check, "ALWAYS_CHECK_BELOW", 16 * 1024 * 1024)
    root = _library(tmp_path)
    with Library.open(root) as library:
        assert library.full_check is True

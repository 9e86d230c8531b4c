"""`studio open [PROJECT] [--smoke]`: the desktop app (also what `studio` alone runs)."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "open", help="open the desktop app on a project (default: the last one, or a sample)")
    parser.add_argument("project", nargs="?", help="project folder (holds studio.yaml)")
    parser.add_argument("--smoke", action="store_true",
                        help="open, paint the main window once and exit (0 on success)")
    parser.set_defaults(func=run)


def run(args) -> int:
    project = Path(args.project) if args.project else None
    if project is not None and not (project / "studio.yaml").exists():
        print(f"studio open: {project} is not a project folder (no studio.yaml)", file=sys.stderr)
        return 2
    missing, no_display = gui_missing(), _no_display() and not args.smoke
    if missing:                       # everything that stands in the way, at once
        print(missing, file=sys.stderr)
    if no_display:
        print("studio open: no display found (DISPLAY and WAYLAND_DISPLAY are unset). Start it from "
              "a desktop session, or under a virtual screen: xvfb-run studio open", file=sys.stderr)
    if missing or no_display:
        return 2
    if _no_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"   # a smoke test can paint without a screen
    try:
        from studio.ui.app import run as run_app   # Qt is imported only for this command
        return run_app(project, smoke=args.smoke)
    except Exception as exc:  # a clear message and a non-zero code, never a silent failure
        print(f"studio open: {type(exc).__name__}: {exc}", file=sys.stderr)
        if args.smoke:
            import traceback
            traceback.print_exc()
        return 2


# what pip needs to add the desktop half (pyproject.toml's dependencies; a test keeps them equal)
GUI_REQUIREMENTS = ("PySide6-Essentials>=6.6,!=6.12.0" if sys.version_info < (3, 12)
                    else "PySide6-Essentials>=6.6", "pyqtgraph>=0.13.7")


def gui_missing() -> str | None:
    """Why the desktop app cannot start in this Python (PySide6 or pyqtgraph missing or
    broken), with the command that installs it; None when it can. A headless install
    (CI, a server) has the CLI only."""
    import importlib
    import importlib.util
    problem = None
    try:
        importlib.import_module("PySide6.QtWidgets")    # imported for the window anyway
    except ImportError as exc:
        if isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("PySide6"):
            problem = f"PySide6 is not installed in this Python ({sys.executable})"
        else:        # installed, but shiboken6 or a system library of Qt is missing
            problem = f"PySide6 is installed but does not load ({exc})"
    if problem is None:
        try:        # found, not imported: pyqtgraph stays out of the start-up path
            found = importlib.util.find_spec("pyqtgraph") is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            problem = f"pyqtgraph is not installed in this Python ({sys.executable})"
    if problem is None:
        return None
    wanted = " ".join(f'"{r}"' for r in GUI_REQUIREMENTS)
    return (f"studio open: the desktop app needs PySide6 and pyqtgraph; {problem}.\n"
            f"Install the GUI with:  {sys.executable} -m pip install {wanted}\n"
            "(the command-line tools (studio run, run-all, validate...) work without it)")


def _no_display() -> bool:
    """Qt aborts the process without a screen; say so instead (Linux only)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))

"""Shared by the library commands (sim, run-all, runs, coverage, stats): open the
project and its library, turning library errors into a clear message and exit 2.

The project and library modules are imported where they are used: a command's parser
is built from here, and `run-all` starts its worker processes before those imports."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from studio.core.layout import SETTINGS_FILE

if TYPE_CHECKING:
    from studio.core.project import Project
    from studio.library import Library

EXIT_ERROR = 2
READ_ONLY_FLAG = "--force-read-only"


def error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


def not_a_project(root: str | Path) -> str | None:
    """Why `root` is not a project folder, or None when it is one."""
    path = Path(root)
    if not path.is_dir():
        return f"{path} is not a folder: give the path of a project folder (it holds {SETTINGS_FILE})"
    if not (path / SETTINGS_FILE).is_file() and not (path / "procedures").is_dir():
        return (f"{path} is not a Procedure Studio project (no {SETTINGS_FILE}); "
                "`studio new PATH` creates one")
    return None


def is_project(root: str | Path) -> bool:
    """True for a project folder; otherwise False after printing why not."""
    problem = not_a_project(root)
    if problem:
        error(problem)
    return problem is None


def load(root: str, *, simulations: bool = True) -> Project | None:
    """The project, or None after printing why not. `simulations=False` when the
    command takes them from the library (which reports broken simulation files)."""
    if not is_project(root):
        return None
    from studio.core.project import load_project
    return load_project(Path(root), simulations=simulations)


def open_library(root: str, *, read_only: bool = False, quiet: bool = False,
                 offers_read_only: bool = False) -> Library | None:
    """The project's library, or None after printing why not. Never creates a
    library.sqlite in a folder that is not a project. `offers_read_only`: the
    command has --force-read-only, so a library in use can still be read."""
    if not is_project(root):
        return None
    from studio.library import Library, LibraryError, LibraryInUse
    try:
        library = Library.open(root, read_only=read_only)
    except LibraryInUse as exc:
        if offers_read_only:
            what = f"add {READ_ONLY_FLAG} to read it while the other one has it open"
        else:
            what = "this command changes the library: close the other one, then run this again"
        error(f"{str(exc).splitlines()[0]}\n{what}")
        return None
    except LibraryError as exc:
        error(str(exc))
        return None
    if not quiet:
        for problem in library.load_problems:
            print(problem.format(), file=sys.stderr)
    return library


def read_library(args, work: Callable[[Library], Any]) -> tuple[Any, int | None]:
    """(work(library), None) for a command that only reads the library (it honours
    --force-read-only), or (None, exit code) after printing why it could not."""
    library = open_library(args.project, read_only=getattr(args, "force_read_only", False),
                           quiet=True, offers_read_only=hasattr(args, "force_read_only"))
    if library is None:
        return None, EXIT_ERROR
    from studio.library import LibraryError
    from studio.library.library import is_damage
    try:
        return work(library), None
    except LibraryError as exc:
        return None, error(str(exc))
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        return None, error(str(library.damaged(exc)))
    finally:
        library.close()


def add_project_arg(parser) -> None:
    parser.add_argument("project", metavar="PROJECT", help="the project folder")


def add_read_only_arg(parser) -> None:
    parser.add_argument(READ_ONLY_FLAG, action="store_true",
                        help="read the library even when another Studio has it open")


def add_report_args(parser, run_help: str | None = None) -> None:
    """PROJECT, --json and --force-read-only of a command that reads the library; with
    `run_help`, also --run RUN."""
    add_project_arg(parser)
    if run_help:
        parser.add_argument("--run", type=int, metavar="RUN", help=run_help)
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_read_only_arg(parser)

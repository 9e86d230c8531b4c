"""Shared by the library commands (sim, run-all, runs, coverage, stats): open the
project and its library, turning library errors into a clear message and exit 2."""
from __future__ import annotations

import sys
from pathlib import Path

from studio.core.project import Project, load_project
from studio.library import Library, LibraryError

EXIT_ERROR = 2


def error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


def load(root: str) -> Project | None:
    path = Path(root)
    if not (path / "studio.yaml").is_file() and not (path / "procedures").is_dir():
        error(f"{path} is not a Procedure Studio project (no studio.yaml)")
        return None
    return load_project(path)


def open_library(root: str, *, read_only: bool = False, quiet: bool = False) -> Library | None:
    try:
        library = Library.open(root, read_only=read_only)
    except LibraryError as exc:
        error(str(exc))
        return None
    if not quiet:
        for problem in library.load_problems:
            print(problem.format(), file=sys.stderr)
    return library


def add_project_arg(parser) -> None:
    parser.add_argument("project", metavar="PROJECT", help="the project folder")

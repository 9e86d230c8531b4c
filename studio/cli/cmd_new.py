"""`studio new PATH [--sample NAME]`: start an empty project, or from a sample."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from studio.core.project import (
    ATTACHMENTS_DIR, CONNECTORS_DIR, KNOWLEDGE_DIR, PROCEDURES_DIR, SIMULATIONS_DIR, Project,
)
from studio.core.samples import sample_names, samples_root
from studio.core.settings import ProjectSettings

FOLDERS = (PROCEDURES_DIR, CONNECTORS_DIR, KNOWLEDGE_DIR, SIMULATIONS_DIR, ATTACHMENTS_DIR)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "new", help="create a project folder",
        description="Create an empty project (studio.yaml and its folders), "
                    "or a copy of a sample project with --sample.")
    parser.add_argument("path", type=Path, help="the folder to create (must be empty or missing)")
    parser.add_argument("--sample", metavar="NAME",
                        help="copy this sample project: " + (", ".join(sample_names()) or "none"))
    parser.add_argument("--name", help="project name (default: from the folder name)")
    parser.set_defaults(func=run)


def run(args) -> int:
    try:
        return _create(args)
    except OSError as exc:
        print(f"error: cannot create {args.path}: {exc.strerror or exc}; "
              "choose a folder you can write to", file=sys.stderr)
        return 2


def _create(args) -> int:
    target: Path = args.path
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(f"error: {target} already exists and is not empty; "
              "choose a new folder so nothing is overwritten", file=sys.stderr)
        return 2
    if args.sample:
        names = sample_names()
        if args.sample not in names:
            available = ", ".join(names) or f"none found (no sample projects in {samples_root()})"
            print(f"error: unknown sample '{args.sample}'; available samples: {available}",
                  file=sys.stderr)
            return 2
        if target.exists():
            target.rmdir()
        shutil.copytree(samples_root() / args.sample, target,
                        ignore=shutil.ignore_patterns("library.sqlite*", "__pycache__"))
        print(f"Created {target} from sample '{args.sample}'. Check it with: studio validate {target}")
        return 0
    name = args.name or target.resolve().name.replace("-", " ").replace("_", " ").strip().capitalize()
    target.mkdir(parents=True, exist_ok=True)
    for folder in FOLDERS:
        (target / folder).mkdir(exist_ok=True)
    Project(root=target, settings=ProjectSettings(name=name or "Untitled project")).save_settings()
    print(f"Created an empty project in {target}. Add procedures under {target / PROCEDURES_DIR}.")
    return 0

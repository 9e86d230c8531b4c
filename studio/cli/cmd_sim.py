"""`studio sim ...`: the simulation library as YAML: import, export, list, delete, rebuild, check."""
from __future__ import annotations

import sys
from pathlib import Path

from studio.core.project import LIBRARY_FILE, SIMULATIONS_DIR
from studio.library import LibraryError
from studio.library.library import check_file, corrupt_message, full_check
from studio.library.sim_io import export_to, import_files, rebuild

from .library_common import (add_project_arg, add_read_only_arg, error, is_project, load,
                             open_library, read_library)


def register(subparsers) -> None:
    p = subparsers.add_parser("sim", help="import, export, list, delete or rebuild the simulation library",
                              description=__doc__)
    sub = p.add_subparsers(dest="sim_command", metavar="ACTION")

    imp = sub.add_parser("import", help="import simulation YAML files (validated)")
    add_project_arg(imp)
    imp.add_argument("files", nargs="+", metavar="FILES",
                     help="simulation YAML files to copy into the project's simulations/ folder")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="write every simulation as YAML into DIR")
    add_project_arg(exp)
    exp.add_argument("directory", metavar="DIR",
                     help="folder to write <name>.yaml files into (created if missing)")
    add_read_only_arg(exp)
    exp.set_defaults(func=cmd_export)

    lst = sub.add_parser("list", help="list simulations")
    add_project_arg(lst)
    lst.add_argument("--search", metavar="TEXT", help="full-text search over names, tags and scripts")
    add_read_only_arg(lst)
    lst.set_defaults(func=cmd_list)

    dele = sub.add_parser("delete", help="delete a simulation: its file in simulations/ and its "
                                         "library entry (its run history is kept)")
    add_project_arg(dele)
    dele.add_argument("name", metavar="NAME",
                      help="the simulation's name, or its file name in simulations/ without .yaml")
    dele.set_defaults(func=cmd_delete)

    reb = sub.add_parser("rebuild", help="move a damaged library aside and rebuild it from simulations/")
    add_project_arg(reb)
    reb.set_defaults(func=cmd_rebuild)

    chk = sub.add_parser("check", help="full integrity check of the library file (opening runs a quick one)")
    add_project_arg(chk)
    chk.set_defaults(func=cmd_check)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def cmd_import(args) -> int:
    project = load(args.project)
    if project is None:
        return 2
    paths = []
    for name in args.files:
        path = Path(name)
        found = sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
        if not found:
            return error(f"{path}: the folder has no .yaml files to import")
        paths += found
    library = open_library(args.project)
    if library is None:
        return 2
    try:
        report = import_files(library, paths, known_procedures=set(project.procedures))
    finally:
        library.close()
    for problem in report.problems:
        print(problem.format(), file=sys.stderr)
    print(f"imported {len(report.imported)} simulation(s)"
          + (f"; {len(paths) - len(report.imported)} file(s) had errors" if not report.ok else ""))
    return 0 if report.ok else 2


def cmd_export(args) -> int:
    written, failed = read_library(args, lambda library: export_to(library, Path(args.directory)))
    if failed is not None:
        return failed
    print(f"exported {len(written)} simulation(s) to {args.directory}")
    return 0


def cmd_list(args) -> int:
    records, failed = read_library(
        args, lambda library: library.search(args.search) if args.search else library.simulations())
    if failed is not None:
        return failed
    width = max([len(r.name) for r in records] + [4])
    for r in records:
        tags = ", ".join(r.tags)
        print(f"{r.name:<{width}}  {r.procedure or '-':<20}  {tags}")
    print(f"{len(records)} simulation(s)", file=sys.stderr)
    return 0


def cmd_delete(args) -> int:
    """The file is the simulation (DESIGN.md section 3): removing it removes the simulation."""
    library = open_library(args.project, quiet=True)
    if library is None:
        return 2
    try:
        record = library.get(args.name)
        if record is None:
            rows = library.query("SELECT name FROM simulations WHERE source_file IN (?, ?)",
                                 [f"{SIMULATIONS_DIR}/{args.name}.yaml", f"{SIMULATIONS_DIR}/{args.name}.yml"])
            record = library.get(rows[0]["name"]) if rows else None
        if record is None:
            return error(f"no simulation named '{args.name}' in {args.project}; "
                         f"`studio sim list {args.project}` lists them")
        path = Path(args.project) / record.source_file if record.source_file else None
        if path is not None and path.is_file():
            path.unlink()
        library.delete_simulation(record.name)
        library.sync_from_folder()
    finally:
        library.close()
    print(f"deleted simulation '{record.name}'" + (f" ({record.source_file})" if path else "")
          + "; its run history is kept")
    return 0


def cmd_rebuild(args) -> int:
    root = Path(args.project)
    if not is_project(root):
        return 2
    try:
        moved, library, recovered = rebuild(root)
    except LibraryError as exc:
        return error(str(exc))
    try:
        count = library.simulation_count()
        for problem in library.load_problems:
            print(problem.format(), file=sys.stderr)
    finally:
        library.close()
    if moved:
        print(f"moved the old library to {moved}")
    if recovered:
        print(f"kept {len(recovered)} simulation(s) that only the old library had: "
              + ", ".join(recovered))
    print(f"rebuilt {root / 'library.sqlite'} with {count} simulation(s) from {root / 'simulations'}")
    return 0


def cmd_check(args) -> int:
    """SQLite's full integrity_check, read-only: exit 0 sound, 1 damaged (with the fix)."""
    root = Path(args.project)
    if not is_project(root):
        return 2
    path = root / LIBRARY_FILE
    if not path.exists():
        print(f"{path}: there is no library yet (it is created when the project is first run or opened)")
        return 0
    try:
        check_file(path, root)
        found = full_check(path)
    except LibraryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if found:
        print(corrupt_message(path, root, "; ".join(found)), file=sys.stderr)
        return 1
    print(f"{path}: ok (full integrity check)")
    return 0

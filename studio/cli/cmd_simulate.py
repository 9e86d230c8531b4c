"""`studio simulate PROJECT SIMULATION`: run one simulation and show what happened.

Exit codes: 0 passed (or skipped: nothing to judge), 1 failed, 2 error (including
an unknown simulation or a project that cannot be loaded).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studio.core.problems import Severity
from studio.core.project import SETTINGS_FILE, load_model, load_project
from studio.core.simulation import Simulation
from studio.runtime.options import RunOptions
from studio.simulate.report import format_result
from studio.simulate.runner import run_simulation

from .model_flags import ENGINE_HELP, add_model_flags
from .output import print_json

ENGINE_FILES = ("procedures/", "connectors/", SETTINGS_FILE)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "simulate", help="run one simulation and show the transcript, trace and results",
        description="Run one simulation of a project. SIMULATION is a file stem or name under the "
                    "project's simulations/ folder, or the path of a simulation YAML file.")
    parser.add_argument("project", help="the project folder")
    parser.add_argument("simulation", help="simulation name, file stem, or YAML file path")
    parser.add_argument("--trace", action="store_true", help="also print the engine's trace")
    parser.add_argument("--json", action="store_true", help="print the SimulationResult as JSON")
    add_model_flags(parser, model_help=ENGINE_HELP, metavars=(None, None),
                    api_base_help="the model server's URL (overrides studio.yaml)")
    parser.add_argument("--no-cache", action="store_true", help="do not serve model replies from the cache")
    parser.add_argument("--real-calls", action="store_true",
                        help="let connectors opted in under studio.yaml real_calls reach the network")
    parser.set_defaults(func=run)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def find_simulation(project, key: str) -> tuple[Simulation | None, str]:
    """(simulation, problem): by file path, file stem or name."""
    path = Path(key)
    if key.endswith((".yaml", ".yml")) or path.is_file():
        if not path.is_file():
            return None, f"no simulation file {key}"
        model, _, problems = load_model(Simulation, path, str(path))
        if model is None:
            return None, "cannot load the simulation:\n" + "\n".join(p.format() for p in problems)
        return model, ""
    found = project.simulation(key)
    if found is not None:
        return found, ""
    broken = [p for p in project.load_problems if p.file and Path(p.file).stem == key]
    if broken:
        return None, "cannot load the simulation:\n" + "\n".join(p.format() for p in broken)
    known = ", ".join(sorted(project.simulations)) or "none"
    return None, f"no simulation '{key}' in {project.root}/simulations (known: {known})"


def run(args: argparse.Namespace) -> int:
    root = Path(args.project)
    if not (root / SETTINGS_FILE).is_file():
        return _error(f"{root} is not a project folder (no {SETTINGS_FILE})")
    project = load_project(root)
    fatal = [p for p in project.load_problems
             if p.severity == Severity.error and (p.file or "").startswith(ENGINE_FILES)]
    if fatal:
        return _error("the project cannot be loaded:\n" + "\n".join(p.format() for p in fatal))
    simulation, problem = find_simulation(project, args.simulation)
    if simulation is None:
        return _error(problem)
    options = RunOptions(model=args.model, api_base=args.api_base, no_cache=args.no_cache,
                         real_calls=args.real_calls)
    result = run_simulation(project, simulation, options=options)
    if args.json:
        print_json("simulation-result/v1", result.model_dump(mode="json"))
    else:
        _print(format_result(result, trace=args.trace))
    return {"passed": 0, "skipped": 0, "failed": 1}.get(result.status, 2)


def _print(text: str) -> None:
    try:
        print(text)
    except UnicodeEncodeError:
        print(text.encode("ascii", "replace").decode("ascii"))

"""`studio run-all PROJECT`: run the library's simulations, store the results, report.

Exit 0 when everything passed (or was skipped: nothing to judge), 1 when a
simulation failed, 2 on any error.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

from typing import TYPE_CHECKING

from studio.core.layout import SETTINGS_FILE

from .library_common import add_project_arg, error, load, open_library
from .model_flags import ENGINE_HELP, add_model_flags
from .output import is_stdout

if TYPE_CHECKING:
    from studio.library.run_summary import RunSummary

# The engine, the library and the models load in main(), after the workers' fork server
# was started: its imports then run on the other core meanwhile.


def run_all(*args, **kwargs) -> "RunSummary":
    """studio.library.run_all.run_all, imported when the run starts."""
    from studio.library.run_all import run_all as run
    return run(*args, **kwargs)


def register(subparsers) -> None:
    p = subparsers.add_parser("run-all", help="run every simulation (or a filtered set) and store the results",
                              description=__doc__)
    add_project_arg(p)
    p.add_argument("--tag", action="append", default=[], metavar="T",
                   help="only simulations with this tag (repeatable)")
    p.add_argument("--procedure", action="append", default=[], metavar="P",
                   help="only simulations of this procedure (repeatable)")
    p.add_argument("--failed", action="store_true",
                   help="only those whose latest result did not pass (failed or error)")
    p.add_argument("--concurrency", type=positive_int, default=None, metavar="N",
                   help="simulations at once; with a model, its requests in flight at once (more "
                   "simulations run, to keep it busy) (default: studio.yaml model.concurrency, else 4)")
    p.add_argument("--repeat", type=positive_int, default=1, metavar="K",
                   help="run each simulation K times; reports pass^k and flaky ones")
    p.add_argument("--resume", action="store_true", help="finish the latest interrupted run")
    p.add_argument("--shard", type=shard_arg, metavar="K/N",
                   help="run only shard K of N (a stable 1/N of the chosen simulations, by a hash "
                        "of each name), for a CI matrix; `studio runs merge` joins the --json files")
    p.add_argument("--junit", metavar="FILE", help="write a JUnit XML report (`-`: to stdout)")
    p.add_argument("--json", metavar="FILE", help="write every detail as JSON (`-`: to stdout)")
    add_model_flags(p, model_help=ENGINE_HELP)
    p.add_argument("--no-cache", action="store_true", help="do not serve model answers from the cache")
    p.add_argument("--real-calls", action="store_true",
                   help="allow real connector calls where studio.yaml opts them in")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    p.set_defaults(func=main)


def shard_arg(text: str) -> tuple[int, int, str]:
    from studio.library.shards import parse_shard
    try:
        return (*parse_shard(text), text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


class TerminalProgress:
    """A bar redrawn in place on a terminal; one plain line per result otherwise."""

    def __init__(self, stream=None, quiet: bool = False):
        self.stream = stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int, message: str) -> None:
        if self.quiet:
            return
        if not self.tty:
            print(f"[{done}/{total}] {message}", file=self.stream, flush=True)
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.05:
            return
        self._last = now
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        text = f"\r[{bar}] {done}/{total} {message}"[:120]
        self.stream.write(text.ljust(120) if done < total else text.ljust(120) + "\n")
        self.stream.flush()


def usage_text(summary: RunSummary) -> str:
    """', 1234 tokens, cost $0.0123' over the results a model produced (none offline)."""
    ran = [r for r in summary.briefs if r.tokens is not None]
    if not ran:
        return ""
    from studio.llm.usage import cost_text, total_cost
    cost, known = total_cost([(r.cost, r.cost_known) for r in ran])
    return f", {sum(r.tokens for r in ran)} tokens, cost {cost_text(cost, known)}"


def print_summary(summary: RunSummary, engine: str, out=None) -> None:
    out = out or sys.stdout
    verdicts = summary.verdicts()
    grouped = summary.by_simulation()
    for name, verdict in verdicts.items():
        if verdict == "passed":
            continue
        brief = next(r for r in grouped[name] if r.status != "passed")
        print(f"{verdict.upper():7} {name}  [{brief.procedure or '-'}]", file=out)
        if verdict == "skipped":
            print("    nothing to judge: " + (brief.skipped_reason or ""), file=out)
        if brief.error:
            print(f"    error: {brief.error}", file=out)
        for kind, message in brief.failing:
            print(f"    {kind}: {message}", file=out)
    print(f"run {summary.run_id} ({summary.status}, {engine}): {summary.done}/{summary.total} run, "
          f"{summary.passed} passed, {summary.failed} failed, {summary.errors} errors"
          + (f", {summary.skipped} skipped" if summary.skipped else "") + " "
          f"in {summary.duration_s:.2f} s{usage_text(summary)}", file=out)
    if summary.repeat > 1:
        k = summary.repeat
        share = summary.pass_k
        print(f"pass^{k}: {share * 100:.0f}% of {len(verdicts)} simulations passed all {k} runs"
              if share is not None else f"pass^{k}: n/a", file=out)
        if summary.flaky:
            print("flaky (mixed results): " + ", ".join(summary.flaky), file=out)
    if summary.status != "complete":
        print(f"the run was {summary.status}: `studio run-all PROJECT --resume` finishes it", file=out)


def nothing_matches(library, args) -> str:
    """Why no simulation was chosen, with what the library does have."""
    if library.simulation_count() == 0:
        return (f"the library is empty: put simulation YAML files in {args.project}/simulations "
                f"or `studio sim import {args.project} FILES`")
    asked = [f"--tag {t}" for t in args.tag] + [f"--procedure {p}" for p in args.procedure]
    known = []
    unknown_tags = [t for t in args.tag if t not in set(library.tags())]
    if unknown_tags:
        known.append("tags in the library: " + (", ".join(library.tags()) or "none"))
    procedures = sorted({r["procedure"] for r in library.query(
        "SELECT DISTINCT procedure FROM simulations WHERE procedure IS NOT NULL")})
    if any(p not in procedures for p in args.procedure):
        known.append("procedures with simulations: " + (", ".join(procedures) or "none"))
    return (f"no simulation matches {' '.join(asked)}"
            + (" (--tag and --procedure combine with AND)" if args.tag and args.procedure
               else "")
            + ("; " + "; ".join(known) if known else "")
            + f"\n`studio sim list {args.project}` lists the simulations")


def report_folder_problem(args) -> str | None:
    """Checked before running, so a typo in --junit/--json does not cost a whole run."""
    if is_stdout(args.junit) and is_stdout(args.json):
        return "--junit - and --json - both ask for stdout; send one of them to a file"
    for flag, name in (("--junit", args.junit), ("--json", args.json)):
        if name and not is_stdout(name) and not Path(name).resolve().parent.is_dir():
            return f"{flag} {name}: the folder {Path(name).parent} does not exist"
    return None


def report_on_stdout(args) -> bool:
    return is_stdout(args.junit) or is_stdout(args.json)


def write_reports(summary: RunSummary, args, run=None) -> str | None:
    """`run`: the stored RunRecord, for the start time and the run's details.
    A report named `-` is printed to stdout instead of written to a file."""
    if not args.junit and not args.json:
        return None              # without importing the report writers (XML)
    from studio.library.reports import json_report, junit_xml, write_json, write_junit
    started, details = (run.started if run else None), (run.to_dict() if run else None)
    writers = ((args.junit, lambda: junit_xml(summary, started=started),
                lambda path: write_junit(summary, path, started=started)),
               (args.json, lambda: json_report(summary, run=details),
                lambda path: write_json(summary, path, run=details)))
    for name, text, writer in writers:
        if not name:
            continue
        try:
            if is_stdout(name):
                sys.stdout.write(text())
                sys.stdout.flush()
            else:
                writer(name)
        except OSError as exc:
            return f"cannot write {name}: {exc.strerror or exc}"
    return None


def settings_problems(project) -> list:
    """Errors in an existing studio.yaml: running with defaults instead would store a
    run of misleading errors (unknown segments, wrong model), so refuse like simulate."""
    from studio.core.problems import Severity
    if not (project.root / SETTINGS_FILE).is_file():
        return []
    return [p for p in project.load_problems if p.file == SETTINGS_FILE and p.severity == Severity.error]


def skipped_files(library, *, quiet: bool) -> int:
    """How many simulation files the library could not import (so they will not run);
    listed even with --quiet, since the run's exit code then says error."""
    from studio.core.problems import Severity
    broken = [p for p in library.load_problems if p.severity == Severity.error]
    if quiet:
        for problem in broken:
            print(problem.format(), file=sys.stderr)
    return len(broken)


def warm_up_workers(engine: str, project=None, options=None) -> None:
    """Start run-all's worker fork server before opening the library: its imports (the
    engine; litellm for a model, unless it is an OpenAI-compatible server spoken to
    directly) run on another core meanwhile."""
    from studio.library import run_pool
    model = engine != "offline"
    if not model:
        litellm = False
    elif project is None:        # --model and --api-base given: known before the project loads
        from studio.llm.openai_http import direct
        litellm = not direct(engine, getattr(options, "api_base", None))
    else:
        litellm = run_pool.needs_litellm(project, options)
    run_pool.warm_up(model=model, litellm=litellm)


def settings_model(root: str) -> str | None:
    """The model studio.yaml names, read alone and without its pydantic models (the
    project loads after the fork server started); None when studio.yaml is missing or
    not plain settings (load() then says why), "offline" when it names no model."""
    from studio.core.yaml_io import YamlError, parse_yaml
    try:
        data = parse_yaml((Path(root) / SETTINGS_FILE).read_text(encoding="utf-8"))[0]
    except (OSError, UnicodeDecodeError, YamlError):
        return None
    if not isinstance(data, dict):
        return None
    model = data.get("model", {})
    name = model.get("name", "offline") if isinstance(model, dict) else None
    return name if isinstance(name, str) else None


def main(args) -> int:
    problem = report_folder_problem(args)
    if problem:
        return error(problem)
    if args.model and args.model != "offline" and args.api_base:
        # the workers' imports start now, beside loading the project (time to first
        # request), before this process imports pydantic: `args` has the api_base
        warm_up_workers(args.model, None, args)
    elif ((Path(args.project) / SETTINGS_FILE).is_file()
          and (args.model or settings_model(args.project)) == "offline"):
        warm_up_workers("offline")      # known from studio.yaml alone: beside the project's load
    from studio.core.problems import Severity
    from studio.core.progress import Progress
    from studio.library import LibraryError
    from studio.library.library import is_damage
    from studio.library.run_all import RunOptions, select_simulations
    project = load(args.project, simulations=False)
    if project is None:
        return 2
    unusable = settings_problems(project)
    if unusable:
        return error(f"{SETTINGS_FILE} cannot be loaded, so nothing was run (every simulation "
                     "depends on it):\n" + "\n".join(p.format() for p in unusable))
    warm_up_workers(args.model or project.settings.model.name or "offline", project,
                    RunOptions(model=args.model, api_base=args.api_base))
    broken = [p for p in project.load_problems if p.severity == Severity.error]
    if broken and not args.quiet:
        print(f"warning: the project has {len(broken)} load problem(s); affected simulations "
              "end in error (`studio validate` lists them)", file=sys.stderr)
    library = open_library(args.project, quiet=args.quiet)
    if library is None:
        return 2
    unimported = skipped_files(library, quiet=args.quiet)
    try:
        options = RunOptions(model=args.model, api_base=args.api_base, no_cache=args.no_cache,
                             real_calls=args.real_calls)
        progress = Progress(TerminalProgress(quiet=args.quiet))
        concurrency = args.concurrency or project.settings.model.concurrency or 4
        filters = {k: v for k, v in (("tag", args.tag), ("procedure", args.procedure),
                                     ("failed", args.failed)) if v}
        if args.resume:
            mixed = [flag for flag, given in (("--tag", args.tag), ("--procedure", args.procedure),
                                              ("--failed", args.failed),
                                              ("--repeat", args.repeat > 1),
                                              ("--shard", args.shard)) if given]
            if mixed:
                return error(f"--resume finishes the interrupted run as it was planned; drop "
                             f"{', '.join(mixed)} (or start a new run without --resume)")
            if library.latest_run(statuses=("interrupted", "cancelled")) is None:
                # killed before the run was even recorded: what the user wants is that run
                print("nothing to resume (no interrupted run is recorded): starting a new run",
                      file=sys.stderr)
                args.resume = False
        if args.resume:
            summary = run_all(project, library, concurrency=concurrency, options=options,
                              progress=progress, resume=True)
        else:
            chosen = []
            if args.failed and library.latest_run() is not None:
                # the failures alone (a few of a large library); the whole list only when
                # none of them match, to tell "nothing matches" from "all passed"
                chosen = select_simulations(library, tags=args.tag, procedures=args.procedure,
                                            failed=True, light=True)
            if not chosen:
                every = select_simulations(library, tags=args.tag, procedures=args.procedure,
                                           light=True)
                if not every:
                    return error(nothing_matches(library, args))
                if not args.failed:
                    chosen = every
                elif library.latest_run() is None:
                    return error("--failed re-runs the failures of earlier runs, and there are "
                                 f"no runs yet: run `studio run-all {args.project}` first")
                elif not args.shard:
                    which = "simulation" if not (args.tag or args.procedure) else \
                        "simulation matching the filters"
                    print(f"nothing to run: every {which} passed in its latest run",
                          file=sys.stderr)
                    return 0
            if args.shard:      # an empty shard still runs: CI merges every shard's file
                from studio.library.shards import in_shard
                chosen = in_shard(chosen, args.shard[0], args.shard[1])
                filters["shard"] = args.shard[2]
            summary = run_all(project, library, simulations=chosen, concurrency=concurrency,
                              repeat=args.repeat, options=options, progress=progress,
                              filters=filters)
        engine = args.model or project.settings.model.name or "offline"
        unwritten = write_reports(summary, args, library.run(summary.run_id))
        # with a report on stdout, the human summary goes to stderr so the report stays parseable
        print_summary(summary, engine, out=sys.stderr if report_on_stdout(args) else None)
        if unwritten:
            return error(unwritten + " (the results are stored in the library: "
                         f"`studio runs show {args.project} {summary.run_id}`)")
        if unimported:
            return error(f"{unimported} simulation file(s) were not imported and did not run "
                         "(listed above; `studio validate` shows every problem)")
        return summary.exit_code
    except LibraryError as exc:
        return error(str(exc))
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        return error(str(library.damaged(exc)))
    except KeyboardInterrupt:
        run = library.latest_run(statuses=("interrupted", "cancelled"))
        kept = f"run {run.id} keeps its finished results; " if run else ""
        print(f"\ninterrupted: {kept}`studio run-all {args.project} --resume` finishes it",
              file=sys.stderr)
        return 130
    finally:
        library.close()

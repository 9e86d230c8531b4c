"""`studio run-all PROJECT`: run the library's simulations, store the results, report.

Exit 0 when everything passed, 1 when a simulation failed, 2 on any error.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from studio.core.problems import Severity
from studio.core.progress import Progress
from studio.library import LibraryError
from studio.library.reports import write_json, write_junit
from studio.library.run_all import RunOptions, RunSummary, run_all, select_simulations

from .library_common import add_project_arg, error, load, open_library


def register(subparsers) -> None:
    p = subparsers.add_parser("run-all", help="run every simulation (or a filtered set) and store the results",
                              description=__doc__)
    add_project_arg(p)
    p.add_argument("--tag", action="append", default=[], metavar="T",
                   help="only simulations with this tag (repeatable)")
    p.add_argument("--procedure", action="append", default=[], metavar="P",
                   help="only simulations of this procedure (repeatable)")
    p.add_argument("--failed", action="store_true", help="only those that did not pass in the last run")
    p.add_argument("--concurrency", type=positive_int, default=None, metavar="N",
                   help="simulations at once (default: studio.yaml model.concurrency, else 4)")
    p.add_argument("--repeat", type=positive_int, default=1, metavar="K",
                   help="run each simulation K times; reports pass^k and flaky ones")
    p.add_argument("--resume", action="store_true", help="finish the latest interrupted run")
    p.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    p.add_argument("--json", metavar="FILE", help="write every detail as JSON")
    p.add_argument("--model", metavar="M", help="engine: 'offline' or a litellm model id")
    p.add_argument("--api-base", metavar="URL", help="base URL of an OpenAI-compatible server")
    p.add_argument("--no-cache", action="store_true", help="do not serve model answers from the cache")
    p.add_argument("--real-calls", action="store_true",
                   help="allow real connector calls where studio.yaml opts them in")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    p.set_defaults(func=main)


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


def print_summary(summary: RunSummary, engine: str, out=None) -> None:
    out = out or sys.stdout
    verdicts = summary.verdicts()
    grouped = summary.by_simulation()
    for name, verdict in verdicts.items():
        if verdict == "passed":
            continue
        record = next(r for r in grouped[name] if r.status != "passed")
        result = record.result
        print(f"{verdict.upper():7} {name}  [{result.procedure or '-'}]", file=out)
        if result.error:
            print(f"    error: {result.error}", file=out)
        for e in result.failed_expectations:
            print(f"    {e.type}: {e.message}", file=out)
    print(f"run {summary.run_id} ({summary.status}, {engine}): {summary.done}/{summary.total} run, "
          f"{summary.passed} passed, {summary.failed} failed, {summary.errors} errors "
          f"in {summary.duration_s:.2f} s", file=out)
    if summary.repeat > 1:
        k = summary.repeat
        share = summary.pass_k
        print(f"pass^{k}: {share * 100:.0f}% of {len(verdicts)} simulations passed all {k} runs"
              if share is not None else f"pass^{k}: n/a", file=out)
        if summary.flaky:
            print("flaky (mixed results): " + ", ".join(summary.flaky), file=out)
    if summary.status != "complete":
        print(f"the run was {summary.status}: `studio run-all PROJECT --resume` finishes it", file=out)


def report_folder_problem(args) -> str | None:
    """Checked before running, so a typo in --junit/--json does not cost a whole run."""
    for flag, name in (("--junit", args.junit), ("--json", args.json)):
        if name and not Path(name).resolve().parent.is_dir():
            return f"{flag} {name}: the folder {Path(name).parent} does not exist"
    return None


def write_reports(summary: RunSummary, args) -> str | None:
    for name, writer in ((args.junit, write_junit), (args.json, write_json)):
        if not name:
            continue
        try:
            writer(summary, name)
        except OSError as exc:
            return f"cannot write {name}: {exc.strerror or exc}"
    return None


def main(args) -> int:
    problem = report_folder_problem(args)
    if problem:
        return error(problem)
    project = load(args.project, simulations=False)
    if project is None:
        return 2
    broken = [p for p in project.load_problems if p.severity == Severity.error]
    if broken and not args.quiet:
        print(f"warning: the project has {len(broken)} load problem(s); affected simulations "
              "end in error (`studio validate` lists them)", file=sys.stderr)
    library = open_library(args.project, quiet=args.quiet)
    if library is None:
        return 2
    try:
        options = RunOptions(model=args.model, api_base=args.api_base, no_cache=args.no_cache,
                             real_calls=args.real_calls)
        progress = Progress(TerminalProgress(quiet=args.quiet))
        concurrency = args.concurrency or project.settings.model.concurrency or 4
        filters = {k: v for k, v in (("tag", args.tag), ("procedure", args.procedure),
                                     ("failed", args.failed)) if v}
        if args.resume:
            summary = run_all(project, library, concurrency=concurrency, options=options,
                              progress=progress, resume=True)
        else:
            chosen = select_simulations(library, tags=args.tag, procedures=args.procedure,
                                        failed=args.failed)
            if not chosen and args.failed:
                print("nothing to run: the last run had no failures", file=sys.stderr)
                return 0
            if not chosen:
                return error("no simulations match" + (" the filters" if filters else
                                                        ": the library is empty"))
            summary = run_all(project, library, simulations=chosen, concurrency=concurrency,
                              repeat=args.repeat, options=options, progress=progress,
                              filters=filters)
        engine = args.model or project.settings.model.name or "offline"
        unwritten = write_reports(summary, args)
        print_summary(summary, engine)
        if unwritten:
            return error(unwritten + " (the results are stored in the library: "
                         f"`studio runs show {args.project} {summary.run_id}`)")
        return summary.exit_code
    except LibraryError as exc:
        return error(str(exc))
    except KeyboardInterrupt:
        run = library.latest_run(statuses=("interrupted", "cancelled"))
        kept = f"run {run.id} keeps its finished results; " if run else ""
        print(f"\ninterrupted: {kept}`studio run-all {args.project} --resume` finishes it",
              file=sys.stderr)
        return 130
    finally:
        library.close()

"""The `studio` command. Each sub-command lives in a `cmd_<name>.py` module with
`register(subparsers)`; they are found here so adding one touches no other file.

Exit codes are a contract: 0 success, 1 failed checks, 2 errors.
"""
from __future__ import annotations

import argparse
import ast
import importlib
import os
import pkgutil
import sys
from pathlib import Path

from .output import guarded_output

DEBUG_ENV = "STUDIO_DEBUG"
EXIT_BROKEN_PIPE = 141   # 128 + SIGPIPE, as a shell reports a command cut off by `head`


def _command_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("cmd_"))


class _Version(argparse.Action):
    """`--version`, looked up only when asked for (reading it costs every command time)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help=None):  # noqa: A002 - argparse's name
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from studio import __version__
        print(f"{parser.prog} {__version__}")
        parser.exit()


def _top_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    parser = argparse.ArgumentParser(
        prog="studio",
        description="Procedure Studio: write procedures and keep them from regressing.")
    parser.add_argument("--version", action=_Version, help="print Procedure Studio's version and exit")
    return parser, parser.add_subparsers(dest="command", metavar="COMMAND")


def _declared_command(module: str) -> tuple[str, str | None] | None:
    """(name, help) of a cmd_ module's `add_parser("name", help=...)`, read from its source
    without importing it (importing every command pulls in the library, the engine and numpy)."""
    try:
        tree = ast.parse((Path(__file__).parent / f"{module}.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "add_parser"
                and getattr(getattr(node.func, "value", None), "id", None) == "subparsers"
                and node.args and isinstance(node.args[0], ast.Constant)):
            help_text = next((k.value.value for k in node.keywords
                              if k.arg == "help" and isinstance(k.value, ast.Constant)), None)
            return node.args[0].value, help_text
    return None


def overview_parser() -> argparse.ArgumentParser:
    """`studio --help` and unknown commands: every command's name and one line, no imports."""
    parser, sub = _top_parser()
    for module in _command_modules():
        declared = _declared_command(module)
        if declared is None:       # not readable statically: ask the module itself
            importlib.import_module(f"{__name__}.{module}").register(sub)
        else:
            sub.add_parser(declared[0], help=declared[1])
    return parser


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """All sub-commands, or just `only` so start-up of the app imports no more than it needs."""
    parser, sub = _top_parser()
    names = _command_modules()
    if only is not None and f"cmd_{only.replace('-', '_')}" in names:
        names = [f"cmd_{only.replace('-', '_')}"]
    for name in names:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    as_program = argv is None
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        # No arguments: open the desktop app on the last project.
        argv = ["open"] if "cmd_open" in _command_modules() else ["--help"]
    code = EXIT_BROKEN_PIPE      # kept only if the output pipe broke outside the guards
    with guarded_output():
        code = _dispatch(argv)
    workers = "studio.library.run_pool" in sys.modules and \
        sys.modules["studio.library.run_pool"].server_started()
    if as_program and ("litellm" in sys.modules or workers) and argv[0] != "open":
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End a command that used a model or worker processes without the interpreter's
    teardown: litellm's exit handlers (closing its HTTP clients and loggers took 1.7 s
    after the last answer), and the workers' fork server, which holds this command's
    stdout and stderr while it tears down its own interpreter (a CI step reading them
    waited for that). The command's own work is done and stored: its files are
    written, the library and the cache committed."""
    pool = sys.modules.get("studio.library.run_pool")
    if pool is not None:
        pool.stop_server()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _dispatch(argv: list[str]) -> int:
    known = f"cmd_{argv[0].replace('-', '_')}" in _command_modules()
    parser = build_parser(only=argv[0]) if known else overview_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        # a file or folder the command needed: say which, and what went wrong
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug must still end with a message, not a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        from studio.library.records import busy_message, is_busy
        if is_busy(exc):          # another program's SQLite lock: not a bug, say what to do
            print(f"error: {busy_message('library.sqlite')}", file=sys.stderr)
            return 2
        print(f"error: internal error in `studio {argv[0]}`: {type(exc).__name__}: {exc}\n"
              f"This is a bug in Procedure Studio; nothing was deleted. Run again with "
              f"{DEBUG_ENV}=1 to see the full traceback for a report.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

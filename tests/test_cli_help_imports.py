"""`studio --help` lists every command without importing them: importing them all pulled in
the library, the engine and numpy (520 modules, half a second before any output)."""
from __future__ import annotations

import subprocess
import sys

from studio.cli import build_parser, overview_parser


def test_help_imports_no_command_module_nor_numpy(tmp_path):
    code = ("import io, sys, contextlib\n"
            "from studio.cli import main\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    try:\n"
            "        main(['--help'])\n"
            "    except SystemExit:\n"
            "        pass\n"
            "assert 'run-all' in out.getvalue(), out.getvalue()\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('studio.cli.cmd_')\n"
            "                or m.split('.')[0] in ('numpy', 'sqlite_utils', 'pydantic'))\n"
            "print(loaded)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_help_lists_the_same_commands_and_lines_as_the_full_parser():
    def commands(parser):
        action = next(a for a in parser._actions if a.dest == "command")
        return {c.dest: c.help for c in action._choices_actions}
    assert commands(overview_parser()) == commands(build_parser())

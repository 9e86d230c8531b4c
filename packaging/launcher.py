"""Entry point of the frozen app (PyInstaller): the `studio` command under the name
`procedure-studio`. With no arguments it opens the desktop app, as `studio` does.

It also runs the snippet sandbox's worker script when the app starts itself with
`--sandbox-worker PATH MEMORY_MB`, since a frozen app has no Python to run it with
(see studio/runtime/sandbox.py)."""
import multiprocessing
import runpy
import sys

from studio.runtime.sandbox import FROZEN_WORKER_FLAG


def _run() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == FROZEN_WORKER_FLAG:
        script = sys.argv[2]
        sys.argv = [script, *sys.argv[3:]]
        runpy.run_path(script, run_name="__main__")
        return 0
    from studio.cli import main
    return main()


if __name__ == "__main__":
    multiprocessing.freeze_support()     # worker processes of run-all start from this executable
    sys.exit(_run())

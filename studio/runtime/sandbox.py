"""Run designers' code snippets in a locked-down, long-lived worker process.

A snippet round-trip is one JSON line each way over pipes (well under a
millisecond), not a process start. The worker (sandbox_worker.py) checks the
snippet against sandbox_policy, runs it with a whitelist of builtins and
limits on memory, files and processes; this side enforces the wall-clock
timeout by killing the worker, and starts a fresh one when a worker died.
"""

from __future__ import annotations

import atexit
import datetime as _dt
import decimal
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

WORKER_PATH = Path(__file__).with_name("sandbox_worker.py")
#: A frozen app (packaging/, PyInstaller) has no Python to run a script with: its
#: executable runs the worker when called with this flag (packaging/launcher.py).
FROZEN_WORKER_FLAG = "--sandbox-worker"
STARTUP_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 512


class SnippetResult(BaseModel):
    status: Literal["ok", "blocked", "timeout", "error"]
    assigned: dict[str, Any] = {}  # top-level names the snippet assigned or changed (JSON values)
    error: str | None = None  # clear message, e.g. "blocked: import of 'os' is not allowed"
    duration_ms: float = 0.0
    printed: str = ""  # what the snippet print()ed, capped; handy in a trace


class _WorkerDied(Exception):
    def __init__(self, returncode: int | None) -> None:
        self.returncode = returncode
        super().__init__(f"sandbox worker exited ({returncode})")


def _json_default(value: Any) -> Any:
    """Accept the non-JSON values an engine may hold (dates, decimals, models)."""
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return str(value)


def _wait_readable(fd: int, seconds: float) -> bool:
    if hasattr(select, "poll"):  # unlike select(), fine with fd numbers over 1023
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        return bool(poller.poll(max(0.0, seconds) * 1000.0))
    return bool(select.select([fd], [], [], seconds)[0])


def worker_command(memory_mb: int) -> list[str]:
    """How to start the worker: `python -I -S worker.py`, or the frozen app's own executable."""
    if getattr(sys, "frozen", False):
        return [sys.executable, FROZEN_WORKER_FLAG, str(WORKER_PATH), str(memory_mb)]
    return [sys.executable, "-I", "-S", str(WORKER_PATH), str(memory_mb)]


class _Worker:
    """One worker process and its pipes; started lazily, replaced when it dies."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.proc: subprocess.Popen | None = None
        self._buffer = b""

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def ensure_started(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        self.stop()
        self.proc = subprocess.Popen(
            worker_command(self.memory_mb),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,  # a terminal's Ctrl-C goes to the app, not the worker
            env={"LC_ALL": "C.UTF-8"},
            cwd="/",
        )
        self._buffer = b""
        ready = json.loads(self._read_line(time.monotonic() + STARTUP_TIMEOUT))
        if not ready.get("ready"):
            raise RuntimeError(f"sandbox worker failed to start: {ready}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - kill -9 does not hang
            pass

    def _read_line(self, deadline: float) -> bytes:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if not _wait_readable(fd, remaining):
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise _WorkerDied(self.proc.wait())
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def request(self, payload: bytes, timeout: float) -> dict:
        """Send one request and wait for its answer; raises TimeoutError or _WorkerDied."""
        self.ensure_started()
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(payload)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _WorkerDied(self.proc.wait()) from None
        return json.loads(self._read_line(time.monotonic() + timeout))


class Sandbox:
    """Thread-safe front to a small pool of sandbox workers.

    ``max_workers`` bounds how many snippets run at once; extra callers wait.
    """

    def __init__(self, *, max_workers: int = 1, memory_mb: int = DEFAULT_MEMORY_MB) -> None:
        self._memory_mb = memory_mb
        self._max_workers = max(1, max_workers)
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []
        self._owner_pid = os.getpid()
        self._warming = False       # warm_up is starting a worker

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, code: str, variables: dict[str, Any], timeout: float = 2.0) -> SnippetResult:
        """Run ``code`` with ``variables`` as its globals; never raises for a bad snippet."""
        if not isinstance(code, str):
            return SnippetResult(status="error", error=f"the snippet must be text, not {type(code).__name__}")
        try:
            payload = json.dumps(
                {"code": code, "variables": variables or {}, "timeout": timeout},
                default=_json_default,
                allow_nan=False,
            ).encode("utf-8") + b"\n"
        except (TypeError, ValueError, RecursionError) as exc:
            return SnippetResult(status="error", error=f"the snippet's input variables are not JSON data: {exc}")
        worker = self._acquire()
        try:
            return self._run_on(worker, payload, timeout)
        finally:
            self._release(worker)

    def _run_on(self, worker: _Worker, payload: bytes, timeout: float) -> SnippetResult:
        for attempt in (1, 2):
            try:
                worker.ensure_started()
            except Exception as exc:  # noqa: BLE001 - reported, never raised into the engine
                worker.stop()
                return SnippetResult(status="error", error=f"the snippet sandbox could not start: {exc}")
            started = time.perf_counter()
            try:
                reply = worker.request(payload, timeout)
            except ValueError as exc:  # garbled reply: never trust that worker again
                worker.stop()
                return SnippetResult(status="error", error=f"the sandbox worker sent a bad reply: {exc}")
            except TimeoutError:
                worker.stop()
                return SnippetResult(status="timeout", error=f"timed out after {timeout:g} s",
                                     duration_ms=timeout * 1000.0)
            except _WorkerDied as died:
                worker.stop()
                elapsed = (time.perf_counter() - started) * 1000.0
                if died.returncode == -getattr(signal, "SIGXCPU", -1000):
                    return SnippetResult(status="timeout", error=f"timed out after {timeout:g} s (CPU limit)",
                                         duration_ms=elapsed)
                if attempt == 1:
                    continue  # the worker may have died before this snippet: try a fresh one
                return SnippetResult(status="error", duration_ms=elapsed,
                                     error=f"the snippet crashed the sandbox worker (exit code {died.returncode})")
            elapsed = (time.perf_counter() - started) * 1000.0
            if reply.get("recycle"):
                worker.stop()
            return SnippetResult(
                status=reply.get("status", "error"),
                assigned=reply.get("assigned") or {},
                error=reply.get("error"),
                printed=reply.get("printed") or "",
                duration_ms=elapsed,
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def _acquire(self) -> _Worker:
        with self._cond:
            if os.getpid() != self._owner_pid:  # forked: the parent's pipes are not ours
                self._idle, self._all, self._owner_pid = [], [], os.getpid()
                self._warming = False
            while not self._idle and (self._warming or len(self._all) >= self._max_workers):
                self._cond.wait()
            if self._idle:
                return self._idle.pop()
            worker = _Worker(self._memory_mb)
            self._all.append(worker)
            return worker

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            retired = worker not in self._all  # close() ran while it was busy
            if not retired:
                self._idle.append(worker)
            self._cond.notify()
        if retired:
            worker.stop()

    def warm_up(self) -> None:
        """Start one worker now (a run about to need snippets), so the first snippet does
        not wait for a process start; a snippet that comes meanwhile waits for this worker
        instead of starting another. One that cannot start is reported by the snippet."""
        with self._cond:
            if self._all or self._warming:
                return
            self._warming = True
        worker: _Worker | None = _Worker(self._memory_mb)
        try:
            worker.ensure_started()
        except Exception:  # noqa: BLE001 - the first snippet tries again and says why
            worker.stop()
            worker = None
        finally:
            with self._cond:
                self._warming = False
                if worker is not None:
                    self._all.append(worker)
                    self._idle.append(worker)
                self._cond.notify_all()

    def worker_pids(self) -> list[int]:
        """Pids of the live worker processes (diagnostics and tests)."""
        with self._cond:
            return [pid for pid in (w.pid for w in self._all) if pid is not None]

    def close(self) -> None:
        """Stop idle workers now; busy ones stop when their snippet returns."""
        with self._cond:
            self._all = []
            idle, self._idle = self._idle, []
        for worker in idle:  # busy ones are stopped by _release
            worker.stop()


_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def shared_sandbox() -> Sandbox:
    """The process-wide sandbox (two workers: snippets from parallel runs rarely queue)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Sandbox(max_workers=2)
            atexit.register(_shared.close)
        return _shared

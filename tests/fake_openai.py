"""A fake OpenAI-compatible server on 127.0.0.1 for tests and benchmarks.

It lets tests drive litellm's real HTTP path with scripted replies, latency and
faults, and no network. Replies come from a queue (`push`) or a function of the
request (`responder`); every request body is recorded in `requests`.

    with FakeOpenAI() as server:
        server.push("hello", Fault.rate_limit(retry_after=0.05), '{"a": 1}')
        settings = LLMSettings(model="openai/fake-model", api_base=server.url, api_key="test")
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


@dataclass
class Fault:
    """A non-normal reply: an HTTP status, a slow or a malformed response."""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None          # raw body; None means a JSON error object
    delay: float = 0.0               # extra seconds before answering
    content: str | None = None       # for slow(): the reply that finally comes

    @classmethod
    def rate_limit(cls, retry_after: float = 0.05) -> "Fault":
        return cls(status=429, headers={"Retry-After": f"{retry_after:g}"})

    @classmethod
    def server_error(cls, status: int = 500) -> "Fault":
        return cls(status=status)

    @classmethod
    def unauthorized(cls) -> "Fault":
        return cls(status=401, body=json.dumps({"error": {
            "message": "Incorrect API key provided", "type": "invalid_request_error",
            "code": "invalid_api_key"}}))

    @classmethod
    def unknown_model(cls, model: str = "fake-model") -> "Fault":
        return cls(status=404, body=json.dumps({"error": {
            "message": f"The model `{model}` does not exist", "type": "invalid_request_error",
            "code": "model_not_found"}}))

    @classmethod
    def bad_request(cls, message: str) -> "Fault":
        return cls(status=400, body=json.dumps({"error": {
            "message": message, "type": "invalid_request_error", "code": None}}))

    @classmethod
    def slow(cls, seconds: float, content: str = "late") -> "Fault":
        return cls(delay=seconds, content=content)

    @classmethod
    def malformed(cls) -> "Fault":
        return cls(status=200, body="{this is not json", headers={"Content-Type": "application/json"})


Reply = str | Fault | dict


def completion_body(content: str, model: str = "fake-model", prompt_tokens: int = 11,
                    completion_tokens: int = 7) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


class FakeOpenAI:
    def __init__(self, replies: list[Reply] | None = None, *, latency: float = 0.0,
                 responder: Callable[[dict], Reply] | None = None, default: str = "ok"):
        self.replies: deque[Reply] = deque(replies or [])
        self.responder = responder
        self.latency = latency
        self.default = default
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0      # requests taken and not answered yet, and the most at once
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> "FakeOpenAI":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True      # headers and body would otherwise wait 40 ms

            def log_message(self, *args: Any) -> None:   # keep test output clean
                pass

            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/_stats"):    # for a server in another process
                    fake._send(self, 200, json.dumps({"calls": fake.calls}), {})
                elif self.path.rstrip("/").endswith("/models"):
                    fake._send(self, 200, json.dumps({"object": "list", "data": [
                        {"id": "fake-model", "object": "model"}]}), {})
                else:
                    fake._send(self, 404, json.dumps({"error": {"message": "not found"}}), {})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="fake-openai")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The api_base to give litellm (with the /v1 suffix)."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting --------------------------------------------------------------
    def push(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self.replies.clear()
            self.requests.clear()
            self.headers.clear()
            self.max_in_flight = 0

    @property
    def calls(self) -> int:
        return len(self.requests)

    def last_messages(self) -> list[dict]:
        return self.requests[-1]["messages"] if self.requests else []

    # -- serving ------------------------------------------------------------------
    def _next_reply(self, body: dict) -> Reply:
        with self._lock:
            self.requests.append(body)
            if self.replies:
                return self.replies.popleft()
        if self.responder is not None:
            return self.responder(body)
        return self.default

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?")[0].rstrip("/")
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if not path.endswith("/chat/completions"):
            self._send(handler, 404, json.dumps({"error": {"message": f"no route {path}"}}), {})
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(handler, 400, json.dumps({"error": {"message": "bad json"}}), {})
            return
        with self._lock:
            self.headers.append({k.lower(): v for k, v in handler.headers.items()})
        reply = self._next_reply(body)
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            if isinstance(reply, Fault) and reply.delay:
                time.sleep(reply.delay)
        finally:         # before the answer goes out: the client may ask again at once
            with self._lock:
                self.in_flight -= 1
        model = str(body.get("model", "fake-model"))
        if isinstance(reply, dict):
            self._send(handler, 200, json.dumps(reply), {})
            return
        if isinstance(reply, str):
            self._send(handler, 200, json.dumps(completion_body(reply, model)), {})
            return
        if reply.content is not None and reply.status == 200 and reply.body is None:
            self._send(handler, 200, json.dumps(completion_body(reply.content, model)), reply.headers)
            return
        body_text = reply.body if reply.body is not None else json.dumps(
            {"error": {"message": f"fake error {reply.status}", "type": "server_error"}})
        self._send(handler, reply.status, body_text, reply.headers)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, text: str,
              headers: dict[str, str]) -> None:
        data = text.encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", headers.get("Content-Type", "application/json"))
            handler.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                if key != "Content-Type":
                    handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):   # the client gave up (timeout)
            pass

"""A hostile or broken API behind a real connector call (DESIGN.md section 7: a failing
or malformed connector answer): a body nested thousands deep, one deep enough to
overflow what walks it later, or one far too large is a connector failure the procedure
handles (on_error), read in bounded memory; never an engine fault."""
from __future__ import annotations

import tracemalloc

import pytest

from engine_kit import OrderApiHandler, events, local_server, make_project, order_api_connector, real_calls, run
from studio.core.limits import MAX_RESPONSE_BYTES
from studio.runtime.options import RunOptions


class Hostile(OrderApiHandler):
    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()                         # no Content-Length: read until the server closes
        for start in range(0, len(Hostile.body), 1 << 20):
            self.wfile.write(Hostile.body[start:start + (1 << 20)])


@pytest.fixture
def port():
    with local_server(Hostile) as port:
        yield port


def _run(tmp_path, port, monkeypatch, body: bytes):
    monkeypatch.setenv("SHOP_TOKEN", "hostile-api-test-token")
    Hostile.body = body
    steps = [{"id": "look", "kind": "connector", "connector": "get_order", "inputs": {"order_id": "FD-1"},
              "save_as": "order"},
             {"id": "bye", "kind": "end", "outcome": "resolved", "say": "status {{ order.status }}"}]
    project = make_project(tmp_path, procedures={"main": {"trigger": {"examples": ["check my order"]},
                                                          "steps": steps}},
                           connectors={"get_order": order_api_connector(port)}, settings=real_calls())
    return run(project, {"customer": {"script": ["check my order"]}, "expect": {"outcome": "handoff"}},
               options=RunOptions(real_calls=True))


@pytest.mark.parametrize("body, why", [
    (b"[" * 100_000 + b"]" * 100_000, "the response's JSON nests too deeply"),
    (b'{"status": ' + b'{"a": ' * 900 + b"1" + b"}" * 901, "the response's JSON nests deeper than 100 levels"),
    (b'{"status": "' + b"x" * (MAX_RESPONSE_BYTES + 1) + b'"}', "the response is larger than 10 MB"),
], ids=["brackets", "nested", "huge"])
def test_a_hostile_response_is_a_connector_failure_the_procedure_handles(tmp_path, port, monkeypatch, body, why):
    tracemalloc.start()
    try:
        result = _run(tmp_path, port, monkeypatch, body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.status == "passed", (result.error, result.failed_expectations)   # handed off, as on_error says
    call = events(result, "connector_called")[0]
    assert call["status"] == "error" and call["error"] == why
    assert peak < 3 * MAX_RESPONSE_BYTES


def test_an_ordinary_response_is_still_read(tmp_path, port, monkeypatch):
    result = _run(tmp_path, port, monkeypatch, b'{"status": "delivered"}')
    assert result.outcome == "resolved" and result.variables["order"] == {"status": "delivered"}

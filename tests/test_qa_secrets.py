"""A connector secret used in a real call never lands in a project file, the
library, a report, an export, the trace, the command output or the logs.

Only a local http.server on 127.0.0.1 started here is contacted.
"""
import logging

import pytest

from engine_kit import OrderApiHandler, local_server, make_project, order_api_connector, real_calls
from studio.cli import main

SECRET = "tok-9f8e7d6c5b4a-live"


class EchoHandler(OrderApiHandler):
    """Answers with the Authorization header it got, as a careless API might."""
    seen: list = []

    def do_GET(self):
        EchoHandler.seen.append(self.headers.get("Authorization"))
        self.send_order()


@pytest.fixture
def port():
    EchoHandler.seen = []
    with local_server(EchoHandler) as number:
        yield number


def shop_project(root, port):
    connector = order_api_connector(port, description="Look up an order.",
                                    inputs={"order_id": {"type": "string"}})
    steps = [{"id": "ask", "kind": "instruction", "text": "Ask for the order number.",
              "say": "What's your order number?", "collect": ["order_id"]},
             {"id": "look", "kind": "connector", "connector": "get_order",
              "inputs": {"order_id": "{{ order_id }}"}, "save_as": "order"},
             {"id": "bye", "kind": "end", "outcome": "resolved",
              "say": "Status {{ order.status }} ({{ order.echo }})"}]
    procedure = {"title": "Order status",
                 "trigger": {"examples": ["where is my order"]},
                 "variables": {"order_id": {"type": "string", "pattern": "FD-\\d{6}"}},
                 "steps": steps}
    simulation = {"schema": "simulation/v1", "name": "Order status over the real API",
                  "procedure": "status",
                  "customer": {"script": ["where is my order", "FD-123456"]},
                  "expect": {"outcome": "resolved", "replies_contain": ["delivered", "Bearer ***"]}}
    make_project(root, procedures={"status": procedure}, connectors={"get_order": connector},
                 settings=real_calls(),
                 simulations={"order-status": simulation})
    return root


def test_secret_stays_out_of_every_file_output_and_log(tmp_path, port, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("STUDIO_SECRET_SHOP_TOKEN", SECRET)
    root = shop_project(tmp_path / "shop", port)
    reports = tmp_path / "reports"
    reports.mkdir()
    p = str(root)

    assert main(["run-all", p, "--real-calls", "--junit", str(reports / "junit.xml"),
                 "--json", str(reports / "run.json")]) == 0
    assert EchoHandler.seen == [f"Bearer {SECRET}"]          # the call really carried the token
    assert main(["simulate", p, "order-status", "--real-calls", "--json"]) == 0
    assert main(["simulate", p, "order-status", "--real-calls", "--trace"]) == 0
    assert main(["runs", "show", p, "1", "--json"]) == 0
    assert main(["runs", "show", p, "1"]) == 0
    assert main(["sim", "export", p, str(tmp_path / "export")]) == 0
    assert main(["stats", p, "--json"]) == 0
    assert main(["coverage", p, "--json"]) == 0

    out = capsys.readouterr()
    assert "Bearer ***" in out.out                              # the echo is there, redacted
    assert SECRET not in out.out and SECRET not in out.err
    assert SECRET not in caplog.text
    leaked = [str(f.relative_to(tmp_path)) for f in tmp_path.rglob("*")
              if f.is_file() and SECRET.encode() in f.read_bytes()]
    assert leaked == []                                          # library.sqlite(-wal), reports, exports


def test_secret_in_a_url_is_redacted_from_http_logs(tmp_path, port, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="httpx")      # whatever another import made of it
    monkeypatch.setattr(logging.getLogger("httpx"), "disabled", False)
    monkeypatch.setenv("STUDIO_SECRET_SHOP_TOKEN", SECRET)
    root = shop_project(tmp_path / "shop", port)
    connector = root / "connectors" / "get_order.yaml"
    connector.write_text(connector.read_text().replace(
        "{{ order_id }}", "{{ order_id }}?key={{ secrets.SHOP_TOKEN }}"))
    assert main(["simulate", str(root), "order-status", "--real-calls", "--json"]) == 0
    assert "HTTP Request" in caplog.text                      # httpx did log the request line
    assert SECRET not in caplog.text and SECRET not in capsys.readouterr().out

"""Small projects written to tmp dirs for the engine, judge and simulate tests."""
from __future__ import annotations

import contextlib
import json
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import yaml

from design_examples import PROCEDURE
from studio.core.project import load_project
from studio.core.simulation import Simulation
from studio.simulate.runner import run_simulation


def _text(value: Any) -> str:
    if isinstance(value, str):
        return textwrap.dedent(value).lstrip("\n")
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True)


def make_project(root: Path, *, procedures: dict[str, Any], connectors: dict[str, Any] | None = None,
                 knowledge: dict[str, str] | None = None, settings: dict[str, Any] | None = None,
                 simulations: dict[str, Any] | None = None):
    root.mkdir(parents=True, exist_ok=True)
    data = {"schema": "studio/v1", "name": "Test project"} | (settings or {})
    (root / "studio.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    for folder, items, suffix in (("procedures", procedures, ".yaml"),
                                  ("connectors", connectors or {}, ".yaml"),
                                  ("knowledge", knowledge or {}, ".md"),
                                  ("simulations", simulations or {}, ".yaml")):
        if items:
            (root / folder).mkdir(exist_ok=True)
        for item_id, body in items.items():
            if folder in ("procedures", "connectors") and isinstance(body, dict):
                body = {"schema": f"{folder[:-1]}/v1", "id": item_id} | body
            (root / folder / f"{item_id}{suffix}").write_text(_text(body))
    project = load_project(root)
    assert not project.load_problems, [p.format() for p in project.load_problems]
    return project


def sim(data: Any) -> Simulation:
    if isinstance(data, str):
        data = yaml.safe_load(textwrap.dedent(data))
    return Simulation.model_validate({"name": "test"} | data)


def run(project, data: Any, **kwargs):
    return run_simulation(project, sim(data), **kwargs)


def events(result, type_name: str) -> list[dict]:
    return [e for e in result.trace if e["type"] == type_name]


def failures(result) -> list[str]:
    return [f"{e.type}: {e.message}" for e in result.expectations if e.status == "fail"]


@contextlib.contextmanager
def local_server(handler) -> Iterator[int]:
    """An http.server on 127.0.0.1 answering with `handler`; yields its port."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


class OrderApiHandler(BaseHTTPRequestHandler):
    """Base of a test's order API on 127.0.0.1: quiet, answers JSON."""

    def log_message(self, *args):
        pass

    def send_json(self, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_order(self) -> None:
        """A delivered order that echoes the Authorization header, as a careless API might."""
        self.send_json({"status": "delivered", "echo": self.headers.get("Authorization")})


def order_api_connector(port: int, *, path: str = "/orders/{{ order_id }}", timeout: float = 2,
                        retries: int = 0, **fields: Any) -> dict[str, Any]:
    """A get_order connector whose real call goes to the test's server with the SHOP_TOKEN secret."""
    return {"inputs": {"order_id": {}}, "sample": {"status": "sample"},
            "request": {"method": "GET", "url": f"http://127.0.0.1:{port}{path}",
                        "headers": {"Authorization": "Bearer {{ secrets.SHOP_TOKEN }}"},
                        "timeout": timeout, "retries": retries}} | fields


def real_calls(connectors=("get_order",), hosts=("127.0.0.1",), secrets=("SHOP_TOKEN",)) -> dict[str, Any]:
    """studio.yaml settings that let these connectors call these hosts, reading these secrets."""
    return {"real_calls": {"connectors": list(connectors), "allowed_hosts": list(hosts)},
            "secrets": list(secrets)}


def replies(result) -> list[str]:
    return [t.text for t in result.transcript if t.role == "agent"]


# The procedure from DESIGN.md section 3, its high-value switch sent to complaints
# (so a project needs one procedure less), plus its connectors.
DAMAGED = PROCEDURE.replace("to: high-value-claims}", "to: complaints}")
assert DAMAGED != PROCEDURE

COMPLAINTS = {
    "title": "Complaints",
    "trigger": {"description": "A formal complaint", "examples": ["I want to make a formal complaint"]},
    "steps": [{"id": "complaint-note", "kind": "checkpoint", "mode": "handoff",
               "note": "Complaint about {{ order_id }}", "say": "A specialist will contact you."}],
}

CONNECTORS = {
    "get_order": {"inputs": {"order_id": {"type": "string"}},
                  "sample": {"status": "delivered", "total": 42.5, "hours_since_delivery": 3}},
    "issue_refund": {"inputs": {"order_id": {}, "amount": {"type": "number"}}, "sample": {"ok": True}},
    "cancel_order": {"sample": {"ok": True}},
}

HAPPY = {
    "procedure": "damaged-order",
    "customer": {"script": [
        "Hi, my pizza arrived completely crushed",
        {"text": "It's FD-123456, photo attached",
         "attachments": [{"file": "crushed.jpg", "extracted": {"has_photo": True}}]}]},
    "fixtures": {"connectors": {"get_order": {"status": "delivered", "total": 42.5, "hours_since_delivery": 3},
                                "issue_refund": [{"ok": True}]}},
}


def damaged_project(root: Path, **extra):
    return make_project(root, procedures={"damaged-order": DAMAGED, "complaints": COMPLAINTS} | extra.pop("procedures", {}),
                        connectors=CONNECTORS | extra.pop("connectors", {}), **extra)

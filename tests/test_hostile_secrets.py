"""Issue 11 item 4: `{{ secrets.NAME }}` reads only names studio.yaml declares under
`secrets:`; any other name is a validation error and is never looked up, so a
shared project cannot send OPENAI_API_KEY to a host it lists."""
from __future__ import annotations

import pytest

from engine_kit import OrderApiHandler, local_server, make_project, order_api_connector, real_calls, run
from studio.cli import main
from studio.core.validate import validate_project
from studio.runtime import secrets as secrets_module
from studio.runtime.options import RunOptions

KEY = "sk-not-yours-0123456789"


class Handler(OrderApiHandler):
    seen: list = []

    def do_GET(self):
        Handler.seen.append(self.headers.get("Authorization"))
        self.send_order()


@pytest.fixture
def port():
    Handler.seen = []
    with local_server(Handler) as number:
        yield number


def _project(root, port, *, header: str, declared=("SHOP_TOKEN",)):
    connector = order_api_connector(port)
    connector["request"]["headers"] = {"Authorization": header}
    steps = [{"id": "look", "kind": "connector", "connector": "get_order",
              "inputs": {"order_id": "FD-1"}, "save_as": "order"},
             {"id": "bye", "kind": "end", "outcome": "resolved", "say": "status {{ order.status }}"}]
    return make_project(root, procedures={"main": {"trigger": {"examples": ["check my order"]}, "steps": steps}},
                        connectors={"get_order": connector}, settings=real_calls(secrets=declared))


SCRIPT = {"customer": {"script": ["check my order"]}}


@pytest.mark.parametrize("header", ["Bearer {{ secrets.OPENAI_API_KEY }}",
                                    "Bearer {{ secrets['OPENAI_API_KEY'] }}"])
def test_an_undeclared_secret_is_never_looked_up_or_sent(tmp_path, port, monkeypatch, header):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    looked_up = []
    monkeypatch.setattr(secrets_module, "get_secret", lambda name: looked_up.append(name) or KEY)
    result = run(_project(tmp_path, port, header=header), SCRIPT, options=RunOptions(real_calls=True))
    assert result.status == "error"
    assert "secret 'OPENAI_API_KEY' is not declared" in result.error
    assert Handler.seen == [] and looked_up == []
    assert KEY not in result.model_dump_json()


def test_a_declared_secret_comes_from_the_environment_variable_of_the_same_name(tmp_path, port, monkeypatch):
    monkeypatch.delenv("STUDIO_SECRET_SHOP_TOKEN", raising=False)
    monkeypatch.setenv("SHOP_TOKEN", "tok-123")
    result = run(_project(tmp_path, port, header="Bearer {{ secrets.SHOP_TOKEN }}"), SCRIPT,
                 options=RunOptions(real_calls=True))
    assert result.status == "passed", result.error
    assert Handler.seen == ["Bearer tok-123"]


def test_validate_names_the_file_and_line_of_an_undeclared_secret(tmp_path, port, capsys):
    project = _project(tmp_path / "p", port, header="Bearer {{ secrets.OPENAI_API_KEY }}")
    found = [p for p in validate_project(project) if p.code == "undeclared-secret"]
    assert [(p.file, p.severity.value) for p in found] == [("connectors/get_order.yaml", "error")]
    assert found[0].line and "secrets: [SHOP_TOKEN, OPENAI_API_KEY]" in found[0].hint
    assert main(["validate", str(tmp_path / "p")]) == 1
    assert "secret 'OPENAI_API_KEY' is not declared in studio.yaml" in capsys.readouterr().out


def test_a_declared_secret_is_no_problem(tmp_path, port):
    project = _project(tmp_path / "p", port, header="Bearer {{ secrets.SHOP_TOKEN }}")
    assert [p for p in validate_project(project) if p.code == "undeclared-secret"] == []

"""Real connector calls: opt-in per connector, host allowlist, retries, secrets redacted.

Only a local http.server on 127.0.0.1 started here is ever contacted.
"""
import time

import pytest

from engine_kit import OrderApiHandler, events, local_server, make_project, order_api_connector, real_calls, run
from studio.runtime.options import RunOptions

SECRET = "s3cr3t-token-value"


class Handler(OrderApiHandler):
    hits: list = []
    fail_first = 0
    delay = 0.0

    def do_GET(self):
        Handler.hits.append({"path": self.path, "auth": self.headers.get("Authorization")})
        if Handler.delay:
            time.sleep(Handler.delay)
        if Handler.fail_first > 0:
            Handler.fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        if self.path.startswith("/missing"):
            self.send_response(404)
            self.end_headers()
            return
        self.send_order()


@pytest.fixture
def server():
    Handler.hits, Handler.fail_first, Handler.delay = [], 0, 0.0
    with local_server(Handler) as port:
        yield port


def project_for(tmp_path, port, *, opted_in=("get_order",), hosts=("127.0.0.1",), path="/orders/{{ order_id }}",
                retries=1, timeout=2):
    connector = order_api_connector(port, path=path, timeout=timeout, retries=retries)
    steps = [{"id": "look", "kind": "connector", "connector": "get_order",
              "inputs": {"order_id": "FD-1"}, "save_as": "order"},
             {"id": "bye", "kind": "end", "say": "status {{ order.status }}"}]
    return make_project(tmp_path, procedures={"main": {"trigger": {"examples": ["check my order"]}, "steps": steps}},
                        connectors={"get_order": connector},
                        settings=real_calls(opted_in, hosts))


SCRIPT = {"customer": {"script": ["check my order"]}}


def test_real_call_with_secret_from_environment_is_redacted(tmp_path, server, monkeypatch):
    monkeypatch.setenv("STUDIO_SECRET_SHOP_TOKEN", SECRET)
    result = run(project_for(tmp_path, server), SCRIPT, options=RunOptions(real_calls=True))
    assert result.status == "passed", result.error
    assert Handler.hits == [{"path": "/orders/FD-1", "auth": f"Bearer {SECRET}"}]
    call = events(result, "connector_called")[0]
    assert call["source"] == "real" and call["output"]["status"] == "delivered"
    assert call["request"]["headers"] == {"Authorization": "Bearer ***"}
    assert call["duration_ms"] > 0                        # real calls record how long they took
    assert SECRET not in result.model_dump_json()          # not in trace, variables or transcript


def test_without_the_option_or_opt_in_the_sample_is_used(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN", SECRET)
    off = run(project_for(tmp_path / "a", server), SCRIPT)                       # option off
    not_opted = run(project_for(tmp_path / "b", server, opted_in=()), SCRIPT, options=RunOptions(real_calls=True))
    for result in (off, not_opted):
        assert events(result, "connector_called")[0]["source"] == "sample"
    assert Handler.hits == []


def test_fixture_wins_over_a_real_call(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN", SECRET)
    result = run(project_for(tmp_path, server), SCRIPT | {"fixtures": {"connectors": {"get_order": {"status": "x"}}}},
                 options=RunOptions(real_calls=True))
    assert events(result, "connector_called")[0]["source"] == "fixture" and Handler.hits == []


def test_host_not_allowed_is_refused_before_any_request(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN", SECRET)
    result = run(project_for(tmp_path, server, hosts=("api.example.com",)), SCRIPT, options=RunOptions(real_calls=True))
    assert result.status == "error"
    assert "host '127.0.0.1' is not in studio.yaml real_calls.allowed_hosts" in result.error
    assert Handler.hits == []


def test_missing_secret_is_a_clear_error(tmp_path, server, monkeypatch):
    monkeypatch.delenv("SHOP_TOKEN", raising=False)
    monkeypatch.delenv("STUDIO_SECRET_SHOP_TOKEN", raising=False)
    result = run(project_for(tmp_path, server), SCRIPT, options=RunOptions(real_calls=True))
    assert result.status == "error" and "secret 'SHOP_TOKEN' is not set" in result.error


def test_retries_on_server_errors_then_succeeds(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN", SECRET)
    Handler.fail_first = 1
    result = run(project_for(tmp_path, server, retries=1), SCRIPT, options=RunOptions(real_calls=True))
    assert len(Handler.hits) == 2 and result.outcome == "resolved"


def test_http_failure_is_a_connector_error_the_procedure_handles(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN", SECRET)
    result = run(project_for(tmp_path, server, path="/missing/{{ order_id }}"),
                 SCRIPT | {"expect": {"outcome": "handoff"}}, options=RunOptions(real_calls=True))
    assert result.status == "passed"
    call = events(result, "connector_called")[0]
    assert call["status"] == "error" and call["error"] == "HTTP 404"


def test_timeouts_are_retried_then_handled_as_a_connector_error(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN", SECRET)
    Handler.delay = 0.5
    result = run(project_for(tmp_path, server, retries=1, timeout=0.1),
                 SCRIPT | {"expect": {"outcome": "handoff"}}, options=RunOptions(real_calls=True))
    assert result.status == "passed", result.error          # on_error: handoff, judged normally
    call = events(result, "connector_called")[0]
    assert call["status"] == "error" and call["error"] == "timeout after 0.1 s (2 attempts)"
    assert len(Handler.hits) == 2                           # one try plus one retry


def test_server_errors_after_every_retry(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN", SECRET)
    Handler.fail_first = 5
    result = run(project_for(tmp_path, server, retries=2), SCRIPT, options=RunOptions(real_calls=True))
    assert events(result, "connector_called")[0]["error"] == "HTTP 503 (3 attempts)"
    assert len(Handler.hits) == 3 and result.outcome == "handoff"


class MemoryKeyring:
    """Stands in for the OS keyring: `keyring.get_password` is all the engine uses."""

    def __init__(self, passwords):
        self.passwords = passwords

    def get_password(self, service, name):
        return self.passwords.get((service, name))


def test_secret_from_the_os_keyring_wins_over_the_environment(tmp_path, server, monkeypatch):
    import keyring

    from studio.runtime.secrets import KEYRING_SERVICE
    monkeypatch.setenv("SHOP_TOKEN", "from-the-environment")
    store = MemoryKeyring({(KEYRING_SERVICE, "SHOP_TOKEN"): SECRET})
    monkeypatch.setattr(keyring, "get_password", store.get_password)
    result = run(project_for(tmp_path, server), SCRIPT, options=RunOptions(real_calls=True))
    assert result.status == "passed", result.error
    assert Handler.hits[0]["auth"] == f"Bearer {SECRET}"
    assert SECRET not in result.model_dump_json()

"""A pathological variable pattern must not freeze a run: it ends as `error`, saying why."""
import time

from engine_kit import make_project, run


def test_catastrophic_pattern_is_an_error_not_a_hang(tmp_path):
    project = make_project(tmp_path / "p", procedures={"ask": {
        "title": "Ask",
        "trigger": {"examples": ["I need help with my code"]},
        "variables": {"code": {"type": "string", "pattern": "(a|aa)+b"}},
        "steps": [{"id": "ask", "kind": "instruction", "text": "Ask for the code.", "collect": ["code"]},
                  {"id": "done", "kind": "end"}],
    }})
    started = time.perf_counter()
    result = run(project, {"customer": {"script": ["I need help with my code",
                                                   "a" * 40 + "!"]}})
    assert time.perf_counter() - started < 10
    assert result.status == "error"
    assert "(a|aa)+b" in result.error and "simplify" in result.error


def test_ordinary_pattern_still_extracts(tmp_path):
    project = make_project(tmp_path / "p", procedures={"ask": {
        "title": "Ask",
        "trigger": {"examples": ["I need help with my order"]},
        "variables": {"order_id": {"type": "string", "pattern": r"FD-\d{6}"}},
        "steps": [{"id": "ask", "kind": "instruction", "text": "Ask for it.", "collect": ["order_id"]},
                  {"id": "done", "kind": "end"}],
    }})
    result = run(project, {"customer": {"script": ["I need help with my order", "it's FD-123456"]},
                           "expect": {"variables": {"order_id": "FD-123456"}, "outcome": "resolved"}})
    assert result.status == "passed", (result.error, result.failed_expectations)

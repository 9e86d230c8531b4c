"""A model API key from the environment or the keyring is sent to the model and
never lands in a project file, the library, a report, an export, the user's
settings, the command output or the logs: not even when the server echoes it."""
from __future__ import annotations

import json
import logging

import keyring

from fake_openai import Fault
from llm_kit import SAMPLE, MemoryKeyring, agent_fake, isolated, server  # noqa: F401  (fixtures)
from studio.cli import main

KEY = "k-modelkey-7f3e9a1b2c4d5e6f"       # no well-known prefix: only exact redaction hides it


def _leaks(folder) -> list[str]:
    return [str(f.relative_to(folder)) for f in folder.rglob("*")
            if f.is_file() and KEY.encode() in f.read_bytes()]


def test_model_key_from_the_environment_is_used_but_never_stored(fake, sample_copy, tmp_path,
                                                                 monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    root = sample_copy(SAMPLE)
    p, flags = str(root), ["--model", "openai/fake-model", "--api-base", fake.url]
    reports = tmp_path / "reports"
    reports.mkdir()
    assert main(["run-all", p, *flags, "-q", "--json", str(reports / "run.json"),
                 "--junit", str(reports / "junit.xml")]) == 0
    assert fake.headers and all(h["authorization"] == f"Bearer {KEY}" for h in fake.headers)
    assert main(["simulate", p, "damaged-photo-full-refund", *flags, "--no-cache", "--json"]) == 0
    assert main(["simulate", p, "damaged-photo-full-refund", *flags, "--trace"]) == 0
    assert main(["model", "test", p, *flags]) == 0
    assert main(["runs", "show", p, "1", "--json"]) == 0
    assert main(["sim", "export", p, str(tmp_path / "export")]) == 0
    assert main(["stats", p, "--json"]) == 0
    out = capsys.readouterr()
    assert "environment variable OPENAI_API_KEY" in out.out     # says where, never what
    assert KEY not in out.out and KEY not in out.err
    assert KEY not in caplog.text
    assert _leaks(tmp_path) == []          # library.sqlite (+ cache table), reports, exports, config


def test_a_key_from_the_keyring_echoed_in_an_error_is_redacted(fake, sample_copy, tmp_path,
                                                               capsys, caplog):
    caplog.set_level(logging.DEBUG)
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        backend.set_password("procedure-studio", "openai", KEY)
        fake.responder = lambda body: Fault(status=401, body=json.dumps({"error": {
            "message": f"Incorrect API key provided: {KEY}", "type": "invalid_request_error"}}))
        root = sample_copy(SAMPLE)
        report = tmp_path / "run.json"
        flags = ["--model", "openai/fake-model", "--api-base", fake.url]
        code = main(["run-all", str(root), *flags, "-q", "--json", str(report),
                     "--procedure", "damaged-order"])
        assert code == 2                                         # errors, never failures
        assert fake.headers[0]["authorization"] == f"Bearer {KEY}"   # the keyring's key was sent
        data = json.loads(report.read_text())
        assert data["errors"] > 0 and data["failed"] == 0
        capsys.readouterr()
        assert main(["simulate", str(root), "damaged-photo-full-refund", *flags, "--json"]) == 2
        printed = capsys.readouterr().out      # litellm's own DEBUG lines may come first
        result, _ = json.JSONDecoder().raw_decode(printed[printed.index('{\n  "schema": "simulation-result/v1"'):])
        assert result["status"] == "error" and "[redacted]" in result["error"]
        assert "refused" in result["error"]
        assert main(["model", "test", str(root), *flags]) == 2
        out = capsys.readouterr()
        assert "keyring (procedure-studio / openai)" in out.out + out.err
        assert KEY not in out.out and KEY not in out.err and KEY not in caplog.text
        assert _leaks(tmp_path) == []
    finally:
        keyring.set_keyring(previous)


def test_a_key_set_after_the_first_run_reaches_the_worker_processes(fake, sample_copy, monkeypatch,
                                                                    capsys):
    """Workers fork from a server started by the first run: the key the user sets later
    (environment or keyring) is the one the next run sends, and hidden the same way."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    root = sample_copy(SAMPLE)
    flags = ["--model", "openai/fake-model", "--api-base", fake.url, "-q", "--no-cache"]
    assert main(["run-all", str(root), *flags, "--procedure", "damaged-order"]) == 0
    assert fake.headers and all(h["authorization"] != f"Bearer {KEY}" for h in fake.headers)
    fake.headers.clear()
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert main(["run-all", str(root), *flags, "--procedure", "damaged-order"]) == 0
    assert fake.headers and all(h["authorization"] == f"Bearer {KEY}" for h in fake.headers)
    assert KEY not in capsys.readouterr().out

"""Shared set-up for the model tests (tests/test_llm_*.py): one fake
OpenAI-compatible server per module, reset before each test, no user settings
file and no API keys from the environment.

Import the fixtures a module needs into it (pytest finds them there, and an
imported autouse fixture applies to that module only):

    from llm_kit import fake, isolated, server  # noqa: F401  (fixtures)

A module whose server should answer like the offline engine imports
`agent_fake` instead of `fake` (it is the `fake` fixture, with
`agent_responder`); one that wants another responder defines its own
`fake(server)` returning `reset_fake(server, responder)`.
"""
from __future__ import annotations

from typing import Any, Callable

import pytest
from keyring.backend import KeyringBackend

from fake_openai import FakeOpenAI
from fake_openai_agent import agent_responder
from studio.cli import main
from studio.core.project import Project, load_project
from studio.core.user_settings import CONFIG_DIR_ENV
from studio.llm.settings import LLMSettings
from studio.runtime.options import RunOptions

SAMPLE = "food-delivery"
KEY_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A user settings file saying only that the fake model sees images (as a
    gpt-4o would: photos reach it as image parts), no provider keys from the
    environment. Limits and learnt formats belong to a run (ModelSession): nothing to reset."""
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "user-config"))
    declare_vision(tmp_path)
    for var in KEY_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="module")
def server():
    with FakeOpenAI() as fake_server:
        yield fake_server


def reset_fake(server: FakeOpenAI, responder: Callable[[dict], Any] | None = None) -> FakeOpenAI:
    """The module's server with no queued replies, no recorded requests, no latency."""
    server.reset()
    server.latency = 0.0
    server.responder = responder
    return server


@pytest.fixture
def fake(server):
    yield reset_fake(server)


@pytest.fixture(name="fake")
def agent_fake(server):
    """The `fake` fixture of a module that imports this one: the server answers like
    the offline engine would, so the sample simulations pass on the model engine."""
    yield reset_fake(server, agent_responder)


def load_sample(sample_copy, **model: Any) -> Project:
    """A fresh copy of the food-delivery sample, loaded, with `model` settings changed."""
    project = load_project(sample_copy(SAMPLE))
    for name, value in model.items():
        setattr(project.settings.model, name, value)
    return project


@pytest.fixture
def food(sample_copy):
    """A fresh copy of the food-delivery sample, loaded."""
    return load_sample(sample_copy)


def declare_vision(tmp_path, vision: bool = True) -> None:
    """The user's settings file says the model sees images (as for llava under Ollama)."""
    folder = tmp_path / "user-config"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.yaml").write_text(f"model: {{vision: {str(vision).lower()}}}\n")


def model_options(fake: FakeOpenAI, **kw: Any) -> RunOptions:
    """Run options that put the agent on the fake server's model."""
    return RunOptions(model="openai/fake-model", api_base=fake.url, **kw)


def llm_settings(fake: FakeOpenAI, **kw: Any) -> LLMSettings:
    """Settings that talk to the fake server, fail fast and retry quickly."""
    base = dict(model="openai/fake-model", api_base=fake.url, api_key="k-test", retries=0,
                backoff=0.01, max_backoff=0.05, timeout=5)
    return LLMSettings(**(base | kw))


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    """`studio ARGV...`: the exit code and everything printed (stdout + stderr)."""
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


class MemoryKeyring(KeyringBackend):
    """A keyring in memory: `keyring.set_keyring(MemoryKeyring())` for key look-ups."""
    priority = 1

    def __init__(self):
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)

"""The user's own settings file: the approver's name comes from it (DESIGN.md section 5,
"from settings, else the OS user"), saving the name keeps the rest of the file and its
comments, and a broken file is never overwritten nor fatal."""
from __future__ import annotations

import getpass
import os
from pathlib import Path

import pytest

from govern_kit import studio
from studio.core.user_settings import remember_user_name, user_name, user_settings_path
from studio.govern.approvals import current_user
from studio.llm.settings import load_user_settings


@pytest.fixture
def settings_file(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PROCEDURE_STUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("STUDIO_USER", raising=False)
    return user_settings_path()


def test_the_approver_is_the_name_in_the_settings_else_the_os_user(settings_file, monkeypatch):
    assert current_user() == getpass.getuser()
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text("user: {name: Dana Reviewer}\n")
    assert current_user() == "Dana Reviewer"
    monkeypatch.setenv("STUDIO_USER", "ci-bot")          # a CI job says who it is
    assert current_user() == "ci-bot"


def test_saving_the_name_keeps_the_model_section_and_the_comments(settings_file):
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text("# my laptop\nmodel:\n  api_base: http://127.0.0.1:8080/v1  # llama.cpp\n"
                             "  timeout: 300\n")
    remember_user_name("Dana Reviewer")
    text = settings_file.read_text()
    assert "# my laptop" in text and "# llama.cpp" in text
    assert user_name() == "Dana Reviewer"
    assert load_user_settings() == {"api_base": "http://127.0.0.1:8080/v1", "timeout": 300}
    remember_user_name("Sam Lead")
    assert user_name() == "Sam Lead" and text.count("user:") == 1


def test_a_first_name_creates_the_file(settings_file):
    assert not settings_file.exists()
    remember_user_name("Dana Reviewer")
    assert user_name() == "Dana Reviewer"
    assert "name: Dana Reviewer" in settings_file.read_text()


def test_a_broken_settings_file_is_ignored_for_reading_and_not_overwritten(settings_file):
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text("user: [unclosed\n")
    assert user_name() is None and current_user() == getpass.getuser()
    with pytest.raises(Exception):
        remember_user_name("Dana Reviewer")
    assert settings_file.read_text() == "user: [unclosed\n"


def test_studio_approve_without_by_records_the_name_from_the_settings(settings_file, sample_copy, capsys):
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text("user:\n  name: Dana Reviewer\n")
    root = sample_copy("food-delivery")
    assert studio(capsys, "run-all", root, "--quiet")[0] == 0
    code, out = studio(capsys, "approve", root, "damaged-order")
    assert code == 0, out
    text = (root / "approvals" / "staging" / "damaged-order.yaml").read_text()
    assert "approved_by: Dana Reviewer" in text
    assert "STUDIO_USER" not in os.environ

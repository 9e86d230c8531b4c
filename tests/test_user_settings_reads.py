"""The user settings file is parsed once while it stays the same (a model run asks for it
two or three times per simulation), and a change to it is seen at once."""
from __future__ import annotations

import os
import time

from studio.core import user_settings
from studio.core.user_settings import user_section


def test_an_unchanged_file_is_parsed_once_and_a_change_is_seen(tmp_path, monkeypatch):
    path = tmp_path / "settings.yaml"
    path.write_text("model: {timeout: 10}\n", encoding="utf-8")
    long_ago = time.time() - 60
    os.utime(path, (long_ago, long_ago))
    parsed = []
    real = user_settings.parse_yaml
    monkeypatch.setattr(user_settings, "parse_yaml", lambda text: parsed.append(text) or real(text))
    assert [user_section("model", path)["timeout"] for _ in range(3)] == [10, 10, 10]
    assert len(parsed) == 1
    path.write_text("model: {timeout: 20}\n", encoding="utf-8")     # same size, just now
    assert user_section("model", path)["timeout"] == 20
    path.write_text("model: {timeout: 30}\n", encoding="utf-8")     # within the same tick
    assert user_section("model", path)["timeout"] == 30
    path.unlink()
    assert user_section("model", path) == {}

"""Secrets for real connector calls: from the OS keyring or the environment, never files.

Looked up by name: keyring service "procedure-studio", else the environment
variable STUDIO_SECRET_<NAME>, else <NAME>. Every value handed out is
remembered so the trace can redact it.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Iterator

KEYRING_SERVICE = "procedure-studio"
REDACTED = "***"


class MissingSecret(Exception):
    pass


def get_secret(name: str) -> str | None:
    try:
        import keyring
        value = keyring.get_password(KEYRING_SERVICE, name)
        if value:
            return value
    except Exception:  # no usable keyring backend: fall back to the environment
        pass
    return os.environ.get(f"STUDIO_SECRET_{name}") or os.environ.get(name) or None


class SecretLookup(Mapping):
    """`secrets.NAME` in a request template; raises MissingSecret for unknown names."""

    def __init__(self) -> None:
        self.used: dict[str, str] = {}

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key]

    def __getitem__(self, key: Any) -> str:
        name = str(key)
        if name in self.used:
            return self.used[name]
        value = get_secret(name)
        if value is None:
            raise MissingSecret(
                f"secret '{name}' is not set: store it in the OS keyring (service "
                f"'{KEYRING_SERVICE}') or set the environment variable STUDIO_SECRET_{name}")
        self.used[name] = value
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.used)

    def __len__(self) -> int:
        return len(self.used)

    def redact(self, value: Any) -> Any:
        """`value` with every secret handed out replaced by ***."""
        if not self.used:
            return value
        if isinstance(value, str):
            for secret in sorted(self.used.values(), key=len, reverse=True):
                if secret:
                    value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, dict):
            return {k: self.redact(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.redact(v) for v in value]
        return value

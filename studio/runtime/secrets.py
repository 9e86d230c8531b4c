"""Secrets for real connector calls: from the OS keyring or the environment, never files.

Only names studio.yaml declares under `secrets:` are looked up (a shared project
must not reach OPENAI_API_KEY or a cloud key by naming it): keyring service
"procedure-studio", else the environment variable STUDIO_SECRET_<NAME>, else
<NAME>. Every value handed out is remembered so the trace can redact it.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any, Iterator

KEYRING_SERVICE = "procedure-studio"
REDACTED = "***"


class MissingSecret(Exception):
    pass


_HANDED_OUT: set[str] = set()      # every secret value this process used, for log redaction


def redact_text(text: str, secrets: "set[str] | list[str]") -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class _RedactLogs(logging.Filter):
    """httpx logs each request's URL at INFO: a secret in a query string must not
    reach a log handler the app or a user configured."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _HANDED_OUT:
            message = record.getMessage()
            clean = redact_text(message, set(_HANDED_OUT))
            if clean != message:
                record.msg, record.args = clean, ()
        return True


_LOG_FILTER = _RedactLogs()


def _remember(value: str) -> None:
    if value not in _HANDED_OUT:
        _HANDED_OUT.add(value)
        for name in ("httpx", "httpcore"):
            logger = logging.getLogger(name)
            if _LOG_FILTER not in logger.filters:
                logger.addFilter(_LOG_FILTER)


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
    """`secrets.NAME` in a request template; raises MissingSecret for a name that is
    not declared (never looked up) or not set."""

    def __init__(self, declared: "list[str] | set[str] | tuple[str, ...]" = ()) -> None:
        self.used: dict[str, str] = {}
        self.declared = frozenset(declared)

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key]

    def __getitem__(self, key: Any) -> str:
        name = str(key)
        if name in self.used:
            return self.used[name]
        if name not in self.declared:
            raise MissingSecret(
                f"secret '{name}' is not declared: only names listed under studio.yaml "
                f"`secrets:` are read (add `secrets: [{name}]` if this project should use it)")
        value = get_secret(name)
        if value is None:
            raise MissingSecret(
                f"secret '{name}' is not set: store it in the OS keyring (service "
                f"'{KEYRING_SERVICE}') or set the environment variable STUDIO_SECRET_{name}")
        self.used[name] = value
        _remember(value)
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
            return redact_text(value, list(self.used.values()))
        if isinstance(value, dict):
            return {k: self.redact(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.redact(v) for v in value]
        return value

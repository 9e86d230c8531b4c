"""The one exception the rest of the app sees from a model call."""
from __future__ import annotations

from typing import Literal

Reason = Literal["no_key", "auth", "not_found", "connection", "rate_limit", "server",
                 "timeout", "malformed", "bad_request", "unsupported", "cancelled", "unknown"]

RETRYABLE: frozenset[str] = frozenset({"rate_limit", "server", "timeout", "malformed", "connection"})


class ModelError(Exception):
    """A model call that failed for good (after retries where retrying makes sense).

    `reason` says what kind of fault it was; the message is safe to show: API keys
    are redacted before it is built. The runner turns it into status `error`.
    """

    def __init__(self, message: str, reason: Reason = "unknown", *, model: str | None = None,
                 attempts: int = 1):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.model = model
        self.attempts = attempts

    @property
    def retryable(self) -> bool:
        return self.reason in RETRYABLE

    def __str__(self) -> str:
        return self.message


def reason_for_status(status: int) -> str | None:
    """What an HTTP status means for retrying, whoever sent the request (litellm or the
    direct client): one table, so both classify a server alike."""
    if status == 429:
        return "rate_limit"
    if status >= 500:
        return "server"
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "not_found"
    if status == 408:
        return "timeout"
    if 400 <= status < 500:
        return "bad_request"
    return None

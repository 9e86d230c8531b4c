"""OpenAI-compatible servers spoken to directly over HTTP, without litellm.

A model `openai/<name>` with an `api_base` is a server that speaks OpenAI's chat
completions API (a local vLLM, llama.cpp, LM Studio, a proxy, the tests' fake):
litellm adds nothing there but cost, about 5 s of CPU to import and ~7 ms of CPU per
request, which capped a run at concurrency 16 on two cores well below 16 requests
in flight (issue 13). Here the run's pooled httpx client for that server sends the same body
litellm would; failures are raised as HTTPFailure, which client.classify reads by
status like litellm's errors. Prices and vision support come from the model map
litellm ships (model_map.py), read without importing litellm.

Every other model (a provider prefix, or no api_base) goes through litellm. The
environment variable STUDIO_LLM_TRANSPORT=litellm sends these through litellm too.
"""
from __future__ import annotations

import json
import os
import time
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .errors import reason_for_status
from .model_map import price_of

if TYPE_CHECKING:        # imported on first use: `direct` is asked before workers start
    import httpx

TRANSPORT_ENV = "STUDIO_LLM_TRANSPORT"
_PREFIX = "openai/"
_SENT = {"model", "messages", "temperature", "response_format"}


class HTTPFailure(Exception):
    """A non-2xx answer (or a body that is not a chat completion), litellm-style text."""

    def __init__(self, status: int, body: str, headers: dict[str, str] | None = None):
        self.status_code = status
        self.body = body
        self.headers = headers or {}
        super().__init__(f"Error code: {status} - {body[:2000]}")


class BadBody(Exception):
    """A 200 whose body is not JSON: client.classify reads it as `malformed`."""


def direct(model: str | None, api_base: str | None) -> bool:
    """Whether requests to `model` at `api_base` go straight to the server."""
    if os.environ.get(TRANSPORT_ENV, "").strip().lower() == "litellm":
        return False
    return bool(model and api_base and model.startswith(_PREFIX) and len(model) > len(_PREFIX))


def send(client: httpx.Client, **kwargs: Any) -> Any:
    """litellm.completion(**kwargs) for a direct model, over `client` (the run's pooled
    connection to that server, ModelSession.http_client): the same request, an answer
    with the attributes client._to_response reads (choices, usage, _hidden_params)."""
    model = kwargs["model"][len(_PREFIX):]
    body = {k: v for k, v in kwargs.items() if k in _SENT} | {"model": model}
    headers = {"Content-Type": "application/json"}
    if kwargs.get("api_key"):
        headers["Authorization"] = f"Bearer {kwargs['api_key']}"
    url = kwargs["api_base"].rstrip("/") + "/chat/completions"
    timeout = kwargs.get("timeout") or 600
    response = client.post(
        url, content=json.dumps(body, ensure_ascii=False).encode("utf-8"), headers=headers,
        timeout=timeout)
    text = response.text
    if response.status_code >= 300:
        raise HTTPFailure(response.status_code, text, dict(response.headers))
    try:
        data = json.loads(text)
        message = data["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise BadBody(f"Received response that is not a chat completion: {exc}: "
                      f"{text[:200]!r}") from None
    usage = data.get("usage") or {}
    tokens_in = int(usage.get("prompt_tokens") or 0)
    tokens_out = int(usage.get("completion_tokens") or 0)
    return SimpleNamespace(
        choices=[SimpleNamespace(message=SimpleNamespace(content=message.get("content")))],
        usage=SimpleNamespace(prompt_tokens=tokens_in, completion_tokens=tokens_out),
        _hidden_params={"response_cost": price_of(model, tokens_in, tokens_out)},
        created=data.get("created", int(time.time())))


def classify(exc: BaseException) -> tuple[str, float | None] | None:
    """(reason, None) for this module's failures and httpx's; None for anything else
    (then the retry-after comes from client._retry_after, which reads `headers`)."""
    if isinstance(exc, BadBody):
        return "malformed", None
    import httpx
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", None
    if isinstance(exc, (httpx.ConnectError, httpx.RemoteProtocolError, httpx.NetworkError)):
        return "connection", None
    if isinstance(exc, HTTPFailure):
        reason = reason_for_status(exc.status_code) or "bad_request"
        text = exc.body.lower()
        if reason == "server" and ("context length" in text or "context_length" in text):
            reason = "bad_request"            # asking again cannot help
        return reason, None
    return None

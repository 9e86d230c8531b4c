"""Real HTTP connector calls: only for opted-in connectors, only to allowed hosts.

Timeout and retries come from the connector's `request`; secrets are looked up
at call time and redacted from everything the trace records.
"""
from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from studio.core.expressions import ExpressionError
from studio.core.limits import MAX_DATA_DEPTH, MAX_RESPONSE_BYTES, data_too_deep

from .connectors import CallResult, ConnectorFault
from .render import render, render_text
from .secrets import MissingSecret, SecretLookup


def host_allowed(url: str, allowed_hosts: list[str]) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    with_port = f"{host}:{parts.port}" if parts.port else host
    allowed = {h.strip().lower() for h in allowed_hosts if h and h.strip()}
    return bool(host) and (host in allowed or with_port in allowed)


def real_call(connector: Any, inputs: dict[str, Any], allowed_hosts: list[str],
              declared_secrets: list[str] | tuple[str, ...] = ()) -> CallResult:
    """`declared_secrets`: studio.yaml `secrets`, the only names the request may read."""
    request = connector.request
    if request is None:
        raise ConnectorFault(f"connector '{connector.id}' is enabled for real calls but has no `request`")
    secrets = SecretLookup(declared_secrets)
    names = dict(inputs) | {"secrets": secrets}
    try:
        url = render_text(request.url, names)
        headers = {k: render_text(v, names) for k, v in request.headers.items()}
        body = render(request.body, names) if request.body is not None else None
    except MissingSecret as exc:
        raise ConnectorFault(f"connector '{connector.id}': {exc}") from None
    except ExpressionError as exc:
        raise ConnectorFault(f"connector '{connector.id}': bad request template: {exc.message}") from None
    shown = {"method": request.method, "url": secrets.redact(url), "headers": secrets.redact(headers)}
    if urlsplit(url).scheme not in ("http", "https"):
        raise ConnectorFault(f"connector '{connector.id}': only http and https URLs can be called")
    if not host_allowed(url, allowed_hosts):
        host = urlsplit(url).hostname
        raise ConnectorFault(
            f"real call to '{connector.id}' refused: host '{host}' is not in studio.yaml "
            f"real_calls.allowed_hosts")
    started = time.perf_counter()
    error = "no attempt made"
    for attempt in range(request.retries + 1):
        try:
            with httpx.Client(timeout=request.timeout, follow_redirects=False) as client:
                status, content = _fetch(client, request.method, url, headers, body)
        except httpx.TimeoutException:
            error = f"timeout after {request.timeout:g} s"
            continue
        except httpx.HTTPError as exc:
            error = f"connection failed: {type(exc).__name__}"
            continue
        if status >= 500:
            error = f"HTTP {status}"
            continue
        duration = (time.perf_counter() - started) * 1000
        if status >= 400:
            return CallResult("error", error=f"HTTP {status}", source="real",
                              request=shown, duration_ms=duration)
        output, refused = _read(content)
        if refused:                  # a connector failure the procedure handles (on_error)
            return CallResult("error", error=refused, source="real", request=shown, duration_ms=duration)
        return CallResult("ok", output=secrets.redact(output), source="real", request=shown,
                          duration_ms=duration)
    if request.retries:
        error += f" ({request.retries + 1} attempts)"
    return CallResult("error", error=secrets.redact(error), source="real", request=shown,
                      duration_ms=(time.perf_counter() - started) * 1000)


def _fetch(client: httpx.Client, method: str, url: str, headers: dict[str, str],
           body: Any) -> tuple[int, bytes | None]:
    """The status and the body, read up to the limit (None beyond it: never held whole)."""
    with client.stream(method, url, headers=headers, json=body if body is not None else None) as response:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                return response.status_code, None
            chunks.append(chunk)
        return response.status_code, b"".join(chunks)


def _read(content: bytes | None) -> tuple[Any, str | None]:
    """(the response as JSON, else as text; None) or (None, why it is refused)."""
    if content is None:
        return None, f"the response is larger than {MAX_RESPONSE_BYTES >> 20} MB"
    try:
        output = json.loads(content)
    except RecursionError:
        return None, "the response's JSON nests too deeply"
    except ValueError:
        return content.decode("utf-8", errors="replace"), None
    if data_too_deep(output):
        return None, f"the response's JSON nests deeper than {MAX_DATA_DEPTH} levels"
    return output, None

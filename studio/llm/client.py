"""`complete()`: one model call with cache, retries, backoff and a shared limit.

Every model call of the app goes through here, so faults are handled in one
place: 429 (honour Retry-After, lower the model's concurrency), 5xx, timeouts
and malformed JSON are retried with exponential backoff, then raised as a
ModelError the runner reports as `error`, never as a failed expectation.
"""
from __future__ import annotations

import dataclasses
import email.utils
import functools
import logging
import os
import random
import sys
import threading
import time
from typing import Any, Callable

from pydantic import BaseModel

from . import call_threads
from .cache import LLMCache, request_key
from .errors import ModelError, reason_for_status
from .keys import provider_of, redact, remember_sent
from .limiter import AdaptiveLimiter
from .settings import LLMSettings
from .session import ModelSession
from .structured import (FORMAT_MODES, MalformedOutput, format_instruction, looks_unsupported,
                         parse_reply, response_format_for, schema_of)
from .usage import LLMResponse, Usage, active_sample

log = logging.getLogger(__name__)

_IMPORT_LOCK = threading.Lock()


def import_litellm():
    """Import litellm the first time a real model is used (about 3 s), never earlier."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    with _IMPORT_LOCK:
        try:
            import litellm
        except BaseException:
            _forget_half_imported()
            raise
        litellm.suppress_debug_info = True
        litellm.telemetry = False
    return litellm


def _forget_half_imported() -> None:
    """An import stopped half-way (a timeout, Ctrl+C) leaves litellm's submodules behind,
    half run; the next import would trip over them ("partially initialized module"), so
    they go and the next import starts clean."""
    for name in [n for n in sys.modules if n == "litellm" or n.startswith("litellm.")]:
        del sys.modules[name]


def complete(messages: list[dict[str, Any]], *, settings: LLMSettings,
             response_format: type[BaseModel] | str | None = None,
             cache: LLMCache | None = None, no_cache: bool = False,
             usage: Usage | None = None, cancel: Any = None,
             mock_response: str | None = None, sleep: Callable[[float], None] | None = None,
             format_mode: str | None = None, sample: int | None = None,
             session: ModelSession | None = None) -> LLMResponse:
    """Send `messages`; `response_format` is a pydantic model, "json", or None for text.

    `session` is the run's ModelSession (limits, learnt formats, requests in flight,
    connections); without one the call is a run of its own.

    `format_mode` forces one of FORMAT_MODES with no fallback (Test connection probes
    what a server takes). Identical requests in flight together are sent once, with or
    without `no_cache`, unless their `sample` differs (default: the repeat index the
    simulation on this thread bound; see single_flight.py). Raises ModelError after the
    retries run out (or at once when retrying cannot help).
    """
    if session is None:
        with ModelSession() as own:
            return complete(messages, settings=settings, response_format=response_format,
                            cache=cache, no_cache=no_cache, usage=usage, cancel=cancel,
                            mock_response=mock_response, sleep=sleep, format_mode=format_mode,
                            sample=sample, session=own)
    if settings.is_offline:
        raise ModelError("the offline engine makes no model calls; choose a model",
                         "bad_request", model=settings.model)
    schema = response_format if isinstance(response_format, type) else None
    wants_json = response_format is not None
    key = request_key({
        "model": settings.model, "api_base": settings.api_base, "messages": messages,
        "temperature": settings.temperature,
        "format": schema_of(schema) if schema else ("json" if wants_json else None),
    })
    if cache is not None and not no_cache and format_mode is None:
        cached = _from_cache(cache, key, schema, wants_json, settings)
        if cached is not None:
            if usage is not None:
                usage.add(cached)
            return cached

    def call() -> LLMResponse:
        return _call_with_retries(messages, settings, schema, wants_json, cancel, mock_response,
                                  sleep or _sleeper(cancel), session, format_mode)
    sample = active_sample() if sample is None else sample
    response, sent = session.in_flight.do(f"{key}:{sample}:{format_mode}:{mock_response}",
                                          call, lambda: _check_cancel(cancel))
    if not sent:      # answered by an identical request in flight: free, like the cache
        response = dataclasses.replace(response, cached=True, attempts=0)
    elif cache is not None:
        cache.put(key, model=response.model, text=response.text, tokens_in=response.tokens_in,
                  tokens_out=response.tokens_out, cost=response.cost)
    if usage is not None:
        usage.add(response)
    return response


def _from_cache(cache: LLMCache, key: str, schema, wants_json: bool,
                settings: LLMSettings) -> LLMResponse | None:
    row = cache.get(key)
    if row is None:
        return None
    try:
        parsed = parse_reply(row["text"], schema) if wants_json else None
    except MalformedOutput:          # stale entry from an older schema: ask again
        return None
    return LLMResponse(text=row["text"], parsed=parsed, tokens_in=row["tokens_in"] or 0,
                       tokens_out=row["tokens_out"] or 0, cost=row["cost"], cached=True,
                       model=row["model"] or settings.model, attempts=0)


def _sleeper(cancel: Any) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        end = time.monotonic() + seconds
        while True:
            _check_cancel(cancel)
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.1))
    return sleep


def _check_cancel(cancel: Any) -> None:
    if cancel is not None and getattr(cancel, "cancelled", False):
        raise ModelError("cancelled", "cancelled")


def _send(kwargs: dict[str, Any], cancel: Any, session: ModelSession,
          limiter: AdaptiveLimiter) -> Any:
    """The blocking litellm call, in one of the model's slots (`limiter`). With a cancel
    token it runs on a helper thread so a cancel stops the wait at once, not when a slow
    model answers or times out; the abandoned request finishes (or times out) on its own
    and its reply is dropped. The helper frees the slot as soon as the answer is in, so
    the next request goes out without waiting for this caller to wake."""
    from . import openai_http
    if "mock_response" not in kwargs and not kwargs.get("drop_params") \
            and openai_http.direct(kwargs["model"], kwargs.get("api_base")):
        client = session.http_client(kwargs["api_base"])   # an OpenAI-compatible server:
        completion = functools.partial(openai_http.send, client)     # no litellm
    else:
        completion = import_litellm().completion
    if cancel is None:
        with limiter.slot():
            return completion(**kwargs)
    limiter.acquire(lambda: _check_cancel(cancel))
    free = _once(limiter.release)
    try:
        _check_cancel(cancel)
        outcome: dict[str, Any] = {}
        finished = threading.Event()

        def call() -> None:
            try:
                outcome["raw"] = completion(**kwargs)
            except BaseException as exc:  # handed to the waiting thread, which classifies it
                outcome["error"] = exc
            finally:
                free()
                finished.set()

        call_threads.run(call)
        while not finished.wait(0.05):
            _check_cancel(cancel)
    finally:
        free()                # cancelled: the abandoned call no longer counts
    if "error" in outcome:
        raise outcome["error"]
    return outcome["raw"]


def _once(action: Callable[[], None]) -> Callable[[], None]:
    """`action`, done the first time the returned function is called, never again."""
    lock, done = threading.Lock(), []

    def once() -> None:
        with lock:
            if done:
                return
            done.append(True)
        action()
    return once


def _api_key(settings: LLMSettings) -> str | None:
    choice = settings.key_choice()
    if choice.missing:
        raise ModelError(f"no API key for {provider_of(settings.model)}: {choice.source}", "no_key",
                         model=settings.model)
    remember_sent(choice.value)
    return choice.value


def format_modes_learnt(session: ModelSession) -> dict[tuple[str, str | None], str]:
    """What each (model, api_base) took so far in this run, for reports and checks."""
    return {where: FORMAT_MODES[index] for where, index in session.format_modes_learnt().items()}


def _call_with_retries(messages, settings: LLMSettings, schema, wants_json, cancel,
                       mock_response, sleep, session: ModelSession,
                       forced_mode: str | None = None) -> LLMResponse:
    """A server that rejects json_schema costs one failed attempt per run, not one per
    call: the format it took is learnt in the run's session."""
    where = (settings.model, settings.api_base)
    if not wants_json or forced_mode is not None:
        return _ask(messages, settings, schema, wants_json, cancel, mock_response, sleep,
                    session, forced_mode)
    with session.first_format_call(where, lambda: _check_cancel(cancel)):
        return _ask(messages, settings, schema, wants_json, cancel, mock_response, sleep,
                    session, forced_mode)


def _ask(messages, settings: LLMSettings, schema, wants_json, cancel, mock_response, sleep,
         session: ModelSession, forced_mode: str | None) -> LLMResponse:
    api_key = _api_key(settings)
    limiter = session.limiter(settings.model, settings.api_base, settings.concurrency)
    where = (settings.model, settings.api_base)
    if forced_mode is not None and wants_json:
        mode_index = FORMAT_MODES.index(forced_mode)
    else:
        mode_index = session.format_mode(where) if wants_json else None
    can_fall_back = forced_mode is None
    supported = mode_index            # the simplest mode the server accepted: remembered
    attempts, last_error = 0, None
    drop_params = False
    while True:
        _check_cancel(cancel)
        attempts += 1
        mode = FORMAT_MODES[mode_index] if mode_index is not None else None
        kwargs = _request(messages, settings, schema, mode, api_key, mock_response, drop_params)
        started = time.perf_counter()
        retry_after, at_once = None, False
        try:
            raw = _send(kwargs, cancel, session, limiter)
            limiter.on_success()
            response = _to_response(raw, settings, started, attempts, mode)
            if wants_json:
                response.parsed = parse_reply(response.text, schema)
                if can_fall_back:
                    session.learn_format_mode(where, supported)
            return response
        except ModelError:
            raise
        except MalformedOutput as exc:
            reason, message = "malformed", f"the model's reply was malformed: {exc}"
            at_once = True                 # the server is fine: asking again needs no wait
            if can_fall_back and mode_index is not None and FORMAT_MODES[mode_index] == "json_schema":
                # this call only: spell the schema out in the prompt as well. Never lower:
                # JSON mode with the schema still constrains decoding (llama.cpp), and a
                # weak model asked without it echoes the schema back instead of answering.
                mode_index += 1
        except Exception as exc:  # litellm raises many types; classify them
            reason, retry_after = classify(exc)
            text = redact(error_text(exc), [api_key])
            # A server that cannot do this response format says so in the body, with a 400,
            # 422 or even a 500 (llama-cpp-python): fall back whatever the status.
            format_refused = (wants_json and reason in _FORMAT_REFUSAL_REASONS
                              and looks_unsupported(text))
            if format_refused and not can_fall_back:
                raise ModelError(f"the server does not take response format {forced_mode} "
                                 f"({describe(reason, text, settings)})", "unsupported_format",
                                 model=settings.model, attempts=attempts)
            if format_refused and mode_index is not None and mode_index + 1 < len(FORMAT_MODES):
                mode_index += 1            # fall back to a simpler way of asking for JSON
                supported = mode_index
                session.learn_format_mode(where, max(supported, session.format_mode(where)))
                attempts -= 1
                log.info("%s: response format not supported, trying %s", settings.model,
                         FORMAT_MODES[mode_index])
                continue
            if reason == "unsupported" and not drop_params:
                drop_params, attempts = True, attempts - 1
                continue
            if reason == "rate_limit":
                limiter.on_rate_limit(retry_after)
            message = describe(reason, text, settings)
        last_error = ModelError(message, reason, model=settings.model, attempts=attempts)
        if reason not in ("rate_limit", "server", "timeout", "malformed", "connection") \
                or attempts > settings.retries:
            if attempts > 1:
                last_error.message = f"{message} (gave up after {attempts} attempts)"
                last_error.args = (last_error.message,)
            raise last_error
        if at_once:
            log.info("%s: %s; retry %d now", settings.model, reason, attempts)
            continue
        delay = min(settings.max_backoff, settings.backoff * (2 ** (attempts - 1)))
        delay *= 0.75 + random.random() * 0.5
        if retry_after is not None:
            delay = max(delay, min(retry_after, max(settings.max_backoff, 60.0)))
        log.info("%s: %s; retry %d in %.2fs", settings.model, reason, attempts, delay)
        sleep(delay)


_FORMAT_REFUSAL_REASONS = ("bad_request", "unsupported", "server", "unknown")


def _request(messages, settings: LLMSettings, schema, mode, api_key, mock_response,
             drop_params) -> dict[str, Any]:
    sent = list(messages)
    if mode is not None:
        instruction = format_instruction(mode, schema)
        if instruction:
            sent = [*sent, {"role": "system", "content": instruction}]
    kwargs: dict[str, Any] = {
        "model": settings.model, "messages": sent, "timeout": settings.timeout,
        "num_retries": 0, "max_retries": 0,
    }
    if settings.api_base:
        kwargs["api_base"] = settings.api_base
    if api_key:
        kwargs["api_key"] = api_key
    if settings.temperature is not None:
        kwargs["temperature"] = settings.temperature
    if mode is not None:
        fmt = response_format_for(mode, schema)
        if fmt is not None:
            kwargs["response_format"] = fmt
    if mock_response is not None:
        kwargs["mock_response"] = mock_response
    if drop_params:
        kwargs["drop_params"] = True
    return kwargs


def _to_response(raw: Any, settings: LLMSettings, started: float, attempts: int,
                 mode: str | None) -> LLMResponse:
    try:
        text = raw.choices[0].message.content or ""
    except (AttributeError, IndexError) as exc:
        raise MalformedOutput(f"the response has no message: {exc}") from None
    usage = getattr(raw, "usage", None)
    tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
    tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
    return LLMResponse(text=text, tokens_in=tokens_in, tokens_out=tokens_out,
                       cost=_cost(raw), cached=False, model=settings.model,
                       latency_ms=(time.perf_counter() - started) * 1000, attempts=attempts,
                       format_mode=mode)


def _cost(raw: Any) -> float | None:
    """The call's price, or None when litellm does not know the model's price."""
    hidden = getattr(raw, "_hidden_params", None)
    if isinstance(hidden, dict) and "response_cost" in hidden:   # litellm priced it already
        value = hidden["response_cost"]
        return float(value) if isinstance(value, (int, float)) else None
    litellm = import_litellm()
    try:
        return float(litellm.completion_cost(completion_response=raw))
    except Exception:
        return None


def classify(exc: BaseException) -> tuple[str, float | None]:
    """(reason, retry-after seconds) for a litellm exception (or openai_http's)."""
    from . import openai_http
    direct = openai_http.classify(exc)
    if direct is not None:
        reason = direct[0]
        return reason, (_retry_after(exc) if reason == "rate_limit" else None)
    litellm = import_litellm()
    ex = litellm.exceptions
    if isinstance(exc, ex.RateLimitError):
        return "rate_limit", _retry_after(exc)
    if isinstance(exc, ex.Timeout):
        return "timeout", None
    if isinstance(exc, (ex.AuthenticationError, ex.PermissionDeniedError)):
        return "auth", None
    if isinstance(exc, ex.NotFoundError):
        return "not_found", None
    if isinstance(exc, ex.UnsupportedParamsError):
        return "unsupported", None
    if isinstance(exc, ex.ContextWindowExceededError):
        return "bad_request", None
    if _is_malformed_body(exc):
        return "malformed", None
    if isinstance(exc, ex.APIConnectionError) or _is_connection_failure(exc):
        return "connection", None
    if isinstance(exc, (ex.InternalServerError, ex.ServiceUnavailableError, ex.BadGatewayError)):
        return "server", None
    if isinstance(exc, ex.BadRequestError):
        if "llm provider not provided" in str(exc).lower():
            return "not_found", None       # a provider prefix litellm does not know
        return "bad_request", None
    status = getattr(exc, "status_code", None)
    reason = reason_for_status(status) if isinstance(status, int) else None
    if reason is not None:
        return reason, _retry_after(exc) if reason == "rate_limit" else None
    return "unknown", None


def error_text(exc: BaseException) -> str:
    """The exception's message plus the server's body when the message leaves it out
    (litellm says only "Error code: 422" for a FastAPI validation error)."""
    text = str(exc)
    body = getattr(exc, "body", None)
    if body is None:
        response = getattr(exc, "response", None)
        body = getattr(response, "text", None) if response is not None else None
    if body:
        body_text = body if isinstance(body, str) else repr(body)
        if body_text not in text:
            text = f"{text}: {body_text[:2000]}"
    return text


def _is_connection_failure(exc: BaseException) -> bool:
    """litellm reports a refused connection as a 500 'Connection error.'"""
    text = str(exc).lower()
    return any(p in text for p in ("connection error", "connection refused", "connecterror",
                                   "name or service not known", "nodename nor servname"))


_MALFORMED_BODY = ("expecting property name", "expecting value", "jsondecodeerror",
                   "unterminated string", "extra data", "invalid control character")


def _is_malformed_body(exc: BaseException) -> bool:
    """litellm reports a 200 whose body is not JSON as a 500 carrying the decode error."""
    text = str(exc).lower()
    return "received response" in text and any(p in text for p in _MALFORMED_BODY)


def _retry_after(exc: BaseException) -> float | None:
    headers: dict[str, str] = {}
    for attr in ("litellm_response_headers", "headers"):
        value = getattr(exc, attr, None)
        if value:
            headers.update({str(k).lower(): str(v) for k, v in dict(value).items()})
    response = getattr(exc, "response", None)
    if response is not None and getattr(response, "headers", None):
        headers.update({str(k).lower(): str(v) for k, v in dict(response.headers).items()})
    if "retry-after-ms" in headers:
        try:
            return float(headers["retry-after-ms"]) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def describe(reason: str, text: str, settings: LLMSettings) -> str:
    """One line a user can act on."""
    where = settings.api_base or "the provider"
    model = settings.model
    detail = text.replace("litellm.", "").strip()
    if len(detail) > 300:
        detail = detail[:300] + "..."
    messages = {
        "auth": f"the API key for {provider_of(model)} was refused (401/403): check the key "
                f"({detail})",
        "not_found": f"unknown model '{model}' at {where}: check the model name ({detail})",
        "connection": f"cannot connect to {where}: is the server running and is api_base "
                      f"right? ({detail})",
        "timeout": f"the model '{model}' did not answer within {settings.timeout:g} s",
        "rate_limit": f"rate limited by {where} (429)",
        "server": f"server error from {where} ({detail})",
        "bad_request": f"the request was rejected ({detail})",
        "unsupported": f"the model does not support a parameter ({detail})",
        "malformed": f"{where} answered with a body that is not a valid chat completion "
                     f"(not JSON)",
    }
    return messages.get(reason, f"model call failed: {detail}")

"""`studio model test`: one tiny request, and a clear answer to "why doesn't it work?"."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from pydantic import BaseModel

from .errors import ModelError
from .keys import env_var_for, provider_of, where_to_set
from .settings import LLMSettings
from .structured import FORMAT_MODES

PROMPT = [{"role": "user", "content": "Reply with the single word: ok"}]


@dataclass
class CheckResult:
    ok: bool
    model: str
    api_base: str | None
    latency_ms: float | None = None
    reply: str = ""
    key_source: str = ""
    problem: str = ""
    hint: str = ""
    tip: str = ""
    formats: dict[str, str] = field(default_factory=dict)   # response format -> ok / refused / unreadable


    def lines(self) -> list[str]:
        out = [f"model:    {self.model}", f"api base: {self.api_base or '(provider default)'}"]
        if self.key_source:
            out.append(f"api key:  {self.key_source}")
        if self.ok:
            out += [f"latency:  {self.latency_ms:.0f} ms", f"reply:    {self.reply.strip()[:80]!r}"]
            if self.formats:
                out.append("formats:  " + ", ".join(f"{mode} {verdict}"
                                                    for mode, verdict in self.formats.items()))
            out.append("ok: the model answered")
        else:
            out.append(f"problem:  {self.problem}")
            if self.hint:
                out.append(f"hint:     {self.hint}")
        if self.tip:
            out.append(f"tip:      {self.tip}")
        return out


def model_tip(model: str) -> str:
    """Advice about the model id itself, whatever the connection does."""
    if model.startswith("ollama/"):
        return (f"use ollama_chat/{model.split('/', 1)[1]}: it sends real chat messages, where "
                "ollama/ flattens the conversation into one prompt")
    return ""


def check_model(settings: LLMSettings) -> CheckResult:
    result = CheckResult(ok=False, model=settings.model, api_base=settings.api_base,
                         tip=model_tip(settings.model))
    if settings.is_offline:
        result.problem = "the project uses the offline engine, which needs no model"
        result.hint = ("pass --model (e.g. --model openai/gpt-4o-mini, or --model ollama_chat/llama3 "
                       "--api-base http://localhost:11434) or set model.name in studio.yaml")
        return result
    choice = settings.key_choice()
    if choice.missing:
        result.problem = f"no API key for {provider_of(settings.model)}"
        result.hint = where_to_set(settings.model)
        return result
    result.key_source = choice.source
    from .client import complete, import_litellm
    import_litellm()                 # about 3 s the first time: not part of the latency
    started = time.perf_counter()
    try:
        response = complete(PROMPT, settings=settings.model_copy(update={"retries": 0}),
                            no_cache=True)
    except ModelError as exc:
        result.problem = str(exc)
        result.hint = _hint(exc.reason, settings)
        return result
    result.ok = True
    result.latency_ms = (time.perf_counter() - started) * 1000
    result.reply = response.text
    if settings.api_base:             # a self-hosted server: say how it takes JSON
        result.formats = probe_formats(settings)
    return result


class _Probe(BaseModel):
    ok: bool


def probe_formats(settings: LLMSettings) -> dict[str, str]:
    """Which ways of asking for JSON the server takes: `ok` (took it and answered to the
    schema), `refused` (said it does not support it) or `unreadable` (took it, but the
    answer did not fit). Runs learn the same on their own; this shows it up front."""
    from .client import complete
    probe = [{"role": "user", "content": 'Answer with the JSON object {"ok": true}.'}]
    quick = settings.model_copy(update={"retries": 0})
    verdicts: dict[str, str] = {}
    for mode in FORMAT_MODES:
        try:
            complete(probe, settings=quick, response_format=_Probe, no_cache=True,
                     format_mode=mode)
            verdicts[mode] = "ok"
        except ModelError as exc:
            verdicts[mode] = "refused" if exc.reason == "unsupported_format" else "unreadable"
    return verdicts


def _hint(reason: str, settings: LLMSettings) -> str:
    provider = provider_of(settings.model)
    base = settings.api_base
    return {
        "connection": (f"start the server at {base} (for Ollama: `ollama serve`), or fix "
                       f"--api-base / model.api_base" if base else
                       "check the network connection, or set --api-base for a local server"),
        "auth": (f"the key was refused: check {env_var_for(provider)} or the keyring entry "
                 f"'procedure-studio' / '{provider}'"),
        "not_found": ("check the model id: litellm form is provider/model, e.g. "
                      "openai/gpt-4o-mini, anthropic/claude-3-5-haiku-latest, ollama_chat/llama3"),
        "timeout": "the server is slow or overloaded: raise model.timeout in studio.yaml",
        "rate_limit": "the provider is rate limiting: wait, or lower model.concurrency",
        "no_key": where_to_set(settings.model),
        "server": "the server had an internal error: try again later",
        "bad_request": "the server rejected the request: check the model id and api_base",
        "malformed": ("the server did not answer like an OpenAI-compatible chat API: check that "
                      "api_base points at its API (often ending in /v1)" if base else
                      "the provider's answer could not be read: try again, or try another model"),
    }.get(reason, "")

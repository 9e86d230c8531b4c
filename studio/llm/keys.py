"""API keys: from an explicit setting, the OS keyring or the environment; never
written anywhere, and scrubbed from any text we show or log."""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from typing import Iterable

log = logging.getLogger(__name__)

KEYRING_SERVICE = "procedure-studio"
PLACEHOLDER_KEY = "sk-no-key-needed"      # not a secret: sent where any key will do
OPENAI_COMPATIBLE = frozenset({"openai", "custom_openai", "text-completion-openai"})
NO_KEY_PROVIDERS = frozenset({"ollama", "ollama_chat", "lm_studio", "hosted_vllm", "vllm",
                              "llamafile", "local"})
ENV_VARS = {
    "openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "gemini": "GEMINI_API_KEY",
    "mistral": "MISTRAL_API_KEY", "groq": "GROQ_API_KEY", "deepseek": "DEEPSEEK_API_KEY",
    "openrouter": "OPENROUTER_API_KEY", "azure": "AZURE_API_KEY", "cohere": "COHERE_API_KEY",
    "together_ai": "TOGETHERAI_API_KEY", "fireworks_ai": "FIREWORKS_AI_API_KEY",
    "xai": "XAI_API_KEY", "perplexity": "PERPLEXITYAI_API_KEY",
}
_BARE_PREFIXES = (("gpt-", "openai"), ("o1", "openai"), ("o3", "openai"), ("o4", "openai"),
                  ("chatgpt", "openai"), ("text-", "openai"), ("claude", "anthropic"),
                  ("gemini", "gemini"), ("mistral", "mistral"), ("command", "cohere"))


def provider_of(model: str) -> str:
    """The litellm provider prefix of a model id, guessed for bare names."""
    if "/" in model:
        return model.split("/", 1)[0].lower()
    lowered = model.lower()
    for prefix, provider in _BARE_PREFIXES:
        if lowered.startswith(prefix):
            return provider
    return "openai"


def env_var_for(provider: str) -> str:
    return ENV_VARS.get(provider, f"{provider.upper()}_API_KEY")


def needs_key(model: str, api_base: str | None) -> bool:
    """Local servers need no key; an OpenAI-compatible local server gets a placeholder."""
    provider = provider_of(model)
    if provider in NO_KEY_PROVIDERS:
        return False
    return not (api_base and _is_local(api_base))


def is_local_server(url: str) -> bool:
    """Is `url` a server on this machine (no key needed, and the settings call it local)?"""
    return _is_local(url)


def _is_local(url: str) -> bool:
    return bool(re.match(r"https?://(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0)(:|/|$)", url))


_HANDED_OVER: dict[str, tuple[str | None, str]] = {}   # provider -> (key, where): a worker's


def keys_to_hand_over(models: Iterable[str | None]) -> dict[str, tuple[str | None, str]]:
    """The keys `models` would use, found here, for a worker process to use as they are:
    a worker started earlier sees neither a key set since (environment, Settings) nor a
    keyring the caller chose. Passed through a pipe, never written. A key found nowhere
    is handed over too (None): the worker does not search the keyring again (its first
    call waited 0.16 s for keyring's import and backend)."""
    found: dict[str, tuple[str | None, str]] = {}
    for model in models:
        if model and provider_of(model) not in found:
            found[provider_of(model)] = find_key(model)
    return found


def accept_handed_over(keys: dict[str, tuple[str | None, str]]) -> None:
    """In a worker process: use the caller's keys, and hide them in any text shown."""
    _HANDED_OVER.clear()
    _HANDED_OVER.update(keys)
    for value, _where in keys.values():
        remember_sent(value)


def find_key(model: str) -> tuple[str | None, str]:
    """(key or None, where it came from / where to put it)."""
    provider = provider_of(model)
    if provider in _HANDED_OVER:
        return _HANDED_OVER[provider]
    var = env_var_for(provider)
    value = os.environ.get(var)
    if value:
        return value, f"environment variable {var}"
    try:
        import keyring
        value = keyring.get_password(KEYRING_SERVICE, provider)
    except Exception as exc:   # no usable keyring backend: fall through to "missing"
        log.debug("keyring unavailable: %s", exc)
        value = None
    if value:
        return value, f"keyring ({KEYRING_SERVICE} / {provider})"
    return None, where_to_set(model)


@dataclass(frozen=True)
class KeyChoice:
    """The key a call sends and how to describe it, so what `studio model test`
    says is what the client really does."""
    value: str | None          # sent as the API key; None: no key at all
    source: str                # for people; never the key itself
    missing: bool = False      # a key is needed and none was found (source: where to set it)


def choose_key(model: str, api_base: str | None, explicit: str | None = None) -> KeyChoice:
    """Explicit key, else environment or keyring, else none for a local server:
    an OpenAI-compatible one still gets PLACEHOLDER_KEY, as its client requires a key."""
    if explicit is not None:
        return KeyChoice(explicit, "given explicitly")
    key, where = find_key(model)
    if key:
        return KeyChoice(key, f"from {where}")
    if needs_key(model, api_base):
        return KeyChoice(None, where, missing=True)
    provider = provider_of(model)
    if provider in OPENAI_COMPATIBLE:
        return KeyChoice(PLACEHOLDER_KEY, f"not needed (local server); the placeholder "
                                          f"'{PLACEHOLDER_KEY}' is sent, as OpenAI-compatible "
                                          f"servers expect one")
    if provider in NO_KEY_PROVIDERS:
        return KeyChoice(None, f"none sent ({provider} needs no key)")
    return KeyChoice(None, "none sent (local server)")


def where_to_set(model: str) -> str:
    provider = provider_of(model)
    return (f"set the environment variable {env_var_for(provider)}, or store it in the OS "
            f"keyring: service '{KEYRING_SERVICE}', user name '{provider}' "
            f"(python -m keyring set {KEYRING_SERVICE} {provider})")


_KEY_LIKE = (
    re.compile(r"\b(?:sk|pk|rk|gsk|xai)-[A-Za-z0-9_\-]{6,}"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"),
)
_AFTER_LABEL = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{8,}"),
    re.compile(r"(?i)(api[_-]?key['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9._\-]{6,}"),
)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Remove keys from text before it is shown, logged or stored."""
    out = str(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, "[redacted]")
    for pattern in _KEY_LIKE:
        out = pattern.sub("[redacted]", out)
    for pattern in _AFTER_LABEL:
        out = pattern.sub(lambda m: m.group(1) + "[redacted]", out)
    return out


# -- keys kept out of the logs of litellm and the HTTP clients under it ------------
_SENT: set[str] = set()
LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "openai", "openai._base_client",
           "httpx", "httpcore", "httpcore.http11", "httpcore.connection")


class _RedactKeys(logging.Filter):
    """litellm logs raw server answers at DEBUG, and a server may echo the key it
    got: whatever handler a user or a tool attaches must never see it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _SENT:
            return True
        message = record.getMessage()
        clean = redact(message, _SENT)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), _SENT)
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, _SENT)
        return True


_LOG_FILTER = _RedactKeys()


def remember_sent(key: str | None) -> None:
    """Note a key the client is about to send, so the loggers below redact it."""
    if not key or key == PLACEHOLDER_KEY or key in _SENT:
        return
    _SENT.add(key)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _LOG_FILTER not in logger.filters:
            logger.addFilter(_LOG_FILTER)


# -- the keyring entry of a provider (the settings dialog sets and clears it) ------
class KeyStoreError(Exception):
    """The OS keyring could not keep or remove a key; the message says why."""


def _keyring():
    import keyring
    return keyring


def stored_key(provider: str) -> str | None:
    """The key kept in the OS keyring for `provider`, or None (also when there is no keyring)."""
    try:
        return _keyring().get_password(KEYRING_SERVICE, provider) or None
    except Exception as exc:
        log.debug("keyring unavailable: %s", exc)
        return None


def store_key(provider: str, key: str) -> None:
    """Keep `key` in the OS keyring only; raises KeyStoreError when it could not be kept."""
    key = key.strip()
    if not key:
        raise KeyStoreError("the key is empty")
    ring = _keyring()
    try:
        ring.set_password(KEYRING_SERVICE, provider, key)
        kept = ring.get_password(KEYRING_SERVICE, provider)
    except Exception as exc:
        raise KeyStoreError(f"the OS keyring refused the key: {redact(str(exc), [key])}") from None
    if kept != key:
        backend = type(ring.get_keyring()).__module__
        raise KeyStoreError(f"the OS keyring ({backend}) did not keep the key; use the "
                            f"environment variable {env_var_for(provider)} instead")


def clear_key(provider: str) -> bool:
    """Remove the keyring entry of `provider`; False when there was none."""
    ring = _keyring()
    try:
        if ring.get_password(KEYRING_SERVICE, provider) is None:
            return False
        ring.delete_password(KEYRING_SERVICE, provider)
    except Exception as exc:
        raise KeyStoreError(f"the OS keyring could not remove the key: {exc}") from None
    return True


def mask(key: str | None) -> str:
    """Enough of a key to recognise it, never enough to use it."""
    if not key:
        return ""
    return "•" * 8 + (key[-4:] if len(key) >= 12 else "")

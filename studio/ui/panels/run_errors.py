"""What to do about a run that ended in `error`: one plain hint per kind of
fault (the engine and the model client already say what went wrong; this says
how to get going again). The kind is the result's `error_code` (a ModelError
reason or the engine's code); results stored before codes existed got theirs
when the library was upgraded (migration m011). Qt-free."""
from __future__ import annotations

OFFLINE = "or pick “Offline engine” to run without a model"
_MODEL = "The model could not be used: run `studio model test PROJECT`, " + OFFLINE + "."
DEFAULT = "Fix what the message names (the Problems panel may say more) and run again."
CODE_HINTS: dict[str, str] = {
    "cancelled": "You stopped this run. Press Run to start it again.",
    "connection": "Start the model server (for Ollama: `ollama serve`) or fix model.api_base in "
                  "studio.yaml, " + OFFLINE + ".",
    "no_key": "Set the API key in the environment or the OS keyring "
              "(`studio model test PROJECT` tells you where), " + OFFLINE + ".",
    "auth": "Check the API key (`studio model test PROJECT`), " + OFFLINE + ".",
    "not_found": "Check the model id in studio.yaml (provider/model, e.g. "
                 "openai/gpt-4o-mini or ollama_chat/llama3), " + OFFLINE + ".",
    "timeout": "The model or a snippet was too slow: run again, or raise model.timeout in "
               "studio.yaml.",
    "rate_limit": "The provider is rate limiting: wait a moment and run again.",
    "server": "The model server had a fault: run again; if it persists, " + OFFLINE + ".",
    "malformed": "The model's answers did not fit what Studio asked for: run again, or pick "
                 "a stronger model in studio.yaml, " + OFFLINE + ".",
    "bad_request": _MODEL, "unsupported": _MODEL, "unknown": _MODEL,
    "judge": "An expectation could not be checked: look at the simulation's expectations in "
             "the simulation editor.",
    "simulation": "Pick a customer segment that studio.yaml defines, or give attributes "
                  "instead; check the simulation's procedure exists.",
    "snippet": "Fix the code step's snippet; try it in the inspector's test panel.",
    "connector": "Check the connector named in the message: its file in connectors/, the "
                 "simulation's fixtures, or real_calls in studio.yaml.",
    "expression": "Fix the expression the message names (a condition or a template) in the "
                  "procedure's step.",
    "engine": DEFAULT,
}


def error_hint(code: str | None) -> str:
    """What to do about a result in `error`, from its code (`results.error_code`,
    studio/library/error_codes.py); never from the message, which is for people."""
    return CODE_HINTS.get(code or "", DEFAULT)


def short_error(error: str | None, limit: int = 400) -> str:
    """The message without a long provider dump at its end."""
    text = " ".join((error or "unknown error").split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"

"""What to do about a run that ended in `error`: one plain hint per kind of
fault (the engine and the model client already say what went wrong; this says
how to get going again). The kind is the result's `error_code` (a ModelError
reason, "cancelled", "judge"); results stored before codes existed fall back
to reading the error text. Qt-free."""
from __future__ import annotations

OFFLINE = "or pick “Offline engine” to run without a model"

HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("cancelled",), "You stopped this run. Press Run to start it again."),
    (("cannot connect", "connection error", "connection refused"),
     "Start the model server (for Ollama: `ollama serve`) or fix model.api_base in studio.yaml, "
     + OFFLINE + "."),
    (("no api key",), "Set the API key in the environment or the OS keyring "
     "(`studio model test PROJECT` tells you where), " + OFFLINE + "."),
    (("api key", "401", "403"), "Check the API key (`studio model test PROJECT`), " + OFFLINE + "."),
    (("unknown model",), "Check the model id in studio.yaml (provider/model, e.g. "
     "openai/gpt-4o-mini or ollama_chat/llama3), " + OFFLINE + "."),
    (("did not answer within", "timed out", "timeout"),
     "The model or a snippet was too slow: run again, or raise model.timeout in studio.yaml."),
    (("rate limit",), "The provider is rate limiting: wait a moment and run again."),
    (("model", "litellm"), "The model could not be used: run `studio model test PROJECT`, " + OFFLINE + "."),
    (("segment",), "Pick a customer segment that studio.yaml defines, or give attributes instead."),
    (("snippet", "sandbox"), "Fix the code step's snippet; try it in the inspector's test panel."),
    (("the judge failed",), "An expectation could not be checked: look at the simulation's "
     "expectations in the simulation editor."),
)
DEFAULT = "Fix what the message names (the Problems panel may say more) and run again."
_MODEL = "The model could not be used: run `studio model test PROJECT`, " + OFFLINE + "."
CODE_HINTS: dict[str, str] = {
    "cancelled": HINTS[0][1], "connection": HINTS[1][1], "no_key": HINTS[2][1], "auth": HINTS[3][1],
    "not_found": HINTS[4][1], "timeout": HINTS[5][1], "rate_limit": HINTS[6][1],
    "server": "The model server had a fault: run again; if it persists, " + OFFLINE + ".",
    "malformed": "The model's answers did not fit what Studio asked for: run again, or pick "
                 "a stronger model in studio.yaml, " + OFFLINE + ".",
    "bad_request": _MODEL, "unsupported": _MODEL, "unknown": _MODEL, "judge": HINTS[-1][1],
}


def error_hint(error: str | None, code: str | None = None) -> str:
    """The hint for the fault `code` names; without a code, the one the text suggests."""
    if code in CODE_HINTS:
        return CODE_HINTS[code]
    text = (error or "").lower()
    for needles, hint in HINTS:
        if any(n in text for n in needles):
            return hint
    return DEFAULT


def short_error(error: str | None, limit: int = 400) -> str:
    """The message without a long provider dump at its end."""
    text = " ".join((error or "unknown error").split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"

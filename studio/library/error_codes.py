"""The codes a stored result in `error` carries in `results.error_code`.

A model fault's code is its ModelError reason; the engine and runner add their own
for the rest. Views choose what to tell the user from the code, never from the
message. `code_from_text` exists only for results stored before codes did: the
m011 migration gives each of them a code once.
"""
from __future__ import annotations

MODEL_CODES = ("no_key", "auth", "not_found", "connection", "rate_limit", "server", "timeout",
               "malformed", "bad_request", "unsupported", "unknown")
OTHER_CODES = (
    "cancelled",    # the user stopped the run
    "judge",        # an expectation could not be checked
    "snippet",      # a code step's snippet failed or was refused by the sandbox
    "connector",    # an unknown connector, a refused or failed real call
    "expression",   # a condition or template expression that cannot be evaluated
    "simulation",   # the simulation itself cannot run (unknown segment or procedure)
    "engine",       # anything else the engine could not handle
)
CODES = MODEL_CODES + OTHER_CODES

# Older results: the words their messages used, in the order the old hints read them.
_LEGACY: tuple[tuple[tuple[str, ...], str], ...] = (
    (("cancelled",), "cancelled"),
    (("cannot connect", "connection error", "connection refused"), "connection"),
    (("no api key",), "no_key"),
    (("api key", "401", "403"), "auth"),
    (("unknown model",), "not_found"),
    (("did not answer within", "timed out", "timeout"), "timeout"),
    (("rate limit",), "rate_limit"),
    (("the judge failed",), "judge"),
    (("model", "litellm"), "unknown"),
    (("segment",), "simulation"),
    (("snippet", "sandbox", "code step"), "snippet"),
    (("connector",), "connector"),
    (("expression error",), "expression"),
)


def code_from_text(error: str | None) -> str:
    """The code an old result's message suggests (`engine` when none does)."""
    text = (error or "").lower()
    for needles, code in _LEGACY:
        if any(n in text for n in needles):
            return code
    return "engine"

"""Offline extraction: read one variable's value out of a customer message.

Deterministic rules from DESIGN.md section 4: the variable's `pattern` first,
else by type. A boolean is read only from the answer's leading word, so
"Yes, it says no SIM" is yes and "no signal" inside a sentence is no answer.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import regex as regex_engine   # like `re`, but a search can time out

from studio.core import regex_budget
from studio.core.procedure import Variable

YES_WORDS = ("yes", "yeah", "yep", "yup", "yea", "correct", "sure", "absolutely", "definitely",
             "of course", "certainly", "affirmative", "indeed", "ok", "okay", "true")
NO_WORDS = ("no", "nope", "nah", "not really", "negative", "never", "false", "not at all",
            "not yet")

_LEAD = re.compile(r"^[\s\"'(\[*_~-]*")


def _phrase_re(words: tuple[str, ...]) -> re.Pattern:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)
                      + r")(?![\w'])", re.I)


_YES = _phrase_re(YES_WORDS)
_NO = _phrase_re(NO_WORDS)
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w])|(?<![\w.])[-+]?\.\d+")
_INTEGER = re.compile(r"(?<![\w.,])[-+]?\d+(?![\w.,]\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"])}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH_RE = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r",?\s+(\d{4})\b", re.I)
_MONTH_DAY_YEAR = re.compile(r"\b" + _MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I)
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


PATTERN_TIMEOUT = 0.5   # seconds of CPU: a pathological pattern must not freeze a run


class PatternTooSlow(Exception):
    """A variable's pattern took too long on a message: an engine error, not a fail."""


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any | None:
    try:
        return regex_engine.compile(pattern)
    except (regex_engine.error, re.error):
        return None


def search_pattern(compiled: Any, text: str, pattern: str) -> Any:
    try:
        return regex_budget.search(compiled, text, PATTERN_TIMEOUT)
    except TimeoutError:
        raise PatternTooSlow(
            f"the pattern {pattern!r} took over {PATTERN_TIMEOUT:g} s on the message "
            f"{text[:60]!r}; simplify it (avoid nested repeats like (a+)+)") from None


def leading_boolean(text: str) -> tuple[bool, str] | None:
    """(value, the word) when the message *starts* with a yes/no word."""
    rest = _LEAD.sub("", text or "")
    match = _YES.match(rest)
    if match:
        return True, match.group(0).lower()
    match = _NO.match(rest)
    if match:
        return False, match.group(0).lower()
    return None


BARE_REST_WORDS = 4     # "Yes, it does." / "No, I don't have one": a bare yes or no
_CONTENT = re.compile(r"[\d@]")


def is_bare_yes_no(text: str) -> bool:
    """A message that is only a yes or no (and a few filler words): it answers the
    question just asked and states nothing else, so no other variable may be read
    from it, by either engine."""
    found = leading_boolean(text)
    if found is None:
        return False
    rest = _LEAD.sub("", text or "")
    rest = rest[len(found[1]):] if rest.lower().startswith(found[1]) else rest
    words = re.findall(r"[\w'@.-]+", rest)
    return len(words) <= BARE_REST_WORDS and not _CONTENT.search(rest)


class NumberTooLarge(ValueError):
    """The first number in a message has no finite float value: it is not extracted."""


def _number(text: str, integer: bool) -> Any:
    """The first number in `text` (None when there is none); NumberTooLarge when it
    cannot be represented (beyond a float's range, about 1.8e308), so a customer's
    5,000 digits never become an engine fault nor infinity."""
    match = (_INTEGER if integer else _NUMBER).search(text)
    if not match:
        return None
    raw = match.group(0).replace(",", "")
    digits = len(raw.lstrip("+-").split(".")[0].lstrip("0"))
    if digits > 308:
        raise NumberTooLarge(f"the number {raw[:12]}... ({digits} digits) is too large to "
                             "represent, so it was not extracted")
    value = int(raw) if integer or "." not in raw else float(raw)
    return value


def _date(text: str) -> str | None:
    def iso(year: int, month: int, day: int) -> str | None:
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
        return None

    for match in _ISO_DATE.finditer(text):
        value = iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if value:
            return value
    match = _DAY_MONTH_YEAR.search(text)
    if match:
        return iso(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
    match = _MONTH_DAY_YEAR.search(text)
    if match:
        return iso(int(match.group(3)), _MONTHS[match.group(1).lower()], int(match.group(2)))
    match = _SLASH_DATE.search(text)
    if match:   # day/month/year, the order most of the world writes
        return iso(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    return None


@lru_cache(maxsize=1024)
def _option_re(option: str) -> re.Pattern:
    words = re.split(r"[\s_-]+", option.strip())
    body = r"[\s_-]+".join(re.escape(w) for w in words if w)
    return re.compile(r"(?<!\w)" + body + r"(?!\w)", re.I)


def _enum(text: str, options: list[Any]) -> tuple[Any, str] | None:
    best: tuple[int, int, Any] | None = None
    for option in options:
        match = _option_re(str(option)).search(text)
        if match:
            key = (match.start(), -len(str(option)))
            if best is None or key < best[:2]:
                best = (key[0], key[1], option)
    return (best[2], f"option '{best[2]}'") if best else None


def convert(raw: str, var: Variable) -> Any:
    """A pattern's match turned into the variable's type."""
    if var.type == "number":
        value = _number(raw, integer=False)
        return raw if value is None else value
    if var.type == "integer":
        value = _number(raw, integer=True)
        return raw if value is None else value
    if var.type == "boolean":
        found = leading_boolean(raw)
        return found[0] if found else raw
    return raw


def extract_value(text: str, var: Variable, *, is_answer: bool) -> tuple[Any, str] | None:
    """(value, how) or None. `is_answer`: the message answers this step's question.
    (None, why) when a value was found but cannot be used (a number too large)."""
    text = text or ""
    if var.pattern:
        regex = compile_pattern(var.pattern)
        if regex is None:
            return None
        match = search_pattern(regex, text, var.pattern)
        if not match:
            return None
        raw = match.group(1) if regex.groups else match.group(0)
        if raw is None:
            raw = match.group(0)
        try:
            return convert(raw, var), f"pattern {var.pattern}"
        except NumberTooLarge as exc:
            return None, str(exc)
    kind = var.type
    if kind in ("number", "integer"):
        try:
            value = _number(text, integer=kind == "integer")
        except NumberTooLarge as exc:
            return None, str(exc)
        return (value, f"first {kind} in the answer") if value is not None else None
    if kind == "boolean":
        if not is_answer:   # an opening message is not the answer to a yes/no question
            return None
        found = leading_boolean(text)
        return (found[0], f"leading word '{found[1]}'") if found else None
    if kind == "enum":
        return _enum(text, list(var.options or []))
    if kind == "email":
        match = _EMAIL.search(text)
        return (match.group(0), "email") if match else None
    if kind == "date":
        value = _date(text)
        return (value, "date") if value else None
    if kind == "string" and is_answer and text.strip():
        return text.strip(), "the whole answer"
    return None

"""What a reply states, offline: the numbers and reference codes in it.

Two replies say the same in substance when they state the same facts, whatever the
wording: "I've refunded £64.90" and "Refund of 64.9 done" agree; "£32.45" does not.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_CODE = re.compile(r"\b[A-Za-z]{1,6}-?\d[\w-]*\b")          # FD-123456, RF-1001, V5OFF
_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?")
_PLACEHOLDER = re.compile(r"\[(?:email|phone|card|iban)\]")


def _number(text: str) -> str | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return format(value.normalize(), "f")


def facts(text: str) -> frozenset[str]:
    """The codes (upper-cased) and numbers (normalised: 64.90 -> 64.9) stated in `text`."""
    if not text:
        return frozenset()
    text = _PLACEHOLDER.sub(" ", text)
    found: set[str] = set()
    for match in _CODE.finditer(text):
        if any(c.isalpha() for c in match.group()) and any(c.isdigit() for c in match.group()):
            found.add(match.group().upper())
    rest = _CODE.sub(" ", text)
    for match in _NUMBER.finditer(rest):
        value = _number(match.group())
        if value is not None:
            found.add(value)
    return frozenset(found)


def shown(found: frozenset[str]) -> str:
    return ", ".join(sorted(found)) or "no facts"

"""Personal data out of imported text: emails, phone numbers, card numbers that pass
Luhn, and IBANs that pass their mod-97 check. What was redacted is counted, never kept.

Checksums keep order numbers, amounts and dates intact: a random 16-digit order number
is not a card, and `2026-11-30` is not a phone number.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any

KINDS = ("email", "phone", "card", "iban")
PLACEHOLDER = {"email": "[email]", "phone": "[phone]", "card": "[card]", "iban": "[iban]"}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b")
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d ().-]{5,20}\d(?![\w])")
_HINT = re.compile(r"[\d@]")
_DATE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_ok(text: str) -> bool:
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact[2:4].isdigit():
        return False
    moved = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(c, 36)) for c in moved))
    except ValueError:
        return False
    return number % 97 == 1


def _is_phone(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if _DATE.match(text.strip()) or not 9 <= len(digits) <= 15:
        return False
    if text.startswith(("+", "00")):
        return True
    separated = bool(re.search(r"[ ().-]", text))
    # a bare digit run is a phone only in national form (leading 0), else an id or amount
    return separated or (digits.startswith("0") and 10 <= len(digits) <= 11)


class Redactor:
    """Redacts text and counts each kind across everything it saw."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def text(self, text: str) -> str:
        if not text or not _HINT.search(text):
            return text
        text = _EMAIL.sub(lambda m: self._hit("email"), text)
        text = _IBAN.sub(self._iban, text)
        text = _CARD.sub(lambda m: self._hit("card")
                         if luhn_ok(re.sub(r"\D", "", m.group())) else m.group(), text)
        return _PHONE.sub(lambda m: self._hit("phone") if _is_phone(m.group()) else m.group(), text)

    def value(self, value: Any) -> Any:
        """Strings anywhere inside dicts and lists (attributes, connector inputs and outputs)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def _iban(self, match: re.Match) -> str:
        """The longest run of groups that passes the check (a grouped IBAN may be followed
        by more words and digits)."""
        found = match.group()
        groups = found.split(" ")
        for end in range(len(groups), 0, -1):
            candidate = " ".join(groups[:end])
            if iban_ok(candidate):
                return self._hit("iban") + found[len(candidate):]
        return found

    def _hit(self, kind: str) -> str:
        self.counts[kind] += 1
        return PLACEHOLDER[kind]

    def summary(self) -> dict[str, int]:
        return {kind: self.counts.get(kind, 0) for kind in KINDS}

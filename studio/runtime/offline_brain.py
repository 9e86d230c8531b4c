"""The deterministic brain: fuzzy routing, keyword switching, rule-based extraction,
and replies made of the steps' rendered `say` texts. Same input, same output."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from studio.core.simulation import CustomerTurn

from .brain import (
    Extracted, ExtractRequest, ReplyRequest, RouteDecision, SwitchCandidate, SwitchDecision,
)
from .compiled import compiled, normalize
from .extraction import extract_value

ROUTE_THRESHOLD = 55.0      # similarity (0-100) a message needs to start a procedure
DESCRIPTION_WEIGHT = 0.9    # a trigger description counts a little less than an example


@lru_cache(maxsize=2048)
def keyword_re(keyword: str) -> re.Pattern:
    """Whole words, case-insensitive: 'legal' matches "legal action", not "illegally"."""
    return re.compile(r"(?<!\w)" + re.escape(keyword.strip()).replace(r"\ ", r"\s+") + r"(?!\w)", re.I)


class OfflineBrain:
    name = "offline"

    def __init__(self, project: Any):
        self.project = project

    # -- routing ------------------------------------------------------------
    def route(self, message: CustomerTurn, transcript: list[Any]) -> RouteDecision:
        text = normalize(message.text)
        scores: dict[str, float] = {}
        best_example: dict[str, str] = {}
        for pid, index in compiled(self.project).procedures.items():
            score, example = 0.0, ""
            if text:
                for ex_norm, ex in index.examples:
                    value = fuzz.token_set_ratio(text, ex_norm)
                    if value > score:
                        score, example = value, f"example {ex!r}"
                if index.description:
                    value = DESCRIPTION_WEIGHT * fuzz.token_set_ratio(text, index.description)
                    if value > score:
                        score, example = value, "the trigger description"
            scores[pid] = round(score, 1)
            best_example[pid] = example
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        if not ranked or ranked[0][1] < ROUTE_THRESHOLD:
            best = f"; closest was '{ranked[0][0]}' at {ranked[0][1]:g}" if ranked else ""
            return RouteDecision(None, f"no procedure matched (threshold {ROUTE_THRESHOLD:g}{best})",
                                 dict(ranked))
        pid, score = ranked[0]
        reason = f"similarity {score:g} to {best_example[pid]}"
        if len(ranked) > 1:
            reason += f"; next best '{ranked[1][0]}' at {ranked[1][1]:g}"
        return RouteDecision(pid, reason, dict(ranked))

    # -- switching ----------------------------------------------------------
    def detect_switch(self, message: CustomerTurn, candidates: list[SwitchCandidate],
                      transcript: list[Any]) -> SwitchDecision | None:
        text = message.text or ""
        for candidate in candidates:
            for keyword in candidate.rule.keywords:
                if keyword and keyword.strip() and keyword_re(keyword).search(text):
                    return SwitchDecision(
                        candidate, f"keywords: {', '.join(candidate.rule.keywords)}",
                        f"the message contains '{keyword}'")
        return None

    # -- extraction ---------------------------------------------------------
    def extract(self, message: CustomerTurn, request: ExtractRequest) -> list[Extracted]:
        found: list[Extracted] = []
        plain_strings: list[str] = []
        for name, var in request.wanted.items():
            if var.type == "string" and not var.pattern:
                plain_strings.append(name)
                continue
            hit = extract_value(message.text, var, is_answer=not request.is_start)
            if hit is not None:
                found.append(Extracted(name, hit[0], hit[1]))
        # A free-text answer fills a plain string only when nothing else took it.
        filled = any(item.value is not None for item in found)
        if plain_strings and not filled and not request.is_start and (message.text or "").strip():
            found.append(Extracted(plain_strings[0], message.text.strip(), "the whole answer"))
        return found

    # -- replies ------------------------------------------------------------
    def reply(self, request: ReplyRequest) -> str:
        texts = []
        for part in request.parts:
            text = part.say if part.say is not None else part.text
            if text and text.strip():
                texts.append(text.strip())
        return "\n".join(texts)

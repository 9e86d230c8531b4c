"""The model brain: routing, switch signals, extraction and replies from a litellm model.

Same state machine as the offline engine (engine.py); only these judgement calls
differ. Every call goes through studio.llm.client (cache, retries, limits), and a
model that fails for good raises BrainError, which the engine turns into status
`error`, never `fail`. The model's reasoning is kept: routing and switching put
it in their trace events, extraction in each variable's `how`, and all of it
(replies too) in `self.reasoning`, with tokens and cost in `self.usage`.
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from studio.core.simulation import CustomerTurn
from studio.llm.errors import ModelError
from studio.llm.session import ModelSession, session_of
from studio.llm.settings import settings_for_project
from studio.llm.usage import Usage, bind_cache, bind_sample, bind_usage

from . import model_prompts as prompts
from .compiled import compiled
from .extraction import is_bare_yes_no
from .model_answers import (SWITCH_FIELD, extraction_answer, route_answer, switch_answer,
                            switch_extraction_answer)
from .brain import (
    BrainError, Extracted, ExtractRequest, ReplyRequest, RouteDecision, SwitchCandidate,
    SwitchDecision,
)

SKIP_TYPES = ("image", "file")       # filled from attachments by the engine, not from text


class ModelBrain:
    def __init__(self, project: Any, options: Any = None, *, settings: Any = None,
                 cancel: Any = None):
        self.project = project
        self.cancel = cancel             # a `cancelled` flag: ends a call in flight or its retries
        self.options = options
        self.settings = settings or settings_for_project(project, options)
        self.name = self.settings.model
        self.no_cache = bool(getattr(options, "no_cache", False)
                             or getattr(options, "repeat_index", 0) > 0)
        self.usage = Usage()
        self.session = session_of(options) or ModelSession()
        bind_usage(self.usage)
        bind_cache(getattr(project, "library_path", None), self.no_cache)
        bind_sample(int(getattr(options, "repeat_index", 0) or 0))   # repeats sample apart
        self.reasoning: list[dict[str, Any]] = []
        self.reply_reasoning: str | None = None
        self._cache = None
        self._vision: bool | None = None
        self._images: dict[str, dict[str, Any]] = {}     # file -> image part, for this conversation

    # -- attachments ------------------------------------------------------------
    @property
    def vision(self) -> bool:
        if self._vision is None:
            from studio.llm.vision import supports_vision
            self._vision = supports_vision(self.settings)
        return self._vision

    def read_attachment(self, attachment: Any) -> str:
        """Prepare an attachment for the next calls; say how the model gets it (trace).
        `extracted` is the offline engine's stand-in and is never applied here."""
        if not self.vision:
            return (f"{self.name} cannot see images: the model gets the file name only "
                    "(the attachment's `extracted` values are used by the offline engine only)")
        from studio.llm.vision import image_part
        root = getattr(self.project, "root", None)
        path = Path(root or ".") / "attachments" / attachment.file
        part, why = image_part(path)
        if part is None:
            return f"not sent as an image: {why}; the model gets the file name only"
        self._images[attachment.file] = part
        return "sent to the model as an image"

    def _with_images(self, messages: list[dict], message: CustomerTurn) -> list[dict]:
        """The last user message carries the images this customer message attached."""
        parts = [self._images[a.file] for a in message.attachments if a.file in self._images]
        if not parts:
            return messages
        from studio.llm.vision import with_images
        last = dict(messages[-1])
        last["content"] = with_images(last["content"], parts)
        return [*messages[:-1], last]

    @property
    def tokens(self) -> int:
        """Tokens paid for so far (the runner copies it into SimulationResult.tokens)."""
        return self.usage.tokens

    @property
    def cost(self) -> float | None:
        """Cost so far; None when a model's price is unknown, 0.0 when all was cached."""
        return self.usage.cost

    # -- plumbing -------------------------------------------------------------
    @property
    def cache(self):
        if self._cache is None and not getattr(self.project, "_no_llm_cache", False):
            try:
                self._cache = self.session.cache(self.project.library_path)
            except Exception:          # an unwritable folder: run without a cache
                self._cache = False
        return self._cache or None

    def _ask(self, kind: str, messages: list[dict], schema: Any) -> Any:
        from studio.llm.client import complete
        try:
            response = complete(messages, settings=self.settings, response_format=schema,
                                cache=self.cache, no_cache=self.no_cache, usage=self.usage,
                                cancel=self.cancel, session=self.session)
        except ModelError as exc:
            raise BrainError(f"model error during {kind} ({exc.reason}): {exc}") from exc
        parsed = response.parsed
        reasoning = getattr(parsed, "reasoning", "") or ""
        self.reasoning.append({"kind": kind, "reasoning": reasoning, "cached": response.cached})
        return parsed

    # -- routing ----------------------------------------------------------------
    def route(self, message: CustomerTurn, transcript: list[Any]) -> RouteDecision:
        procedures = self.project.procedures
        if not procedures:
            return RouteDecision(None, "the project has no procedures")
        answer = self._ask("route", self._with_images(prompts.route_messages(procedures, message), message),
                           route_answer(list(procedures)))
        chosen = answer.procedure            # an id of `procedures` or None: the schema's enum
        why = answer.reasoning.strip() or "no reason given"
        scores = {pid: (1.0 if pid == chosen else 0.0) for pid in procedures}
        return RouteDecision(chosen, f"model: {why}", scores)

    # -- switching ----------------------------------------------------------------
    def detect_switch(self, message: CustomerTurn, candidates: list[SwitchCandidate],
                      transcript: list[Any]) -> SwitchDecision | None:
        if not candidates:
            return None
        answer = self._ask("switch", prompts.switch_messages(self._rules(candidates), message,
                                                             transcript),
                           switch_answer(len(candidates)))
        return self._switch_decision(candidates, answer.rule, answer.reasoning)

    def switch_and_extract(self, message: CustomerTurn, candidates: list[SwitchCandidate],
                           transcript: list[Any], request: ExtractRequest
                           ) -> tuple[SwitchDecision | None, list[Extracted] | None]:
        """One call for the switch check and the extraction (issue 13): the extraction is
        dropped when the message switches (the new procedure's step asks again)."""
        wanted = {n: v for n, v in request.wanted.items() if v.type not in SKIP_TYPES}
        others = self._others(message, request, wanted)
        if not candidates or (not wanted and not others) \
                or {"reasoning", SWITCH_FIELD} & (set(wanted) | set(others)):
            return self.detect_switch(message, candidates, transcript), None
        messages = prompts.switch_extract_messages(
            self._rules(candidates), message, step_text=request.step_text, wanted=wanted,
            others=others, known=request.known, transcript=request.transcript,
            is_start=request.is_start)
        answer = self._ask("switch and extract", self._with_images(messages, message),
                           switch_extraction_answer(len(candidates), wanted, others))
        data = answer.model_dump()
        reasoning = str(data.pop("reasoning", "") or "").strip()
        rule = data.pop(SWITCH_FIELD)
        if rule is not None:
            return self._switch_decision(candidates, rule, reasoning), None
        return None, self._found(data, wanted, others, reasoning, message)

    @staticmethod
    def _rules(candidates: list[SwitchCandidate]) -> list[dict[str, Any]]:
        return [{"listen": prompts.describe_rule(c.rule), "to": c.rule.to} for c in candidates]

    @staticmethod
    def _switch_decision(candidates: list[SwitchCandidate], number: int | None,
                         reasoning: str) -> SwitchDecision | None:
        if number is None:                   # else 1..len(candidates): the schema's enum
            return None
        candidate = candidates[number - 1]
        rule = candidate.rule
        label = (f"keywords: {', '.join(rule.keywords)}" if rule.keywords else
                 f"signal: {rule.description}")
        return SwitchDecision(candidate, label, f"model: {reasoning.strip() or 'signal detected'}")

    # -- extraction --------------------------------------------------------------
    def extract(self, message: CustomerTurn, request: ExtractRequest) -> list[Extracted]:
        wanted = {n: v for n, v in request.wanted.items() if v.type not in SKIP_TYPES}
        known = request.known
        others = self._others(message, request, wanted)
        if not wanted and not others:
            return []
        schema = extraction_answer(wanted, others)
        messages = prompts.extract_messages(
            message, step_text=request.step_text, wanted=wanted, others=others, known=known,
            transcript=request.transcript, is_start=request.is_start)
        answer = self._ask("extract", self._with_images(messages, message), schema)
        data = answer.model_dump()
        reasoning = str(data.pop("reasoning", "") or "").strip()
        return self._found(data, wanted, others, reasoning, message)

    def _found(self, data: dict[str, Any], wanted: dict, others: dict, reasoning: str,
               message: CustomerTurn) -> list[Extracted]:
        found: list[Extracted] = []
        for name, value in data.items():
            if value is None or value == "" or value == []:
                continue
            var = wanted.get(name) or others.get(name)
            if isinstance(value, float) and not math.isfinite(value):
                found.append(Extracted(name, None, f"the number {value} is too large to "
                                                   "represent, so it was not extracted"))
                continue
            value, note = _fit_pattern(value, var, message.text or "")
            if value is None:
                self.reasoning.append({"kind": "extract", "reasoning": f"{name} dropped: {note}"})
                continue
            how = "model" + (f" ({note})" if note else "") + (f": {reasoning}" if reasoning else "")
            found.append(Extracted(name, value, how[:300]))
        return found

    def _others(self, message: CustomerTurn, request: ExtractRequest, wanted: dict) -> dict:
        """Other declared variables the message may state explicitly (DESIGN.md section 4):
        none from a bare yes or no, which answers only the question just asked, and
        never a computed one (set by a code step or a connector's `save_as`)."""
        if is_bare_yes_no(message.text or ""):
            return {}
        computed = compiled(self.project).computed_names
        known = request.known
        return {n: v for n, v in request.procedure.variables.items()
                if n not in wanted and n not in computed and v.type not in SKIP_TYPES
                and known.get(n) in (None, "", [], {})}

    # -- replies ------------------------------------------------------------------
    def reply(self, request: ReplyRequest) -> str:
        if not request.parts:
            return ""
        articles = [self.project.knowledge[a] for a in request.knowledge if a in self.project.knowledge]
        messages = prompts.reply_messages(request.parts, variables=request.variables,
                                          articles=articles, transcript=request.transcript,
                                          tone=request.tone,
                                          customer=getattr(request, "customer", None))
        answer = self._ask("reply", messages, prompts.ReplyAnswer)
        self.reply_reasoning = (answer.reasoning or "").strip() or None   # read by the engine's trace
        return (answer.reply or "").strip()


def _fit_pattern(value: Any, var: Any, text: str) -> tuple[Any, str]:
    """Keep a value that fits the variable's pattern; else find the pattern in the text."""
    pattern = getattr(var, "pattern", None)
    if not pattern or not isinstance(value, str):
        return value, ""
    try:
        regex = re.compile(pattern)
    except re.error:
        return value, ""
    if regex.fullmatch(value.strip()):
        return value.strip(), ""
    found = regex.search(value) or regex.search(text)
    if found:
        return found.group(0), f"fitted to pattern {pattern}"
    return None, f"{value!r} does not match pattern {pattern}"

"""A customer played by a model from the simulation's persona, goal, segment and facts.

Scripted turns come first (so a simulation can pin its opening), then the model
improvises until it says the goal is reached, the agent hands off (the runner
stops at the end of the conversation), or max_turns.
"""
from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from studio.core.simulation import CustomerTurn, Simulation
from studio.llm.errors import ModelError
from studio.llm.session import ModelSession, session_of
from studio.llm.settings import settings_for_project
from studio.llm.usage import Usage, active_usage

from .customer import ScriptedCustomer

DEFAULT_MAX_TURNS = 12


class CustomerAnswer(BaseModel):
    reasoning: str = ""
    message: str = Field(default="", description="Your next message to the agent.")
    done: bool = Field(default=False, description="True when your goal is reached or nothing is left to say.")
    ended: str = Field(default="", description="When done: why, in a few words "
                                               "(goal reached, gave up, handed off, nothing left to say).")


def customer_messages(simulation: Simulation, attributes: dict[str, Any],
                      transcript: list[Any]) -> list[dict[str, str]]:
    customer = simulation.customer
    system = (
        "You play a customer in a customer-service chat, to test the agent. Stay in "
        "character; write short, natural messages, one at a time.\n"
        f"Persona: {customer.persona or 'an ordinary customer'}\n"
        f"Your goal: {customer.goal or 'get your problem solved'}\n"
        + (f"Facts you know (give them when asked, never invent others): "
           f"{json.dumps(customer.facts, ensure_ascii=False, default=str)}\n" if customer.facts else "")
        + (f"About you: {json.dumps(attributes, ensure_ascii=False, default=str)}\n" if attributes else "")
        + "Set done to true when your goal is reached, when you are told a human teammate "
        "will take over, or when there is nothing left to say, and say why in `ended` (goal "
        "reached, gave up, handed off, ...). Answer in JSON with `reasoning`, `message`, "
        "`done` and `ended`.")
    messages = [{"role": "system", "content": system}]
    for entry in transcript:
        role = entry.get("role") if isinstance(entry, dict) else getattr(entry, "role", "")
        text = entry.get("text") if isinstance(entry, dict) else getattr(entry, "text", "")
        if role == "agent":
            messages.append({"role": "user", "content": text or "(no reply)"})
        elif role == "customer":
            messages.append({"role": "assistant", "content": text or ""})
    if len(messages) == 1:
        messages.append({"role": "user", "content": "(The chat opens. Write your first message.)"})
    return messages


class ModelCustomer:
    def __init__(self, project: Any, simulation: Simulation, options: Any = None, *,
                 settings: Any = None, usage: Usage | None = None, cancel: Any = None):
        self.project = project
        self.cancel = cancel
        self.simulation = simulation
        self.options = options
        self.settings = (settings or settings_for_project(project, options)).for_role("customer")
        self.usage = usage or active_usage() or Usage()
        self.session = session_of(options) or ModelSession()
        self.script = ScriptedCustomer(simulation)
        self.max_turns = simulation.expect.max_turns or DEFAULT_MAX_TURNS
        self.turns = 0
        self.done = False
        self.end_reason: str | None = None   # why this customer stopped, for the run's end event
        self.reasoning: list[str] = []
        self.attributes = _attributes(project, simulation)
        self.no_cache = bool(getattr(options, "no_cache", False)
                             or getattr(options, "repeat_index", 0) > 0)

    def next_turn(self, transcript: list[Any]) -> CustomerTurn | None:
        if self.done:
            return None
        if self.turns >= self.max_turns:
            self.end_reason = (f"the model-played customer stopped at its limit of "
                               f"{self.max_turns} turn(s)")
            return None
        scripted = self.script.next_turn(transcript)
        if scripted is not None:
            self.turns += 1
            return scripted
        from studio.llm.client import complete
        try:
            response = complete(customer_messages(self.simulation, self.attributes, transcript),
                                settings=self.settings, response_format=CustomerAnswer,
                                cache=self._cache(), no_cache=self.no_cache, usage=self.usage,
                                cancel=self.cancel, session=self.session)
        except ModelError as exc:
            raise ModelError(f"the model-played customer failed ({exc.reason}): {exc}",
                             exc.reason, model=exc.model) from exc
        answer: CustomerAnswer = response.parsed
        self.reasoning.append(answer.reasoning)
        if answer.done or not answer.message.strip():
            self.done = True
            self.end_reason = _ended_reason(answer)
            return None
        self.turns += 1
        return CustomerTurn(text=answer.message.strip())

    def leftover(self) -> list[CustomerTurn]:
        """Scripted turns not sent (the conversation ended first)."""
        return self.script.leftover()

    def _cache(self):
        try:
            return self.session.cache(self.project.library_path)
        except Exception:
            return None


def _ended_reason(answer: CustomerAnswer) -> str:
    why = " ".join((answer.ended or answer.reasoning or "").split())
    if len(why) > 200:
        why = why[:197] + "..."
    head = ("the customer ended the conversation" if answer.done
            else "the customer had nothing more to say")
    return f"{head}: {why}" if why else head


def _attributes(project: Any, simulation: Simulation) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    segment = simulation.customer.segment
    if segment:
        attributes.update(project.settings.segments.get(segment, {}))
    attributes.update(simulation.customer.attributes)
    return attributes

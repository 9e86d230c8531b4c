"""Replay a production conversation through today's procedures and say where it diverges.

The customer's turns become a simulation script (connector outputs production logged
become fixtures), the runner plays it, and the result is compared with what
production did: the procedure routed, the outcome, handoffs that would now be
resolved (and the reverse), and the first turn whose reply states different facts.
Every divergence names the turn and the trace event it comes from.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from studio.core.simulation import Customer, Fixtures, Simulation
from studio.runtime.options import RunOptions, run_with_models
from studio.simulate.runner import run_simulation

from .conversation import ProductionConversation
from .facts import facts, shown

KINDS = ("routing", "outcome", "now_resolved", "now_handoff", "reply", "error")
KIND_LABELS = {"routing": "routing", "outcome": "outcome", "now_resolved": "now resolved",
               "now_handoff": "now handed off", "reply": "reply", "error": "error"}


@dataclass
class Divergence:
    kind: str                       # one of KINDS
    message: str                    # one line a lead can read
    turn: int | None = None         # customer turn (1-based) it shows at
    trace_index: int | None = None  # index into the replay's trace
    production: Any = None
    today: Any = None
    reasoning: str | None = None    # the model's, when a model judged it


@dataclass
class ReplayResult:
    conversation_id: str
    production_procedure: str | None
    production_outcome: str | None
    triggered: str | None = None
    outcome: str | None = None
    end_step: str | None = None      # "procedure.step" where today's run ended
    status: str = "ok"               # ok, or error (the engine could not replay it)
    error: str | None = None
    divergences: list[Divergence] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    trace: list[dict[str, Any]] = field(default_factory=list)
    replies: dict[int, frozenset[str]] = field(default_factory=dict)   # facts by turn

    @property
    def diverged(self) -> bool:
        """Today differs from production; an error is no divergence (nothing was compared)."""
        return any(d.kind != "error" for d in self.divergences)

    @property
    def kinds(self) -> list[str]:
        return sorted({d.kind for d in self.divergences}, key=KINDS.index)

    def to_dict(self, *, with_trace: bool = False) -> dict[str, Any]:
        data = {"conversation": self.conversation_id,
                "production": {"procedure": self.production_procedure,
                               "outcome": self.production_outcome},
                "today": {"procedure": self.triggered, "outcome": self.outcome,
                          "end_step": self.end_step},
                "status": self.status, "error": self.error, "diverged": self.diverged,
                "divergences": [asdict(d) for d in self.divergences]}
        if with_trace:
            data["transcript"] = self.transcript
            data["trace"] = self.trace
        return data


def fixtures_of(conv: ProductionConversation) -> Fixtures:
    """Logged connector outputs, per connector; one call's output serves every call."""
    by_connector: dict[str, list[Any]] = {}
    for call in conv.connector_calls:
        value = {"error": call.error} if call.error else call.output
        by_connector.setdefault(call.connector, []).append(value)
    return Fixtures(connectors={k: v[0] if len(v) == 1 else v for k, v in by_connector.items()})


def simulation_of(project: Any, conv: ProductionConversation, name: str | None = None) -> Simulation:
    segment = conv.customer.segment
    if segment and segment not in project.settings.segments:
        segment = None               # a production segment Studio does not know: attributes only
    return Simulation(name=name or f"conversation {conv.id}", procedure=None,
                      channel=conv.channel,
                      customer=Customer(segment=segment, attributes=dict(conv.customer.attributes),
                                        script=conv.customer_texts()),
                      fixtures=fixtures_of(conv))


def production_turns(conv: ProductionConversation) -> dict[int, str]:
    """The AI agent's text after each customer turn (teammates' text is not the agent's)."""
    turns: dict[int, list[str]] = {}
    turn = 0
    for message in conv.messages:
        if message.role == "customer":
            turn += 1
        elif message.role == "agent" and turn:
            turns.setdefault(turn, []).append(message.text)
    return {k: "\n".join(v) for k, v in turns.items()}


def production_outcome(conv: ProductionConversation) -> str | None:
    if conv.outcome:
        return conv.outcome
    return "handoff" if any(m.role == "human" for m in conv.messages) else None


def _index(trace: list[dict[str, Any]], kind: str, turn: int | None = None) -> int | None:
    for index, event in enumerate(trace):
        if event.get("type") == kind and (turn is None or event.get("turn") == turn):
            return index
    return None


def _end(trace: list[dict[str, Any]]) -> tuple[int | None, str | None]:
    for index in range(len(trace) - 1, -1, -1):
        event = trace[index]
        if event.get("type") == "end":
            where = ".".join(p for p in (event.get("procedure"), event.get("step")) if p)
            return index, where or None
    return None, None


def replay_one(project: Any, conv: ProductionConversation,
               options: RunOptions | None = None, *, judge: bool = True,
               cancel: Any = None) -> ReplayResult:
    """Replay `conv`. With a model engine and `judge`, the replies are compared by that
    model (the `judge` role of studio.yaml's model) instead of by their stated facts."""
    with run_with_models(options) as options:
        return _replay(project, conv, options, judge, cancel)


def _replay(project: Any, conv: ProductionConversation, options: RunOptions, judge: bool,
            cancel: Any) -> ReplayResult:
    result = run_simulation(project, simulation_of(project, conv), options=options)
    replay = ReplayResult(conv.id, conv.procedure, production_outcome(conv),
                          triggered=result.triggered, outcome=result.outcome,
                          transcript=[e.model_dump(exclude_defaults=True) for e in result.transcript],
                          trace=result.trace)
    end_index, replay.end_step = _end(result.trace)
    for entry in result.transcript:
        if entry.role == "agent":
            replay.replies[entry.turn] = replay.replies.get(entry.turn, frozenset()) | facts(entry.text)
    if result.status == "error" or result.error:
        replay.status, replay.error = "error", result.error
        replay.divergences.append(Divergence("error", f"today's procedures cannot replay it: "
                                             f"{result.error}", trace_index=len(result.trace) - 1
                                             if result.trace else None))
        return replay
    from .replay_judged import judged_reply, reply_judge_settings
    settings = reply_judge_settings(project, options) if judge else None
    replay.divergences += compare_with_production(conv, replay, end_index,
                                                  facts_only=settings is None)
    if settings is not None:
        judged_reply(project, conv, replay, settings, options, cancel)
    return replay


def compare_with_production(conv: ProductionConversation, replay: ReplayResult,
                            end_index: int | None, *, facts_only: bool = True) -> list[Divergence]:
    found: list[Divergence] = []
    trace = replay.trace
    records_decisions = conv.procedure is not None or conv.outcome is not None
    if records_decisions and conv.procedure != replay.triggered:
        found.append(Divergence(
            "routing", f"production routed to {conv.procedure or 'no procedure'}, today to "
                       f"{replay.triggered or 'no procedure'}", turn=1,
            trace_index=_index(trace, "procedure_chosen"),
            production=conv.procedure, today=replay.triggered))
    before = replay.production_outcome
    if before and before != replay.outcome:
        kind = ("now_resolved" if before == "handoff" and replay.outcome == "resolved" else
                "now_handoff" if before == "resolved" and replay.outcome == "handoff" else "outcome")
        text = {"now_resolved": "production handed off; today's procedure resolves it",
                "now_handoff": "production resolved it; today's procedure hands off"}.get(
            kind, f"production ended {before}, today {replay.outcome or 'without an outcome'}")
        last_turn = trace[end_index].get("turn") if end_index is not None else None
        found.append(Divergence(kind, text, turn=last_turn, trace_index=end_index,
                                production=before, today=replay.outcome))
    reply = first_reply_divergence(conv, replay) if facts_only else None
    if reply is not None:
        found.append(reply)
    return found


def first_reply_divergence(conv: ProductionConversation, replay: ReplayResult) -> Divergence | None:
    """The first turn whose agent reply states other facts than production's did."""
    for turn, text in sorted(production_turns(conv).items()):
        before = facts(text)
        now = replay.replies.get(turn)
        if now is None and not before:
            continue
        if now is None or now != before:
            said = "says nothing" if now is None else f"states {shown(now)}"
            return Divergence("reply", f"turn {turn}: production stated {shown(before)}; "
                                       f"today's agent {said}", turn=turn,
                              trace_index=_index(replay.trace, "reply", turn),
                              production=sorted(before), today=sorted(now or ()))
    return None

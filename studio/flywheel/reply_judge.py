"""With a model, whether today's reply says the same as production's is judged, not counted.

Offline, two replies agree when they state the same numbers and references (facts.py).
With a model, one structured call per conversation reads every turn's two replies and
names the first turn where they differ in substance (facts, promises, refusals, what the
customer is asked for), whatever the wording. The answer is schema-strict and its
reasoning comes first; the turn must be one of the turns shown. A model that cannot
answer raises the llm package's ModelError after the client's retries: the replay is an
`error`, never a divergence.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

INSTRUCTIONS = (
    "You compare two customer-service agents turn by turn: PRODUCTION is what customers saw, "
    "TODAY is what the procedures would say now to the same customer messages. A turn "
    "diverges in substance when the two replies state different facts (amounts, dates, order "
    "or refund references, policies), promise, grant or refuse different things, ask the "
    "customer for different information, or one hands the customer to a human while the "
    "other does not. Wording, tone, greetings, apologies and the order of sentences do not "
    "count. A turn where one side says nothing and the other says something of substance "
    "diverges.\n"
    "Answer in JSON: first `reasoning` (a few sentences, turn by turn), then "
    "`first_divergent_turn` (the number of the first turn that diverges in substance, or null "
    "when none does), then `difference` (one sentence saying what differs at that turn; empty "
    "when none does).")


def turns_to_judge(production: dict[int, str], today: dict[int, str],
                   customer: dict[int, str]) -> list[tuple[int, str, str, str]]:
    """(turn, customer text, production's reply, today's reply) where either side replied."""
    numbers = sorted(set(production) | set(today))
    return [(n, customer.get(n, ""), production.get(n, ""), today.get(n, "")) for n in numbers]


def verdict_model(turns: list[int]) -> type[BaseModel]:
    """The answer's schema: reasoning first; the turn is one of `turns` or null."""
    turn_type: Any = Literal[tuple(turns)]  # type: ignore[valid-type]
    return create_model(
        "ReplyDivergence",
        reasoning=(str, Field(default="", description="Turn by turn, what each side says.")),
        first_divergent_turn=(turn_type | None, Field(
            description="The first turn whose replies differ in substance; null when none does.")),
        difference=(str, Field(default="", description="One sentence: what differs there.")))


def judge_messages(turns: list[tuple[int, str, str, str]]) -> list[dict[str, str]]:
    blocks = []
    for number, customer, before, now in turns:
        blocks.append(f"Turn {number}\nCUSTOMER: {customer or '(nothing)'}\n"
                      f"PRODUCTION: {before or '(said nothing)'}\nTODAY: {now or '(said nothing)'}")
    return [{"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": "\n\n".join(blocks)}]


def judge_replies(turns: list[tuple[int, str, str, str]], settings: Any, *, cache: Any = None,
                  no_cache: bool = False, cancel: Any = None,
                  session: Any = None) -> tuple[int | None, str, str]:
    """(first divergent turn or None, what differs, the model's reasoning).

    Raises ModelError (reason `malformed` for an answer that never fits the schema)."""
    if not turns:
        return None, "", ""
    from studio.llm.client import complete
    schema = verdict_model([n for n, *_ in turns])
    response = complete(judge_messages(turns), settings=settings, response_format=schema,
                        cache=cache, no_cache=no_cache, cancel=cancel, session=session)
    answer = response.parsed
    return (answer.first_divergent_turn, (answer.difference or "").strip(),
            (answer.reasoning or "").strip())

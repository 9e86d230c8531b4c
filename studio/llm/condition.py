"""A condition written in words turned into an expression by a model, validated.

The answer must parse as an expression and read only names the procedure
knows; otherwise the model gets one repair round with the problem. What comes
back always parses, or says why it could not be made (never a broken branch).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from pydantic import BaseModel, Field

from studio.core.expressions import SAFE_FUNCTIONS, ExpressionError, parse
from studio.core.plain_words import describe_condition

from .settings import LLMSettings


class ConditionAnswer(BaseModel):
    reasoning: str = Field(default="", description="One sentence: how the words map to names.")
    expression: str = Field(description="The condition, in the expression language.")


@dataclass
class ConditionDraft:
    expression: str | None          # None when no valid expression came back
    words: str = ""                 # the expression read back in plain words
    reasoning: str = ""
    problem: str = ""               # why there is no expression


def condition_messages(words: str, names: Mapping[str, str]) -> list[dict[str, str]]:
    catalogue = "\n".join(f"- {name}: {hint}" for name, hint in names.items()) or "(none)"
    system = (
        "You turn a condition a conversation designer wrote in words into one expression. "
        "Expressions are Python syntax limited to literals, names, dotted access (order.total), "
        "comparisons, and/or/not, arithmetic, `in`, and the functions "
        f"{', '.join(sorted(SAFE_FUNCTIONS))}. Use only these names:\n{catalogue}\n"
        "Keep units the names use (hours stay hours: 7 days is 7 * 24). "
        "Answer in JSON with `reasoning` and `expression`.")
    return [{"role": "system", "content": system}, {"role": "user", "content": words}]


def check_condition(expression: str, names: Mapping[str, str]) -> str:
    """The problem with an expression ("" when it parses and reads only known names)."""
    try:
        parsed = parse(expression)
    except ExpressionError as exc:
        return f"it does not parse: {exc.message}"
    roots = {name.split(".")[0] for name in names} | {"customer"}
    unknown = sorted(n for n in parsed.names() if n not in roots)
    return f"it reads unknown names: {', '.join(unknown)}" if unknown else ""


def condition_from_words(words: str, names: Mapping[str, str], *, settings: LLMSettings,
                         variables: Mapping[str, Any] | None = None, usage: Any = None,
                         cancel: Any = None, complete_fn: Any = None) -> ConditionDraft:
    """One answer and at most one repair round. Raises ModelError when the model fails."""
    if complete_fn is None:
        from .client import complete as complete_fn
    messages = condition_messages(words, names)
    problem = ""
    for _ in range(2):
        response = complete_fn(messages, settings=settings, response_format=ConditionAnswer,
                               no_cache=True, usage=usage, cancel=cancel)
        answer = response.parsed
        expression = (answer.expression or "").strip()
        problem = check_condition(expression, names)
        if not problem:
            return ConditionDraft(expression, describe_condition(expression, variables),
                                  (answer.reasoning or "").strip())
        messages = messages + [
            {"role": "assistant", "content": response.text},
            {"role": "user", "content": f"`{expression}` cannot be used: {problem}. Answer again."}]
    return ConditionDraft(None, problem=f"the model's expression was rejected: {problem}")

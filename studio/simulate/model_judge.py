"""The rubric judge: each criterion judged pass or fail by a model, with its reasoning.

The judge model may differ from the agent's (`model.judge` in studio.yaml). A
judge that cannot answer raises ModelError: the simulation becomes `error`,
never a false `fail`; a criterion the judge skipped is `skipped`, never passed.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from studio.llm.settings import LLMSettings, resolve_settings, settings_for_project
from studio.llm.usage import Usage, active_cache, active_usage

from .result import ExpectationResult


class Verdict(BaseModel):
    criterion: int = Field(description="The criterion's number.")
    passed: bool
    reasoning: str = ""


class JudgeAnswer(BaseModel):
    results: list[Verdict] = Field(default_factory=list)


def judge_messages(criteria: list[str], transcript: list[Any]) -> list[dict[str, str]]:
    lines = []
    for entry in transcript:
        role = entry.get("role") if isinstance(entry, dict) else getattr(entry, "role", "")
        text = entry.get("text") if isinstance(entry, dict) else getattr(entry, "text", "")
        if role in ("customer", "agent"):
            lines.append(f"{role.upper()}: {text}")
        elif role == "note":
            lines.append(f"(internal note for a human teammate, not shown to the customer: {text})")
    system = (
        "You judge a customer-service conversation between an AI agent and a customer "
        "against each criterion below. A criterion passes only when the conversation "
        "clearly meets it. Criteria:\n"
        + "\n".join(f"{i}. {c}" for i, c in enumerate(criteria, 1))
        + "\n\nAnswer in JSON: {\"results\": [{\"criterion\": <number>, \"passed\": true|false, "
        "\"reasoning\": \"...\"}]}, one entry per criterion.")
    return [{"role": "system", "content": system},
            {"role": "user", "content": "Conversation:\n" + ("\n".join(lines) or "(empty)")}]


def judge_settings(settings: Any, options: Any = None) -> LLMSettings:
    """Accepts LLMSettings, a Project, studio.yaml settings or its `model:` section."""
    if isinstance(settings, LLMSettings):
        base = settings
    elif hasattr(settings, "procedures") and hasattr(settings, "settings"):
        base = settings_for_project(settings, options)
    else:
        model = getattr(settings, "model", settings)
        base = resolve_settings(model, model=getattr(options, "model", None),
                                api_base=getattr(options, "api_base", None))
    return base.for_role("judge")


def judge_rubric(criteria: list[str], transcript: list[Any], settings: Any, *,
                 options: Any = None, cache: Any = None, usage: Usage | None = None,
                 no_cache: bool | None = None, cancel: Any = None,
                 session: Any = None) -> list[ExpectationResult]:
    """`session`: the run's ModelSession (the runner passes the one in its options);
    without one the judge's call is a run of its own."""
    if not criteria:
        return []
    if session is None:
        from studio.llm.session import ModelSession
        with ModelSession() as own:
            return judge_rubric(criteria, transcript, settings, options=options, cache=cache,
                                usage=usage, no_cache=no_cache, cancel=cancel, session=own)
    from studio.llm.client import complete
    resolved = judge_settings(settings, options)
    # The runner passes only studio.yaml settings: the cache and the no-cache rule then
    # come from the model brain of the simulation running on this thread.
    bound = None if hasattr(settings, "library_path") else active_cache()
    if no_cache is None:
        no_cache = bool(getattr(options, "no_cache", False) or getattr(options, "repeat_index", 0) > 0)
        if options is None and bound is not None:
            no_cache = bound[1]
    path = getattr(settings, "library_path", None) or (bound[0] if bound else None)
    if cache is None and path is not None:
        try:
            cache = session.cache(path)
        except Exception:
            cache = None
    response = complete(judge_messages(criteria, transcript), settings=resolved,
                        response_format=JudgeAnswer, cache=cache, no_cache=no_cache,
                        usage=usage or active_usage(), cancel=cancel, session=session)
    verdicts = {v.criterion: v for v in response.parsed.results}
    results = []
    for index, criterion in enumerate(criteria, 1):
        verdict = verdicts.get(index)
        if verdict is None:
            results.append(ExpectationResult(
                type="rubric", status="skipped", expected=criterion,
                message=f"the judge ({resolved.model}) gave no verdict for this criterion"))
            continue
        results.append(ExpectationResult(
            type="rubric", status="pass" if verdict.passed else "fail", expected=criterion,
            actual="met" if verdict.passed else "not met",
            message=(f"rubric: {criterion}" if verdict.passed else
                     f"rubric not met: {criterion}: {verdict.reasoning}")[:500],
            reasoning=verdict.reasoning or None))
    return results

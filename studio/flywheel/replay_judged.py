"""A replay's reply divergence judged by a model (the `--model` replay), kept apart from
replay.py so the offline path never touches the llm package."""
from __future__ import annotations

from typing import Any

from studio.llm.session import session_of
from studio.runtime.options import RunOptions, engine_name

from .conversation import ProductionConversation
from .replay import Divergence, ReplayResult, _index, production_turns
from .reply_judge import judge_replies, turns_to_judge


def reply_judge_settings(project: Any, options: RunOptions | None) -> Any:
    """The judge's LLMSettings when a model runs the replay, else None (offline: facts)."""
    if engine_name(project, options) == "offline":
        return None
    from studio.llm.settings import settings_for_project
    return settings_for_project(project, options).for_role("judge")


def _cache(project: Any, options: RunOptions | None) -> Any:
    models = session_of(options)
    if getattr(project, "library_path", None) is None or models is None:
        return None
    try:
        return models.cache(project.library_path)
    except Exception:                 # an unwritable folder: judge without a cache
        return None


def _texts(transcript: list[dict[str, Any]], role: str) -> dict[int, str]:
    by_turn: dict[int, list[str]] = {}
    for entry in transcript:
        if entry.get("role") == role and entry.get("text"):
            by_turn.setdefault(entry.get("turn", 0), []).append(entry["text"])
    return {turn: "\n".join(texts) for turn, texts in by_turn.items() if turn}


def judged_reply(project: Any, conv: ProductionConversation, replay: ReplayResult,
                 settings: Any, options: RunOptions | None, cancel: Any = None) -> None:
    """Adds the model-judged reply divergence to `replay`, or marks it `error` when the
    judge cannot answer (retried by the client first): an error is never a divergence."""
    from studio.llm.errors import ModelError
    before = production_turns(conv)
    today = _texts(replay.transcript, "agent")
    customer = _texts(replay.transcript, "customer")
    turns = turns_to_judge(before, today, customer)
    try:
        turn, difference, reasoning = judge_replies(
            turns, settings, cache=_cache(project, options), cancel=cancel,
            no_cache=bool(options is not None and options.no_cache),
            session=session_of(options))
    except ModelError as exc:
        replay.status = "error"
        replay.error = f"the reply judge ({settings.model}) could not answer ({exc.reason}): {exc}"
        replay.divergences.append(Divergence("error", replay.error))
        return
    if turn is None:
        return
    replay.divergences.append(Divergence(
        "reply", f"turn {turn}: {difference or 'the replies differ in substance'} "
                 f"(judged by {settings.model})",
        turn=turn, trace_index=_index(replay.trace, "reply", turn),
        production=before.get(turn, ""), today=today.get(turn, ""), reasoning=reasoning or None))

"""Draft a procedure from an outline or a pasted SOP, with a model.

The draft is checked like a file the designer wrote (YAML, schema, then
studio.core.validate); when it has errors the model gets one repair round with
the problems. If it still has errors, the caller gets the model's text and the
problems to fix by hand, never a silently broken file.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from studio.core.problems import Problem, Severity
from studio.core.procedure import Procedure
from studio.core.project import Project, pydantic_problems
from studio.core.step_registry import spec_of, step_kinds
from studio.core.validate import validate_procedure
from studio.core.yaml_hints import GENERIC, yaml_hint
from studio.core.yaml_io import YamlError, model_to_yaml, parse_yaml

from .settings import LLMSettings

FORMAT_GUIDE = """\
A procedure is YAML (schema: procedure/v1):
schema: procedure/v1
id: lower-case-id            # ^[a-z0-9][a-z0-9_-]*$
title: Short title
trigger: {description: when it applies, examples: ["what a customer would write", ...]}
variables: {name: {type: string|number|integer|boolean|enum|email|date|image|file, description: ..., pattern?: regex, options?: [..] for enum}}
switch_rules: [{keywords: [..], description: ..., to: other-procedure-id}]   # optional
steps: a list; every step has a unique `id`, a `kind` and may have `when: <expression>`:
{step_kinds}
Expressions are Python syntax limited to names, dotted access (order.total), comparisons,
and/or/not, arithmetic, `in`, and len, lower, upper, round, min, max, abs, matches, is_set.
Names are variables, connector results (save_as) and customer.<attribute>.
Templates are text with {{ expression }}."""


def format_guide() -> str:
    """FORMAT_GUIDE with a line per registered step kind (its registry entry's guide)."""
    kinds = "\n".join(f"- {kind}: {spec_of(kind).guide}" for kind in step_kinds())
    return FORMAT_GUIDE.replace("{step_kinds}", kinds)


@dataclass
class DraftResult:
    text: str                                   # the YAML the model wrote (last round)
    procedure: Procedure | None = None          # set when the draft loads
    problems: list[Problem] = field(default_factory=list)
    repaired: bool = False                      # a repair round was needed
    first_problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.procedure is not None and not any(p.severity == Severity.error for p in self.problems)


def context_text(project: Project) -> str:
    lines = [f"Project: {project.settings.name}"]
    if project.settings.tone:
        lines.append(f"Tone: {project.settings.tone}")
    for cid, connector in project.connectors.items():
        inputs = ", ".join(connector.inputs) or "none"
        fields = ", ".join(connector.sample_fields()[:12]) or "unknown"
        lines.append(f"connector {cid}: {connector.description} (inputs: {inputs}; result fields: {fields})")
    for aid, article in project.knowledge.items():
        lines.append(f"knowledge article {aid}: {article.title}")
    for pid, procedure in project.procedures.items():
        lines.append(f"existing procedure {pid}: {procedure.title}")
    if project.settings.segments:
        attrs = sorted({k for s in project.settings.segments.values() for k in s})
        lines.append(f"customer attributes: {', '.join(attrs)}")
    return "\n".join(lines)


def draft_messages(project: Project, outline: str) -> list[dict[str, str]]:
    example = next(iter(project.procedures.values()), None)
    system = (
        "You turn a customer-service SOP or outline into a procedure file for Procedure "
        "Studio. Use only the connectors, knowledge articles and procedures listed; "
        "collect what the steps need; branch with conditions; end every path.\n\n"
        + format_guide() + "\n\n" + context_text(project)
        + (f"\n\nAn existing procedure, for style:\n{model_to_yaml(example)}" if example else "")
        + "\n\nReply with the YAML of one procedure only, no commentary.")
    return [{"role": "system", "content": system}, {"role": "user", "content": outline}]


_FENCE = re.compile(r"```(?:ya?ml|YAML)?\s*\n(.*?)```", re.S)


def yaml_of(reply: str) -> str:
    match = _FENCE.search(reply or "")
    text = match.group(1) if match else (reply or "")
    return text.strip() + "\n"


def check_draft(project: Project, text: str) -> tuple[Procedure | None, list[Problem]]:
    """Load and validate a procedure YAML as if it were saved in the project."""
    try:
        data, source = parse_yaml(text)
    except YamlError as exc:
        return None, [Problem(code="yaml", file="draft.yaml", line=exc.line, column=exc.column,
                              message=exc.message, hint=yaml_hint(exc.message) or GENERIC)]
    if not isinstance(data, dict):
        return None, [Problem(code="schema", file="draft.yaml", message="the draft is not a YAML mapping")]
    try:
        procedure = Procedure.model_validate(data)
    except ValidationError as exc:
        return None, pydantic_problems(exc, "draft.yaml", source, data)
    rel = f"procedures/{procedure.id}.yaml"
    trial = dataclasses.replace(
        project, procedures={**project.procedures, procedure.id: procedure},
        sources={**project.sources, rel: source}, files={**project.files, f"procedure:{procedure.id}": rel},
        load_problems=[p for p in project.load_problems if p.file != rel])
    return procedure, validate_procedure(trial, procedure.id)


def _problem_lines(problems: list[Problem]) -> str:
    return "\n".join(f"- {p.format()}" for p in problems if p.severity == Severity.error)


def draft_procedure(project: Project, outline: str, *, settings: LLMSettings,
                    usage: Any = None, complete_fn: Any = None) -> DraftResult:
    """One draft, one repair round if it has errors. Raises ModelError on model failure."""
    if complete_fn is None:
        from .client import complete as complete_fn
    messages = draft_messages(project, outline)
    reply = complete_fn(messages, settings=settings, no_cache=True, usage=usage).text
    text = yaml_of(reply)
    procedure, problems = check_draft(project, text)
    result = DraftResult(text=text, procedure=procedure, problems=problems)
    if result.ok:
        return result
    repair = messages + [
        {"role": "assistant", "content": reply},
        {"role": "user", "content": "The draft has these problems:\n" + _problem_lines(problems)
         + "\nReply with the corrected YAML of the whole procedure only."}]
    reply = complete_fn(repair, settings=settings, no_cache=True, usage=usage).text
    text = yaml_of(reply)
    procedure, second = check_draft(project, text)
    return DraftResult(text=text, procedure=procedure, problems=second, repaired=True,
                       first_problems=problems)

"""Rules about one procedure: its steps, expressions, templates, snippets,
variables and references to the rest of the project."""
from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator

from .expressions import ExpressionError, parse
from .procedure import Procedure
from .snippet_policy import Blocked, check_tree
from .snippets import analyze_snippet
from .step_registry import get_spec, resolve
from .steps import CheckpointStep, CodeStep, ConditionStep, ConnectorStep, EndStep, SubprocedureStep, SwitchStep
from .templates import parse_template
from .validate_context import ERROR, INFO, WARNING, Reporter, did_you_mean


@dataclass
class ProjectFacts:
    """Project-wide facts computed once per validation run."""
    procedures: set[str]
    connectors: dict[str, Any]
    articles: set[str]
    set_names: set[str]            # every name something in the project sets
    cycles: list[list[str]]
    broken_connectors: set[str] = field(default_factory=set)   # failed to load: reported already
    names_incomplete: bool = False   # a procedure file did not load: any name may be set there

    def __post_init__(self) -> None:
        self.variable_names = self.set_names - _NOT_VARIABLES


def is_name(text: str) -> bool:
    return text.isidentifier() and not keyword.iskeyword(text)


def check_procedure(proc: Procedure, rep: Reporter, facts: ProjectFacts) -> None:
    if not proc.steps:
        rep.add(WARNING, "empty-procedure", f"procedure '{proc.id}' has no steps",
                path=("id",), hint="add a first step, for example an instruction that greets the customer")
    _check_variables(proc, rep)
    _check_switch_rules(proc, rep, facts)
    _check_duplicates(proc, rep)
    _check_unreachable(proc.steps, ("steps",), rep)
    for path, step in proc.walk():
        _check_step(proc, path, step, rep, facts)
    _check_cycles(proc, rep, facts)


# -- variables and switch rules --------------------------------------------
def _check_variables(proc: Procedure, rep: Reporter) -> None:
    for name, var in proc.variables.items():
        path = ("variables", name)
        if not is_name(name):
            rep.add(ERROR, "bad-variable-name", f"variable name '{name}' cannot be used in expressions",
                    path=path, key=True,
                    hint="use letters, digits and '_', starting with a letter (e.g. order_id)")
        if var.pattern is not None:
            try:
                re.compile(var.pattern)
            except re.error as exc:
                rep.add(ERROR, "bad-pattern", f"variable '{name}': invalid regular expression: {exc}",
                        path=path + ("pattern",),
                        hint="in YAML, single-quote patterns so backslashes stay as written: 'FD-\\d{6}'")
        if var.type == "enum" and not var.options:
            rep.add(ERROR, "enum-options", f"enum variable '{name}' has no options",
                    path=path, hint="list the allowed values: options: [small, medium, large]")
        elif var.options and var.type != "enum":
            rep.add(INFO, "options-ignored", f"variable '{name}' has options but type {var.type}",
                    path=path + ("options",), hint="set type: enum to restrict the values")


def _check_switch_rules(proc: Procedure, rep: Reporter, facts: ProjectFacts) -> None:
    for index, rule in enumerate(proc.switch_rules):
        path = ("switch_rules", index)
        if rule.to not in facts.procedures:
            rep.add(ERROR, "unknown-procedure", f"switch rule goes to unknown procedure '{rule.to}'",
                    path=path + ("to",), hint=did_you_mean(rule.to, facts.procedures, "procedures"))
        elif rule.to == proc.id:
            rep.add(WARNING, "switch-to-self", "switch rule goes to this same procedure",
                    path=path + ("to",), hint="switch to another procedure, or remove the rule")
        if not rule.keywords and not rule.when and not rule.description:
            rep.add(WARNING, "empty-switch-rule", "switch rule has no keywords, when or description",
                    path=path, hint="it can never fire: add keywords: [...] or when: <expression>")
        if rule.when is not None:
            check_expression(rule.when, path + ("when",), None, rep, facts)


# -- steps ------------------------------------------------------------------
def _check_duplicates(proc: Procedure, rep: Reporter) -> None:
    first: dict[str, tuple] = {}
    for path, step in proc.walk():
        if step.id in first:
            where = rep.position(first[step.id] + ("id",))
            rep.add(ERROR, "duplicate-step-id", f"step id '{step.id}' is used twice in this procedure",
                    path=path + ("id",), step=step.id,
                    hint=f"first used on line {where[0]}; give each step its own id" if where
                    else "give each step its own id")
        else:
            first[step.id] = path


def _ends(step: Any) -> str | None:
    """Why nothing after this step (in the same list) can run, or None."""
    if step.when:
        return None
    if isinstance(step, EndStep):
        return "ends the conversation"
    if isinstance(step, SwitchStep):
        return "switches to another procedure"
    if isinstance(step, CheckpointStep) and step.mode == "handoff":
        return "hands the conversation off"
    if isinstance(step, ConditionStep) and step.branches and step.branches[-1].is_else:
        if all(any(_ends(s) for s in b.steps) for b in step.branches):
            return "is a condition whose every branch ends"
    return None


def _check_unreachable(steps: list, path: tuple, rep: Reporter) -> None:
    stopper = None
    for index, step in enumerate(steps):
        here = path + (index,)
        if stopper is not None:
            rep.add(WARNING, "unreachable", f"step '{step.id}' can never run: "
                    f"step '{stopper[0]}' before it {stopper[1]}",
                    path=here + ("id",), step=step.id,
                    hint="move it before that step, into a branch, or delete it")
        elif (why := _ends(step)) is not None:
            stopper = (step.id, why)
        if isinstance(step, ConditionStep):
            for b_index, branch in enumerate(step.branches):
                _check_unreachable(branch.steps, here + ("branches", b_index, "steps"), rep)


def _check_step(proc: Procedure, path: tuple, step: Any, rep: Reporter, facts: ProjectFacts) -> None:
    """The `when` every step has, then the kind's own check from the registry; a kind
    without one has its template and expression fields checked."""
    if step.when is not None:
        check_expression(step.when, path + ("when",), step.id, rep, facts)
    spec = get_spec(step.kind)
    if spec is None:
        return
    if spec.check is not None:
        resolve(spec.check)(proc, path, step, rep, facts)
        return
    for f in spec.inspector:
        value = getattr(step, f.name, None)
        if isinstance(value, str) and f.widget in ("template", "expression"):
            check = check_template if f.widget == "template" else check_expression
            check(value, path + (f.name,), step.id, rep, facts)


# -- the kinds' own checks (named by their registry entries) ---------------------
def check_instruction(proc: Procedure, path: tuple, step: Any, rep: Reporter, facts: ProjectFacts) -> None:
    sid = step.id
    check_template(step.text, path + ("text",), sid, rep, facts)
    if step.say:
        check_template(step.say, path + ("say",), sid, rep, facts)
    for index, name in enumerate(step.collect):
        if name not in proc.variables:
            rep.add(ERROR, "unknown-variable", f"collects '{name}', which is not a declared variable",
                    path=path + ("collect", index), step=sid,
                    hint=did_you_mean(name, proc.variables, "variables")
                    or f"declare it under variables: ({name}: {{type: string}})")


def check_condition(proc: Procedure, path: tuple, step: Any, rep: Reporter, facts: ProjectFacts) -> None:
    _check_branches(path, step, rep, facts)


def check_connector(proc: Procedure, path: tuple, step: Any, rep: Reporter, facts: ProjectFacts) -> None:
    _check_connector_step(path, step, rep, facts)


def check_code(proc: Procedure, path: tuple, step: Any, rep: Reporter, facts: ProjectFacts) -> None:
    _check_code(path, step, rep, facts)


def check_knowledge(proc: Procedure, path: tuple, step: Any, rep: Reporter, facts: ProjectFacts) -> None:
    if step.article not in facts.articles:
        rep.add(ERROR, "unknown-article", f"unknown knowledge article '{step.article}'",
                path=path + ("article",), step=step.id,
                hint=did_you_mean(step.article, facts.articles, "articles")
                or f"add knowledge/{step.article}.md")
    if step.text:
        check_template(step.text, path + ("text",), step.id, rep, facts)


def check_checkpoint(proc: Procedure, path: tuple, step: Any, rep: Reporter, facts: ProjectFacts) -> None:
    sid = step.id
    if step.note:
        check_template(step.note, path + ("note",), sid, rep, facts)
    elif step.mode == "handoff":
        rep.add(WARNING, "empty-note", "handoff checkpoint has no note for the teammate",
                path=path, step=sid, hint="say what happened and what the customer wants")
    if step.say:
        check_template(step.say, path + ("say",), sid, rep, facts)


def check_subprocedure(proc: Procedure, path: tuple, step: Any, rep: Reporter, facts: ProjectFacts) -> None:
    if step.procedure not in facts.procedures:
        rep.add(ERROR, "unknown-procedure", f"calls unknown procedure '{step.procedure}'",
                path=path + ("procedure",), step=step.id,
                hint=did_you_mean(step.procedure, facts.procedures, "procedures"))


def check_switch(proc: Procedure, path: tuple, step: Any, rep: Reporter, facts: ProjectFacts) -> None:
    if step.to not in facts.procedures:
        rep.add(ERROR, "unknown-procedure", f"switches to unknown procedure '{step.to}'",
                path=path + ("to",), step=step.id,
                hint=did_you_mean(step.to, facts.procedures, "procedures"))
    elif step.to == proc.id:
        rep.add(WARNING, "switch-to-self", "switches to this same procedure",
                path=path + ("to",), step=step.id, hint="use a sub-procedure or a condition instead")


def _check_branches(path: tuple, step: ConditionStep, rep: Reporter, facts: ProjectFacts) -> None:
    if not step.branches:
        rep.add(WARNING, "empty-condition", "condition has no branches", path=path, step=step.id,
                hint="add branches: [{when: <expression>, steps: [...]}]")
    last = len(step.branches) - 1
    for index, branch in enumerate(step.branches):
        bpath = path + ("branches", index)
        if branch.is_else:
            if index != last:
                rep.add(ERROR, "else-not-last", "'when: else' must be the last branch",
                        path=bpath + ("when",), step=step.id,
                        hint="branches are tried in order, so the branches after 'else' never run; move it last")
        else:
            check_expression(branch.when, bpath + ("when",), step.id, rep, facts)


def _check_connector_step(path: tuple, step: ConnectorStep, rep: Reporter, facts: ProjectFacts) -> None:
    sid = step.id
    for name, value, vpath in _strings(step.inputs, path + ("inputs",)):
        check_template(value, vpath, sid, rep, facts)
    if step.save_as is not None and not is_name(step.save_as):
        rep.add(ERROR, "bad-variable-name", f"save_as '{step.save_as}' cannot be used in expressions",
                path=path + ("save_as",), step=sid, hint="use letters, digits and '_' (e.g. order)")
    connector = facts.connectors.get(step.connector)
    if connector is None and step.connector in facts.broken_connectors:
        return
    if connector is None:
        rep.add(ERROR, "unknown-connector", f"unknown connector '{step.connector}'",
                path=path + ("connector",), step=sid,
                hint=did_you_mean(step.connector, facts.connectors, "connectors")
                or f"add connectors/{step.connector}.yaml")
        return
    declared = connector.inputs
    for name, spec in declared.items():
        if spec.required and name not in step.inputs:
            rep.add(ERROR, "missing-input", f"connector '{step.connector}' needs input '{name}'",
                    path=path + ("inputs",) if step.inputs else path + ("connector",), step=sid,
                    hint=f"add inputs: {{{name}: \"{{{{ {name} }}}}\"}}")
    if declared:
        for name in step.inputs:
            if name not in declared:
                rep.add(WARNING, "unknown-input", f"connector '{step.connector}' has no input '{name}'",
                        path=path + ("inputs", name), key=True, step=sid,
                        hint=did_you_mean(name, declared, "inputs"))


def _strings(value: Any, path: tuple) -> Iterator[tuple[str, str, tuple]]:
    """Every text inside nested inputs, with its path."""
    if isinstance(value, str):
        yield str(path[-1]), value, path
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from _strings(sub, path + (key,))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _strings(sub, path + (index,))


@lru_cache(maxsize=1024)
def sandbox_verdict(code: str) -> Blocked | None:
    """Why the sandbox would block the snippet (None: it may run). Cached: runs per keystroke."""
    try:
        check_tree(ast.parse(code or ""))
    except Blocked as blocked:
        return blocked
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None                   # reported as a syntax problem instead
    return None


def _check_code(path: tuple, step: CodeStep, rep: Reporter, facts: ProjectFacts) -> None:
    info = analyze_snippet(step.code)
    cpath = path + ("code",)
    if info.error:
        syntax = info.error.startswith(("syntax", "cannot parse"))
        rep.add(ERROR, "snippet-syntax" if syntax else "snippet-limit", f"code: {info.error}", step=step.id,
                at=rep.in_text(cpath, info.line, info.column),
                hint="the snippet is Python; check brackets, quotes and indentation" if syntax else
                "keep snippets short and flat: add up long sums over several lines or in a loop")
        return
    if not step.code.strip():
        rep.add(WARNING, "empty-code", "code step has no code", path=cpath, step=step.id)
    blocked = sandbox_verdict(step.code)
    if blocked is not None:
        rep.add(ERROR, "snippet-blocked", f"code: the sandbox will refuse this snippet: {blocked.reason}",
                step=step.id, at=rep.in_text(cpath, blocked.line or 1, 1),
                hint="snippets get plain values and math, decimal, datetime and re; "
                     "no files, network, imports of other modules or interpreter internals")
    for name in sorted(info.reads):
        _unset(name, cpath, step.id, rep, facts, "code", step.code)


# -- expressions and templates ------------------------------------------------
def check_expression(text: str, path: tuple, step_id: str | None, rep: Reporter,
                     facts: ProjectFacts) -> None:
    try:
        names = _expression_names(text)
    except ExpressionError as exc:
        lead = len(text) - len(text.lstrip()) if isinstance(text, str) else 0
        col = (exc.column or _symbol_column(text, exc.message) or 1) + lead
        rep.add(ERROR, "expression", f"{path[-1]}: {exc.message}", step=step_id,
                at=rep.in_text(path, 1, col), hint=_expression_hint(exc.message))
        return
    for name in names:
        _unset(name, path, step_id, rep, facts, "expression", text)


@lru_cache(maxsize=8192)
def _template_names(text: str) -> tuple[str, ...]:
    names: set[str] = set()
    for part in parse_template(text):
        names |= part.expression.names()
    return tuple(sorted(names))


@lru_cache(maxsize=8192)
def _expression_names(text: str) -> tuple[str, ...]:
    """Sorted root names an expression reads (cached: validation runs per keystroke)."""
    return tuple(sorted(parse(text).names()))


def check_template(text: str, path: tuple, step_id: str | None, rep: Reporter,
                   facts: ProjectFacts | None) -> set[str]:
    """Report syntax errors (and, with facts, unset names); return the names read."""
    try:
        names = set(_template_names(text))
    except ExpressionError as exc:
        line, col = _line_col(text, exc.column or 1)
        rep.add(ERROR, "template", f"{path[-1]}: {exc.message}", step=step_id,
                at=rep.in_text(path, line, col),
                hint="placeholders look like {{ order_id }}; " + (_expression_hint(exc.message) or
                                                                   "check the expression inside"))
        return set()
    if facts is not None:
        for name in sorted(names):
            _unset(name, path, step_id, rep, facts, "template", text)
    return names


_SYMBOL = re.compile(r"^'([^\w\s']+)' is not allowed")


def _symbol_column(text: str, message: str) -> int | None:
    """Operators carry no position in `ast`: find a refused one (`>>`, `**`) in the text."""
    match = _SYMBOL.match(message)
    if match and isinstance(text, str):
        at = text.strip().find(match.group(1))
        return at + 1 if at >= 0 else None
    return None


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based offset into text -> (line, column), both 1-based."""
    before = text[:max(offset - 1, 0)]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1)


def _expression_hint(message: str) -> str | None:
    if "unknown function" in message:
        return None
    if "not allowed" in message:
        return "expressions allow names, dotted access, comparisons, and/or/not, arithmetic, in, " \
               "and len, lower, upper, round, min, max, abs, matches, is_set"
    if message.startswith("syntax error"):
        return "use Python syntax: ==, and, or, not, quotes around text (status == \"delivered\")"
    return None


def _unset(name: str, path: tuple, step_id: str | None, rep: Reporter, facts: ProjectFacts,
           where: str, text: str) -> None:
    if name in facts.set_names or facts.names_incomplete:
        return
    found = re.search(rf"(?<![\w.]){re.escape(name)}\b", text)
    at = rep.in_text(path, *_line_col(text, found.start() + 1)) if found else rep.position(path)
    rep.add(WARNING, "unset-name", f"'{name}' is read by this {where} but nothing sets it",
            at=at, step=step_id,
            hint=did_you_mean(name, facts.variable_names)
            or f"declare a variable '{name}', save a connector result as '{name}', "
               "or assign it in a code step")


_NOT_VARIABLES = {"true", "false", "null", "none", "True", "False", "None",
                  "len", "lower", "upper", "round", "min", "max", "abs", "matches", "is_set"}


def _check_cycles(proc: Procedure, rep: Reporter, facts: ProjectFacts) -> None:
    for cycle in facts.cycles:
        if proc.id not in cycle:
            continue
        nxt = cycle[(cycle.index(proc.id) + 1) % len(cycle)]
        ring = " -> ".join(cycle[cycle.index(proc.id):] + cycle[:cycle.index(proc.id)] + [proc.id])
        for path, step in proc.walk():
            if isinstance(step, SubprocedureStep) and step.procedure == nxt:
                rep.add(ERROR, "subprocedure-cycle", f"sub-procedure calls loop forever: {ring}",
                        path=path + ("procedure",), step=step.id,
                        hint="a procedure cannot call itself, directly or through others; "
                             "use a switch step to move on instead")
                break

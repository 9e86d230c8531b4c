"""Suggested simulations, offline: walk a procedure's branches and write one
simulation per path, with fixtures and answers that make the engine take it.

Candidate values come from the procedure's own comparisons (both sides of
`order.hours_since_delivery <= 24`, each option of `in [...]`, true/false for
booleans, a failing connector for `is_set(...)`); for every branch and step not
reached yet, the combinations of the values its conditions read are tried on
the real offline engine, whose trace says which path each one took. Every
suggestion is then run again through the runner and kept only if it passes.
What no combination reaches is listed, with its conditions.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any

from studio.core.simulation import Attachment, Customer, CustomerTurn, Expectations, Fixtures, Simulation
from studio.core.steps import CheckpointStep, CodeStep, ConditionStep, ConnectorStep, InstructionStep, SubprocedureStep
from studio.runtime.engine import Conversation, stop
from studio.runtime.offline_brain import OfflineBrain

from .coverage import coverage_from_trace, coverage_universe
from studio.runtime.options import RunOptions
from .suggest_saved import reached_by_saved
from .suggest_values import (Harvest, code_names, defaults_for, fits_pattern, harvest_expression,
                             harvest_tree, linked_values)

MAX_COMBINATIONS = 400          # engine runs tried per unreached target
MAX_TURNS = 16
ERROR_FIXTURE = {"error": 500}
TEXT_KINDS = ("string", "email", "date")


@dataclass
class Slot:
    key: tuple                  # ("var", name) | ("conn", connector, path) | ("fail", connector)
    candidates: list[Any]       #   | ("cust", attribute) | ("approval", step id)
    roots: set[str]             # root names whose value the slot decides


@dataclass
class Run:
    assignment: dict[tuple, Any]
    script: list[CustomerTurn]
    attributes: dict[str, Any]
    fixtures: Fixtures
    steps: list[str]
    branches: list[str]
    outcome: str | None
    error: str | None
    visited_all: dict[str, list[str]]


@dataclass
class Unreached:
    target: str                 # a branch key or a step id
    conditions: list[str]
    reason: str


@dataclass
class Suggestion:
    key: str                    # file stem under simulations/
    simulation: Simulation
    branches: list[str]
    steps: list[str]


@dataclass
class SuggestReport:
    procedure: str
    suggestions: list[Suggestion] = field(default_factory=list)
    branches: list[str] = field(default_factory=list)          # the universe
    covered_branches: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    covered_steps: list[str] = field(default_factory=list)
    unreached: list[Unreached] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    reached_by_saved: dict[str, str] = field(default_factory=dict)   # target -> simulation name

    @property
    def branch_coverage(self) -> float:
        return len(self.covered_branches) / len(self.branches) if self.branches else 1.0


class _Scope:
    """What the procedure (and the sub-procedures it calls) collect, call and test."""

    def __init__(self, project: Any, procedure_id: str):
        self.project = project
        self.pids: list[str] = []
        self._add(procedure_id)
        self.harvest = Harvest()
        self.collect: dict[str, Any] = {}
        self.connector_roots: dict[str, set[str]] = {}     # root -> connector ids
        self.code_reads: dict[str, set[str]] = {}          # assigned name -> roots read
        self.code_paths: dict[str, set[str]] = {}          # assigned name -> dotted paths read
        self.approvals: list[str] = []
        self.customer_paths: set[str] = set()
        for pid in self.pids:
            self._scan(project.procedures[pid])

    def _add(self, pid: str) -> None:
        if pid in self.pids or pid not in self.project.procedures:
            return
        self.pids.append(pid)
        for step in self.project.procedures[pid].all_steps():
            if isinstance(step, SubprocedureStep):
                self._add(step.procedure)

    def _scan(self, procedure: Any) -> None:
        for step in procedure.all_steps():
            if step.when:
                harvest_expression(step.when, self.harvest)
            if isinstance(step, ConditionStep):
                for branch in step.branches:
                    if not branch.is_else:
                        harvest_expression(branch.when, self.harvest)
            elif isinstance(step, InstructionStep):
                for name in step.collect:
                    self.collect.setdefault(name, self.variable(procedure.id, name))
            elif isinstance(step, ConnectorStep) and step.save_as:
                self.connector_roots.setdefault(step.save_as, set()).add(step.connector)
            elif isinstance(step, CodeStep):
                assigned, read, paths, tree = code_names(step.code)
                for name in assigned:
                    self.code_reads.setdefault(name, set()).update(read)
                    self.code_paths.setdefault(name, set()).update(paths)
                if tree is not None:
                    harvest_tree(tree, self.harvest)
            elif isinstance(step, CheckpointStep) and step.mode == "approval":
                self.approvals.append(step.id)
        for rule in procedure.switch_rules:
            if rule.when:
                harvest_expression(rule.when, self.harvest)
        self.customer_paths |= {p for p in self.harvest.values if p.startswith("customer.")}

    def variable(self, pid: str, name: str) -> Any:
        own = self.project.procedures[pid].variables.get(name)
        if own is not None:
            return own
        return next((p.variables[name] for p in self.project.procedures.values()
                     if name in p.variables), None)

    def sample(self, path: str) -> Any:
        """The value a connector's sample gives `root.a.b`, if any."""
        root, _, rest = path.partition(".")
        for connector_id in sorted(self.connector_roots.get(root, ())):
            value = getattr(self.project.connectors.get(connector_id), "sample", None)
            for part in rest.split(".") if rest else []:
                value = value.get(part) if isinstance(value, dict) else None
            if value is not None:
                return value
        return None

    def slots(self) -> list[Slot]:
        harvest = self.harvest
        linked: dict[str, list[Any]] = {}
        for a, op, b in harvest.links:
            other = self.sample(b)
            if other is not None:
                linked.setdefault(a, []).extend(linked_values(op, other))
            var = self.collect.get(b) if "." not in b else None
            if var is not None and var.type == "enum" and var.options and op in ("Eq", "NotEq"):
                linked.setdefault(a, []).extend(var.options)
        for name, paths in self.code_paths.items():       # inputs of computed values
            thresholds = [v for v in harvest.values.get(name, [])
                          if isinstance(v, (int, float)) and not isinstance(v, bool)]
            for path in paths:
                if isinstance(self.sample(path), (int, float)) and thresholds:
                    top = max(thresholds)
                    linked.setdefault(path, []).extend([top + 1, 2 * (top + 1)])
        slots: list[Slot] = []
        for name, var in self.collect.items():
            if var is not None and var.type in ("object", "list"):
                continue
            values = _unique(linked.get(name, []) + harvest.values.get(name, [])
                             + _known_values(self.project, name) + defaults_for(var))
            values = [v for v in values if fits_pattern(var, v)] or defaults_for(var)
            slots.append(Slot(("var", name), values, {name}))
        for root, connectors in sorted(self.connector_roots.items()):
            for connector_id in sorted(connectors):
                paths = {p for p in [*harvest.values, *linked] if p_root(p) == root and "." in p}
                for path in sorted(paths):
                    sample = self.sample(path)
                    values = _unique(([sample] if sample is not None else []) + linked.get(path, [])
                                     + harvest.values.get(path, []))
                    if values:
                        slots.append(Slot(("conn", connector_id, path.split(".", 1)[1]), values, {root}))
                slots.append(Slot(("fail", connector_id), [False, True], {root}))
        for path in sorted(self.customer_paths):
            attribute = path.split(".", 1)[1]
            if "." in attribute:
                continue
            segment_values = [s.get(attribute) for s in self.project.settings.segments.values()
                              if s.get(attribute) is not None]
            slots.append(Slot(("cust", attribute), _unique(harvest.values[path] + segment_values),
                              {"customer"}))
        for step_id in self.approvals:
            slots.append(Slot(("approval", step_id), ["approved", "rejected"], set()))
        return slots

    def roots_of(self, expressions: list[str]) -> set[str]:
        """Root names the expressions read, through the code steps that compute them."""
        from studio.core.expressions import ExpressionError, parse
        roots: set[str] = set()
        for source in expressions:
            try:
                roots |= parse(source).names()
            except ExpressionError:
                continue
        frontier = list(roots)
        while frontier:
            name = frontier.pop()
            for read in self.code_reads.get(name, ()):
                if read not in roots:
                    roots.add(read)
                    frontier.append(read)
        return roots


def p_root(path: str) -> str:
    return path.split(".")[0]


def _unique(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if not any(value == v and type(value) is type(v) for v in out):
            out.append(value)
    return out


def _known_values(project: Any, name: str) -> list[Any]:
    """Values other simulations of the project used for this variable: realistic ones."""
    out = []
    for simulation in project.simulations.values():
        value = simulation.expect.variables.get(name, simulation.customer.facts.get(name))
        if value is not None and not isinstance(value, (dict, list)):
            out.append(value)
    return out[:3]


class _Driver:
    """Plays a conversation on the offline engine, answering whatever step waits."""

    def __init__(self, project: Any, procedure_id: str, scope: _Scope, first: str):
        self.project = project
        self.pid = procedure_id
        self.scope = scope
        self.first = first
        self.brain = OfflineBrain(project)

    def fixtures(self, assignment: dict[tuple, Any]) -> Fixtures:
        connectors: dict[str, Any] = {}
        for key, value in assignment.items():
            if key[0] == "conn":
                _, connector_id, path = key
                base = connectors.get(connector_id)
                if base is None:
                    sample = getattr(self.project.connectors.get(connector_id), "sample", None)
                    base = connectors[connector_id] = copy.deepcopy(sample) if isinstance(sample, dict) else {}
                _set_path(base, path, value)
        for key, value in assignment.items():
            if key[0] == "fail" and value:
                connectors[key[1]] = dict(ERROR_FIXTURE)
        approvals = {key[1]: value for key, value in assignment.items() if key[0] == "approval"}
        return Fixtures(connectors=connectors, approvals=approvals)

    def attributes(self, assignment: dict[tuple, Any]) -> dict[str, Any]:
        return {key[1]: value for key, value in assignment.items() if key[0] == "cust"}

    def answer(self, names: list[str], procedure: str, assignment: dict[tuple, Any]) -> CustomerTurn:
        leading, middle, trailing, attachments = [], [], [], []
        for name in names:
            var = self.scope.variable(procedure, name)
            value = assignment.get(("var", name))
            if value is None:
                defaults = defaults_for(var)
                value = defaults[0] if defaults else "just a moment"
            kind = getattr(var, "type", "string")
            if kind in ("image", "file"):
                attachments.append(Attachment(file=str(value)))
            elif kind == "boolean" or isinstance(value, bool):
                leading.append("Yes" if value else "No")
            elif kind in ("number", "integer"):
                trailing.append(_number_text(value))
            else:
                middle.append(str(value))
        text = ". ".join(leading + middle + trailing) or ("Here it is" if attachments else "")
        return CustomerTurn(text=text, attachments=attachments)

    def run(self, assignment: dict[tuple, Any]) -> Run:
        fixtures = self.fixtures(assignment)
        attributes = self.attributes(assignment)
        conversation = Conversation(self.project, self.brain, attributes=attributes,
                                    fixtures=fixtures, options=RunOptions())
        script = [CustomerTurn(text=self.first)]
        conversation.receive(script[0])
        while not conversation.ended and len(script) < MAX_TURNS:
            wait = conversation.waiting
            if wait is None:
                break
            missing = conversation.still_missing() or list(wait.step.collect)
            turn = self.answer(missing, wait.procedure, assignment)
            script.append(turn)
            conversation.receive(turn)
        if not conversation.ended:
            stop(conversation, "the suggested script ran out")
        coverage = coverage_from_trace(conversation.trace.dump())
        mine = coverage.get(self.pid)
        return Run(assignment, script, attributes, fixtures,
                   list(mine.steps) if mine else [], list(mine.branches) if mine else [],
                   conversation.outcome, conversation.error,
                   {pid: list(c.steps) for pid, c in coverage.items()})


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _set_path(data: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        child = data.get(part)
        if not isinstance(child, dict):
            child = data[part] = {}
        data = child
    data[parts[-1]] = value


def opening_message(project: Any, procedure: Any) -> str | None:
    """A trigger example (or the description) that the offline router sends here."""
    brain = OfflineBrain(project)
    for text in [*procedure.trigger.examples, procedure.trigger.description, procedure.title]:
        if text and brain.route(CustomerTurn(text=text), []).procedure == procedure.id:
            return text
    return None


def _deviations(slots: list[Slot]):
    """Assignments that change one slot from its base value, then two, then more."""
    for count in range(1, len(slots) + 1):
        for chosen in itertools.combinations(slots, count):
            options = [s.candidates[1:] for s in chosen]
            for values in itertools.product(*options):
                yield {s.key: v for s, v in zip(chosen, values)}


def _target_conditions(procedure: Any, target: str) -> list[str]:
    """The expressions met on the way to `target` (a step id or branch key), in order."""
    step_id, _, branch = target.partition("#")
    out: list[str] = []
    for _, step in procedure.walk():
        if step.when:
            out.append(step.when)
        if isinstance(step, ConditionStep) and (step.id != step_id or branch):
            out += [b.when for b in step.branches if not b.is_else]
        if step.id == step_id:
            break
    return _unique(out)


def suggest_simulations(project: Any, procedure_id: str, *, validate: bool = True) -> SuggestReport:
    """Simulations that together reach every branch and step the generator can solve."""
    report = SuggestReport(procedure=procedure_id)
    procedure = project.procedures.get(procedure_id)
    if procedure is None:
        report.problems.append(f"unknown procedure '{procedure_id}'")
        return report
    report.steps, report.branches = coverage_universe(procedure)
    first = opening_message(project, procedure)
    if first is None:
        report.problems.append(
            f"no trigger example routes to '{procedure_id}' offline, so no simulation can start it "
            "(a sub-procedure is covered through the procedures that call it)")
        report.unreached = [Unreached(t, [], "the procedure cannot be started")
                            for t in report.branches]
        return report
    scope = _Scope(project, procedure_id)
    slots = scope.slots()
    base = {slot.key: slot.candidates[0] for slot in slots if slot.candidates}
    driver = _Driver(project, procedure_id, scope, first)
    kept: list[Run] = []
    covered: set[str] = set()

    def attempt(assignment: dict[tuple, Any]) -> set[str]:
        run = driver.run(assignment)
        if run.error:
            return set()
        reached = set(run.steps) | set(run.branches)
        if reached - covered:
            kept.append(run)
            covered.update(reached)
        return reached

    attempt(base)
    for target in report.branches + report.steps:
        if target in covered:
            continue
        conditions = _target_conditions(procedure, target)
        roots = scope.roots_of(conditions)
        involved = [s for s in slots if s.roots & roots]
        reached = False
        for change in itertools.islice(_deviations(involved), MAX_COMBINATIONS):
            assignment = dict(base) | change
            if target in attempt(assignment):
                reached = True
                break
        if not reached:
            reason = ("no combination of the values its conditions compare with reached it"
                      if involved else "its conditions read nothing a simulation can set")
            report.unreached.append(Unreached(target, conditions, reason))
    _build(project, procedure, kept, report, validate)
    return report


def _label(procedure: Any, run: Run) -> str:
    parts = []
    for key in run.branches:
        step_id, _, which = key.partition("#")
        step = procedure.find_step(step_id)
        if which == "none":
            parts.append(f"{step_id}: no branch")
        elif step is not None and step.branches[int(which)].is_else:
            parts.append(f"{step_id}: else")
        elif step is not None:
            parts.append(f"{step_id}: {step.branches[int(which)].when}")
    gated = [step.id for step in procedure.all_steps() if step.when and step.id in run.steps]
    if gated:
        parts.append("with " + ", ".join(gated))
    failing = sorted(key[1] for key, value in run.assignment.items()
                     if key[0] == "fail" and value and key[1] in _called(run))
    if failing:
        parts.append("failing " + ", ".join(failing))
    rejected = sorted(key[1] for key, value in run.assignment.items()
                      if key[0] == "approval" and value == "rejected" and key[1] in run.steps)
    if rejected:
        parts.append("rejecting " + ", ".join(rejected))
    text = "; ".join(parts) or "main path"
    return f"{procedure.title or procedure.id}: {text} -> {run.outcome or 'no outcome'}"


def _called(run: Run) -> set[str]:
    return set(run.fixtures.connectors)


def _simulation(project: Any, procedure: Any, run: Run, name: str) -> Simulation:
    segment = next((sid for sid, attrs in project.settings.segments.items()
                    if run.attributes and all(attrs.get(k) == v for k, v in run.attributes.items())), None)
    customer = Customer(segment=segment, attributes={} if segment else dict(run.attributes),
                        script=[t.text if not t.attachments else t for t in run.script])
    called = set().union(*run.visited_all.values()) if run.visited_all else set()
    steps_index = {s.id: s for pid in run.visited_all for s in project.procedures[pid].all_steps()} \
        if run.visited_all else {}
    used_connectors = {steps_index[s].connector for s in called
                       if isinstance(steps_index.get(s), ConnectorStep)}
    fixtures = Fixtures(
        connectors={k: v for k, v in run.fixtures.connectors.items() if k in used_connectors},
        approvals={k: v for k, v in run.fixtures.approvals.items() if k in run.steps})
    return Simulation(
        name=name, procedure=procedure.id, tags=["suggested"],
        description="Suggested by the branch generator: one path through the procedure.",
        customer=customer, fixtures=fixtures,
        expect=Expectations(procedure=procedure.id, outcome=run.outcome, visited=list(run.steps)))


def _build(project: Any, procedure: Any, runs: list[Run], report: SuggestReport,
           validate: bool) -> None:
    from .runner import run_simulation
    names: set[str] = set()
    covered_steps: set[str] = set()
    covered_branches: set[str] = set()
    for number, run in enumerate(runs, 1):
        name = _label(procedure, run)
        if name in names:
            name = f"{name} ({number})"
        names.add(name)
        simulation = _simulation(project, procedure, run, name)
        if validate:
            result = run_simulation(project, simulation, options=RunOptions(model="offline"))
            cov = result.coverage.get(procedure.id)
            if result.status != "passed" or cov is None or set(cov.branches) != set(run.branches):
                report.problems.append(f"dropped '{name}': it did not pass when run again "
                                       f"({result.error or [e.message for e in result.failed_expectations]})")
                continue
        report.suggestions.append(Suggestion(f"suggested-{procedure.id}-{number}"[:64], simulation,
                                             run.branches, run.steps))
        covered_steps |= set(run.steps)
        covered_branches |= set(run.branches)
    report.covered_branches = [b for b in report.branches if b in covered_branches]
    report.covered_steps = [s for s in report.steps if s in covered_steps]
    saved = reached_by_saved(project, procedure.id) if report.unreached else {}
    report.reached_by_saved = {u.target: saved[u.target] for u in report.unreached if u.target in saved}
    report.unreached = [u for u in report.unreached if u.target not in covered_branches
                        and u.target not in covered_steps and u.target not in saved]

"""Validation a designer wants while typing: every problem with file, line,
column, step id, message and hint. Never raises for bad content.

    validate_project(project)             -> every problem, load problems included
    validate_procedure(project, "id")     -> one procedure's problems (as-you-type)
    validate_simulation(project, "stem")  -> one simulation's problems
"""
from __future__ import annotations

import ast
import re
from typing import Any, Callable

from .connector import Connector
from .expressions import CONSTANTS, SAFE_FUNCTIONS, ExpressionError, dotted_name
from .problems import Problem, Severity
from .project import Project
from .snippets import analyze_snippet
from .templates import parse_template
from .steps import CodeStep, ConnectorStep
from .validate_context import ERROR, WARNING, Reporter, did_you_mean
from .validate_graph import find_cycles
from .validate_simulations import check_simulation
from .validate_steps import ProjectFacts, check_procedure, check_template

BUILT_IN_NAMES = frozenset({"customer"} | set(SAFE_FUNCTIONS) | set(CONSTANTS))
_SEVERITY_ORDER = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}


def validate_project(project: Project) -> list[Problem]:
    facts = project_facts(project)
    problems = [_improve(p) for p in project.load_problems]
    _check_settings(project, problems)
    for pid, proc in project.procedures.items():
        rel = project.file_of("procedure", pid)
        check_procedure(proc, Reporter(problems, rel, project.sources.get(rel), pid), facts)
    for cid, connector in project.connectors.items():
        rel = project.file_of("connector", cid)
        _check_connector(connector, Reporter(problems, rel, project.sources.get(rel)),
                         None if _settings_broken(project) else project.settings.secrets)
    first_with_name: dict[str, str] = {}
    for key, sim in project.simulations.items():
        rel = project.file_of("simulation", key)
        rep = Reporter(problems, rel, project.sources.get(rel))
        _check_sim(project, sim, rep, facts)
        if sim.name in first_with_name:       # the library keeps one simulation per name
            rep.add(ERROR, "duplicate-name", f"simulation name '{sim.name}' is also used by "
                    f"{first_with_name[sim.name]}; run-all would run only one of the two files",
                    path=("name",), hint="give every simulation a different name")
        first_with_name.setdefault(sim.name, rel)
    return sort_problems(problems)


def _validate_file(project: Project, kind: str, key: str,
                   check: Callable[[Reporter, ProjectFacts], None] | None) -> list[Problem]:
    """Load problems of one file plus what `check` finds (None: the file did not load)."""
    rel = project.file_of(kind, key)
    problems = [_improve(p) for p in project.load_problems if p.file == rel]
    if check is not None:
        check(Reporter(problems, rel, project.sources.get(rel),
                       key if kind == "procedure" else None), project_facts(project))
    return sort_problems(problems)


def validate_procedure(project: Project, procedure_id: str) -> list[Problem]:
    """The problems of one procedure, using the in-memory model (fast enough per keystroke)."""
    proc = project.procedures.get(procedure_id)
    return _validate_file(project, "procedure", procedure_id, None if proc is None else
                          lambda rep, facts: check_procedure(proc, rep, facts))


def validate_simulation(project: Project, key: str) -> list[Problem]:
    sim = project.simulations.get(key)
    return _validate_file(project, "simulation", key, None if sim is None else
                          lambda rep, facts: _check_sim(project, sim, rep, facts))


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file or "", p.line or 0, p.column or 0,
                                           _SEVERITY_ORDER.get(p.severity, 3)))


# -- project-wide facts -------------------------------------------------------
def set_names(project: Project) -> set[str]:
    """Every name something in the project sets: variables persist across procedures."""
    names = set(BUILT_IN_NAMES)
    for proc in project.procedures.values():
        names.update(proc.variables)
        for _, step in proc.walk():
            if isinstance(step, ConnectorStep) and step.save_as:
                names.add(step.save_as)
            elif isinstance(step, CodeStep):
                names.update(analyze_snippet(step.code).assigns)
    return names


def _broken(project: Project, folder: str) -> set[str]:
    """Ids of files that failed to load: already reported, so not 'unknown' elsewhere."""
    out = set()
    for problem in project.load_problems:
        if problem.file and problem.file.startswith(folder + "/") and problem.severity == Severity.error:
            out.add(problem.file[len(folder) + 1:].rsplit(".", 1)[0])
    return out


def project_facts(project: Project) -> ProjectFacts:
    return ProjectFacts(
        procedures=set(project.procedures) | _broken(project, "procedures"),
        connectors=dict(project.connectors),
        broken_connectors=_broken(project, "connectors") - set(project.connectors),
        articles=set(project.knowledge) | _broken(project, "knowledge"),
        set_names=set_names(project),
        cycles=find_cycles(project.procedures),
        names_incomplete=bool(_broken(project, "procedures") - set(project.procedures)),
    )


# -- other files --------------------------------------------------------------
def _settings_broken(project: Project) -> bool:
    """studio.yaml did not load: what it declares (segments, secrets) is unknown."""
    return any(p.file == "studio.yaml" and p.severity == Severity.error and p.code != "io"
               for p in project.load_problems)


def _check_sim(project: Project, sim: Any, rep: Reporter, facts: ProjectFacts) -> None:
    check_simulation(sim, rep, project, facts.procedures, facts.broken_connectors, _settings_broken(project))
    if set(facts.procedures) - set(project.procedures):
        return      # a procedure file did not load: it may set any name, so none is reported
    for name in sim.expect.variables:
        root = str(name).split(".")[0]
        if root not in facts.set_names:
            rep.add(WARNING, "unset-name", f"expect.variables: nothing in the project sets '{root}'",
                    path=("expect", "variables", name), key=True,
                    hint=did_you_mean(root, facts.set_names - BUILT_IN_NAMES, "variables"))


def _check_settings(project: Project, problems: list[Problem]) -> None:
    rep = Reporter(problems, "studio.yaml", project.sources.get("studio.yaml"))
    for index, cid in enumerate(project.settings.real_calls.connectors):
        if cid not in project.connectors:
            rep.add(WARNING, "unknown-connector", f"real_calls names unknown connector '{cid}'",
                    path=("real_calls", "connectors", index),
                    hint=did_you_mean(cid, project.connectors, "connectors"))


def _check_connector(connector: Connector, rep: Reporter, declared: list[str] | None) -> None:
    if connector.request is None:
        return
    allowed = set(connector.inputs) | {"secrets"}
    texts = [(("request", "url"), connector.request.url)]
    texts += [(("request", "headers", k), v) for k, v in connector.request.headers.items()]
    texts += list(_body_strings(connector.request.body, ("request", "body")))
    for path, text in texts:
        if declared is not None:
            _check_secrets(text, path, rep, declared)
        for name in sorted(check_template(text, path, None, rep, None) - allowed - BUILT_IN_NAMES):
            rep.add(WARNING, "unknown-input", f"the request uses '{name}', which is not an input",
                    path=path, hint=did_you_mean(name, connector.inputs, "inputs")
                    or f"declare it under inputs: ({name}: {{type: string, required: true}})")


def _check_secrets(text: str, path: tuple, rep: Reporter, declared: list[str]) -> None:
    """Only names studio.yaml declares under `secrets:` are ever read (DESIGN.md section 3)."""
    try:
        parts = parse_template(text)
    except ExpressionError:
        return                       # reported by check_template
    for part in parts:
        tree = part.expression.tree
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and dotted_name(node.value) == "secrets":
                rep.add(ERROR, "undeclared-secret", "read a secret as secrets.NAME, with NAME declared "
                        "under studio.yaml `secrets:`", path=path)
        for dotted in sorted(part.expression.paths()):
            name = dotted.split(".")[1] if dotted.startswith("secrets.") else None
            if name and name not in declared:
                rep.add(ERROR, "undeclared-secret",
                        f"secret '{name}' is not declared in studio.yaml, so it is never read",
                        path=path, hint=f"add it to studio.yaml: secrets: [{', '.join([*declared, name])}]")


def _body_strings(value: Any, path: tuple):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from _body_strings(sub, path + (key,))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _body_strings(sub, path + (index,))


# -- load problems --------------------------------------------------------------
_UNKNOWN_FIELD = re.compile(r"unknown field '([^']+)'")


def _field_names() -> set[str]:
    from . import connector, procedure, settings, simulation, steps
    names: set[str] = set()
    for module in (connector, procedure, settings, simulation, steps):
        for value in vars(module).values():
            fields = getattr(value, "model_fields", None)
            if isinstance(value, type) and isinstance(fields, dict):
                names.update(f.alias or n for n, f in fields.items())
    return names


_FIELDS: set[str] = set()


def _improve(problem: Problem) -> Problem:
    """Loader problems with a "did you mean" for misspelt fields (YAML errors come with
    their hint from the loader: core/yaml_hints.py)."""
    match = _UNKNOWN_FIELD.search(problem.message)
    if not match or (problem.hint and not problem.hint.startswith("check the spelling")):
        return problem          # the loader already matched the fields allowed right there
    if not _FIELDS:
        _FIELDS.update(_field_names())
    best = did_you_mean(match.group(1), _FIELDS)
    if best and best.startswith("did you mean"):
        return problem.model_copy(update={"hint": best})
    return problem

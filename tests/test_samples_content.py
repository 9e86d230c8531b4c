"""The bundled sample projects are what a new user learns from: they must load
cleanly and, between them, show every step kind, expectation type and fixture
style the file format offers."""
from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.expressions import parse
from studio.core.project import ATTACHMENTS_DIR, load_project
from studio.core.simulation import EXPECTATION_TYPES
from studio.core.steps import STEP_KINDS, OUTCOMES, ConditionStep

ROOT = Path(__file__).resolve().parent.parent / "sample_projects"
SAMPLES = ["food-delivery", "card-payments", "subscriptions"]


@pytest.fixture(scope="module")
def projects():
    return {name: load_project(ROOT / name) for name in SAMPLES}


def _steps(projects):
    for project in projects.values():
        for procedure in project.procedures.values():
            for step in procedure.all_steps():
                yield project, procedure, step


def _sims(projects):
    for project in projects.values():
        for stem, sim in project.simulations.items():
            yield project, stem, sim


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_loads_without_problems(projects, name):
    project = projects[name]
    assert project.load_problems == []
    assert project.settings.model.name == "offline"
    assert project.settings.segments, "samples show customer segments"
    assert project.procedures and project.connectors and project.knowledge and project.simulations


@pytest.mark.parametrize("name", SAMPLES)
def test_connectors_are_realistic_and_keep_secrets_out_of_files(projects, name):
    for connector in projects[name].connectors.values():
        assert connector.description and connector.inputs and connector.sample is not None
        assert connector.request is not None
        assert connector.request.url.startswith("https://") and ".example.com" in connector.request.url
        assert any("{{ secrets." in value for value in connector.request.headers.values()), connector.id


@pytest.mark.parametrize("name", SAMPLES)
def test_articles_have_titles_and_text(projects, name):
    for article in projects[name].knowledge.values():
        assert article.title and article.title != article.id
        assert len(article.body) > 200


def test_every_step_kind_and_outcome_is_shown(projects):
    kinds = {step.kind for _, _, step in _steps(projects)}
    assert kinds == set(STEP_KINDS)
    outcomes = {step.outcome for _, _, step in _steps(projects) if step.kind == "end"}
    assert outcomes == set(OUTCOMES)
    checkpoints = [s for _, _, s in _steps(projects) if s.kind == "checkpoint"]
    assert {s.mode for s in checkpoints} == {"approval", "handoff"}
    assert any(s.mode == "approval" and s.when for s in checkpoints)
    connectors = [s for _, _, s in _steps(projects) if s.kind == "connector"]
    assert {s.on_error for s in connectors} == {"handoff", "continue"}
    assert any(s.save_as for s in connectors)


def test_conditions_show_else_nesting_and_customer_attributes(projects):
    conditions = [s for _, _, s in _steps(projects) if isinstance(s, ConditionStep)]
    assert any(any(b.is_else for b in c.branches) for c in conditions)
    assert any(any(isinstance(inner, ConditionStep) for b in c.branches for inner in b.steps)
               for c in conditions), "a condition nested in a branch"
    assert any(not any(b.is_else for b in c.branches) for c in conditions), "a condition without else"
    expressions = [b.when for c in conditions for b in c.branches if not b.is_else]
    expressions += [s.when for _, _, s in _steps(projects) if s.when]
    assert any("customer.plan" in parse(e).paths() for e in expressions)


def test_variable_types_and_switching_are_shown(projects):
    variables = [v for p in projects.values() for proc in p.procedures.values()
                 for v in proc.variables.values()]
    assert any(v.pattern for v in variables)
    assert {"boolean", "number", "email", "date", "enum"} <= {v.type for v in variables}
    assert all(v.options for v in variables if v.type == "enum")
    rules = [r for p in projects.values() for proc in p.procedures.values() for r in proc.switch_rules]
    assert any(r.keywords for r in rules)


def test_subprocedure_is_shared_by_several_procedures(projects):
    callers: dict[str, set[str]] = {}
    for _, procedure, step in _steps(projects):
        if step.kind == "subprocedure":
            callers.setdefault(step.procedure, set()).add(procedure.id)
    assert any(len(users) >= 2 for users in callers.values())


def test_enough_simulations_each_described(projects):
    sims = list(_sims(projects))
    assert len(sims) >= 25
    names = [sim.name for _, _, sim in sims]
    assert len(set(names)) == len(names), "simulation names are unique"
    for _, stem, sim in sims:
        assert len(sim.name) > 20 and sim.tags, stem
        assert sim.customer.persona and sim.customer.goal, stem
        assert sim.customer.script, stem
        assert not sim.expect.is_empty(), stem


def test_every_expectation_type_is_used(projects):
    used = {key for _, _, sim in _sims(projects) for key in sim.expect.to_data()}
    assert used == set(EXPECTATION_TYPES)
    not_visited = [ref for _, _, sim in _sims(projects) for ref in sim.expect.not_visited]
    assert any("." in ref for ref in not_visited), "a `procedure-id.step-id` reference"


def test_fixture_styles_are_shown(projects):
    values, lists, errors = False, False, False
    for _, _, sim in _sims(projects):
        for fixture in sim.fixtures.connectors.values():
            if isinstance(fixture, list):
                lists = True
            elif isinstance(fixture, dict) and "error" in fixture:
                errors = True
            else:
                values = True
    assert values and lists and errors
    decisions = {d for _, _, sim in _sims(projects) for d in sim.fixtures.approvals.values()}
    assert decisions == {"approved", "rejected"}


def test_an_approval_defaults_to_approved_somewhere(projects):
    """A simulation that passes an approval checkpoint with no decision in its fixtures."""
    found = False
    for project, _, sim in _sims(projects):
        approval_ids = {s.id for proc in project.procedures.values() for s in proc.all_steps()
                        if s.kind == "checkpoint" and s.mode == "approval"}
        visited = {ref.split(".")[-1] for ref in sim.expect.visited}
        if visited & approval_ids and not sim.fixtures.approvals:
            found = True
    assert found


@pytest.mark.parametrize("name", SAMPLES)
def test_attachments_referenced_exist_and_are_images(projects, name):
    project = projects[name]
    referenced = 0
    for _, stem, sim in _sims({name: project}):
        for turn in sim.customer.turns():
            for attachment in turn.attachments:
                path = project.root / ATTACHMENTS_DIR / attachment.file
                assert path.is_file(), f"{stem}: {attachment.file}"
                assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
                referenced += 1
    assert referenced >= 1


def test_attachments_carry_extracted_fields(projects):
    assert any(a.extracted for _, _, sim in _sims(projects)
               for turn in sim.customer.turns() for a in turn.attachments)


def test_simulations_name_known_procedures_steps_and_connectors(projects):
    for project, stem, sim in _sims(projects):
        procedures = project.procedures
        for pid in filter(None, [sim.procedure, sim.expect.procedure]):
            assert pid in procedures, f"{stem}: {pid}"
        all_ids = {s.id for p in procedures.values() for s in p.all_steps()}
        for ref in sim.expect.visited + sim.expect.not_visited:
            if "." in ref:
                pid, sid = ref.split(".", 1)
                assert procedures[pid].find_step(sid) is not None, f"{stem}: {ref}"
            else:
                assert ref in all_ids, f"{stem}: {ref}"
        names = set(sim.fixtures.connectors) | set(sim.expect.not_called)
        names |= {c.connector for c in sim.expect.connector_calls}
        assert names <= set(project.connectors), stem
        if sim.customer.segment:
            assert sim.customer.segment in project.settings.segments, stem

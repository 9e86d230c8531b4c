"""A run owns what it learns about its models (ModelSession): every simulation of a run
shares it, the next run starts fresh, and nothing stays behind in the process."""
from __future__ import annotations

import pickle

from llm_kit import fake, isolated, llm_settings, server  # noqa: F401  (fixtures)
from studio.library import Library
from studio.library.run_all import run_all
from studio.llm.client import complete
from studio.llm.session import ModelSession
from studio.runtime.options import RunOptions, run_with_models
from studio.simulate.result import SimulationResult

MSG = [{"role": "user", "content": "hello"}]


def test_every_simulation_of_a_run_all_shares_one_session_which_ends_with_the_run(
        sample_copy):
    from studio.core.project import load_project
    root = sample_copy("food-delivery")
    project = load_project(root)
    seen: list[ModelSession] = []

    def runner(project, simulation, *, options=None, cancel=None):
        seen.append(options.models)
        return SimulationResult(simulation=simulation.name, procedure=simulation.procedure,
                                status="passed")
    with Library.open(root) as library:
        run_all(project, library, runner=runner, concurrency=4)
        run_all(project, library, runner=runner, concurrency=4)
    first, second = seen[:len(seen) // 2], seen[len(seen) // 2:]
    assert len({id(s) for s in first}) == 1 and isinstance(first[0], ModelSession)
    assert len({id(s) for s in second}) == 1 and second[0] is not first[0]


def test_a_run_that_brings_its_own_session_keeps_it():
    mine = ModelSession()
    with run_with_models(RunOptions(models=mine)) as options:
        assert options.models is mine
    with run_with_models(None) as options:
        opened = options.models
        assert isinstance(opened, ModelSession)
    assert "models" not in RunOptions(models=mine).model_dump()      # never saved


def test_ending_a_run_closes_its_connections_and_cache(fake, tmp_path):
    run = ModelSession()
    cache = run.cache(tmp_path / "library.sqlite")
    assert complete(MSG, settings=llm_settings(fake), cache=cache, session=run).text
    client = run.http_client(fake.url)
    run.close()
    assert client.is_closed
    assert run.http_client(fake.url) is not client       # a closed run can still be reused


def test_a_session_sent_to_a_worker_process_arrives_fresh(fake):
    run = ModelSession()
    settings = llm_settings(fake)
    run.limiter(settings.model, settings.api_base, 8).on_rate_limit()
    copy = pickle.loads(pickle.dumps(RunOptions(models=run)))
    assert isinstance(copy.models, ModelSession) and copy.models is not run
    assert copy.models.limiter(settings.model, settings.api_base, 8).limit == 8

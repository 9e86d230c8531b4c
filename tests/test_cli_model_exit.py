"""A command that used a model ends without waiting on litellm's exit handlers, and loses
nothing doing so: its output is complete and its exit code is the command's."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from llm_kit import SAMPLE, agent_fake, isolated, server  # noqa: F401  (fixtures)

SIM = "damaged-no-photo-half-refund"


def test_simulate_on_a_model_prints_everything_and_exits_with_its_code(fake, sample_copy,
                                                                       tmp_path):
    root = sample_copy(SAMPLE)
    env = os.environ | {"LITELLM_LOCAL_MODEL_COST_MAP": "True",
                        "PROCEDURE_STUDIO_CONFIG_DIR": str(tmp_path / "config")}
    done = subprocess.run([sys.executable, "-m", "studio", "simulate", str(root), SIM, "--json",
                           "--model", "openai/fake-model", "--api-base", fake.url],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)                 # the whole JSON, flushed before the exit
    assert result["status"] == "passed" and result["engine"] == "openai/fake-model"
    assert fake.calls > 0

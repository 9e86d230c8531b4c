"""litellm stays out of start-up and offline work, is imported with the local cost
map switched on first, and its malicious releases can never be installed.

Each check runs in a fresh interpreter: in this one other tests import litellm.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if k != "LITELLM_LOCAL_MODEL_COST_MAP"}


def _python(code: str, *args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = ENV | {"PROCEDURE_STUDIO_CONFIG_DIR": str(tmp_path / "user-config")} | env
    return subprocess.run([sys.executable, *args, "-c", code], capture_output=True, text=True,
                          timeout=120, env=environment, cwd=tmp_path)


def test_offline_commands_never_import_litellm(sample_copy, tmp_path):
    root = sample_copy("food-delivery")
    code = (
        "import sys\n"
        "from studio.cli import main\n"
        f"root = {str(root)!r}\n"
        "import studio.llm, studio.llm.settings, studio.llm.keys, studio.llm.check, studio.llm.client\n"
        "import studio.runtime.model_brain, studio.simulate.model_customer, studio.simulate.model_judge\n"
        "import studio.simulate.suggest, studio.simulate.suggest_model, studio.llm.draft\n"
        "assert 'litellm' not in sys.modules, 'importing studio.llm modules imported litellm'\n"
        "codes = [main(['validate', root]), main(['simulate', root, 'damaged-photo-full-refund']),\n"
        "         main(['run-all', root, '-q']), main(['suggest', root, 'damaged-order', '-q'])]\n"
        "assert codes == [0, 0, 0, 0], codes\n"
        "assert 'litellm' not in sys.modules, 'an offline command imported litellm'\n"
        "print('clean')\n")
    done = _python(code, tmp_path=tmp_path)
    assert done.returncode == 0 and "clean" in done.stdout, done.stderr[-2000:]


@pytest.mark.gui
def test_opening_the_app_does_not_import_litellm(sample_copy, tmp_path):
    root = sample_copy("food-delivery")
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "studio", "open", str(root),
                           "--smoke"], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env=ENV | {"QT_QPA_PLATFORM": "offscreen",
                                     "PROCEDURE_STUDIO_CONFIG_DIR": str(tmp_path / "cfg")})
    assert done.returncode == 0, done.stderr[-2000:]
    imported = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert imported, "no -X importtime output"
    assert not [line for line in imported if "litellm" in line]


def test_litellm_is_imported_with_the_local_cost_map_set_first(tmp_path):
    code = (
        "import os, sys\n"
        "seen = {}\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'litellm' and 'at_import' not in seen:\n"
        "            seen['at_import'] = os.environ.get('LITELLM_LOCAL_MODEL_COST_MAP')\n"
        "        return None\n"
        "sys.meta_path.insert(0, Spy())\n"
        "from studio.llm.client import complete\n"
        "from studio.llm.settings import LLMSettings\n"
        "assert 'litellm' not in sys.modules\n"
        "settings = LLMSettings(model='openai/gpt-4o-mini', api_key='unit-test-key', retries=0)\n"
        "reply = complete([{'role': 'user', 'content': 'hi'}], settings=settings,\n"
        "                 mock_response='hello')\n"
        "assert reply.text == 'hello'\n"
        "print('cost map at import:', seen.get('at_import'))\n")
    done = _python(code, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "cost map at import: True" in done.stdout


def test_the_malicious_litellm_releases_are_excluded():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [Requirement(d) for d in project["dependencies"] if Requirement(d).name == "litellm"]
    assert len(pins) == 1, "litellm must be a dependency exactly once"
    specifier = pins[0].specifier
    assert not specifier.contains("1.82.7", prereleases=True)
    assert not specifier.contains("1.82.8", prereleases=True)
    from importlib.metadata import version
    assert specifier.contains(version("litellm"), prereleases=True)   # what we test is allowed


def test_an_import_stopped_half_way_leaves_nothing_half_run(tmp_path):
    """A timeout or Ctrl+C in the middle of litellm's first import must not break every
    later model call with "partially initialized module 'litellm'"."""
    code = (
        "import importlib.abc, sys\n"
        "from studio.llm.client import import_litellm\n"
        "class Stop(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'litellm.main':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n"
        "try:\n"
        "    import_litellm()\n"
        "except KeyboardInterrupt:\n"
        "    pass\n"
        "left = [n for n in sys.modules if n == 'litellm' or n.startswith('litellm.')]\n"
        "assert not left, left[:5]\n"
        "sys.meta_path.pop(0)\n"
        "litellm = import_litellm()\n"
        "assert callable(litellm.completion) and litellm.utils.EmbeddingResponse\n"
    )
    done = _python(code, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]

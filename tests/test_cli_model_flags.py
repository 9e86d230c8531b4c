"""--model and --api-base come from one helper on every command that talks to a model,
yet each command keeps its own flag names, metavars, help and defaults (a contract
scripts and the README rely on) and its parsed values."""
from __future__ import annotations

import argparse

import pytest

from studio.cli import build_parser

ENGINE = "engine: 'offline' or a litellm model id"
API_BASE = "base URL of an OpenAI-compatible server"

EXPECTED = {
    "simulate": {"model": ("--model", None, ENGINE),
                 "api_base": ("--api-base", None, "the model server's URL (overrides studio.yaml)")},
    "run-all": {"model": ("--model", "M", ENGINE), "api_base": ("--api-base", "URL", API_BASE)},
    "draft": {"model": ("--model", "M", "litellm model id (overrides studio.yaml)"),
              "api_base": ("--api-base", "URL", API_BASE)},
    "suggest": {"model": ("--model", "M", "also ask this model for edge cases"),
                "api_base": ("--api-base", "URL", API_BASE)},
}


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


@pytest.mark.parametrize("command", sorted(EXPECTED))
def test_model_flags_keep_their_names_metavars_help_and_defaults(command):
    actions = {a.dest: a for a in _commands()[command]._actions}
    for dest, (flag, metavar, help_text) in EXPECTED[command].items():
        action = actions[dest]
        assert (action.option_strings, action.metavar, action.help) == ([flag], metavar, help_text)
        assert action.default is None and not action.required and action.nargs is None


def test_simulate_and_run_all_usage_lines_are_unchanged():
    commands = _commands()
    assert "[--model MODEL] [--api-base API_BASE]" in " ".join(commands["simulate"].format_usage().split())
    assert "[--model M] [--api-base URL]" in " ".join(commands["run-all"].format_usage().split())


@pytest.mark.parametrize("argv", [["simulate", "proj", "sim"], ["run-all", "proj"]])
def test_parsed_values_reach_the_command(argv):
    parser = build_parser()
    args = parser.parse_args(argv + ["--model", "openai/x", "--api-base", "http://127.0.0.1:1/v1"])
    assert (args.model, args.api_base) == ("openai/x", "http://127.0.0.1:1/v1")
    plain = parser.parse_args(argv)
    assert (plain.model, plain.api_base, plain.no_cache) == (None, None, False)

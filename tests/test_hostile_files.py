"""Issue 11 item 2: one small hostile file is a clear problem in that file and never
takes the rest of the project down (validate and run-all)."""
from __future__ import annotations

import time
import tracemalloc

from studio.cli import main
from studio.core.project import load_project
from studio.core.validate import validate_project
from studio.core.yaml_io import YamlError, parse_yaml

LONG_SUM = "x = " + "+".join(["1"] * 1000)


def _procedure(root, code: str) -> None:
    (root / "procedures" / "deep.yaml").write_text(
        "schema: procedure/v1\nid: deep\ntitle: Deep sums\n"
        "trigger: {description: deep sums, examples: [\"please add up the deep sums\"]}\n"
        "steps:\n"
        f"  - {{id: add, kind: code, code: \"{code}\"}}\n"
        "  - {id: done, kind: end, outcome: resolved, say: \"{{ x }}\"}\n")
    (root / "simulations" / "deep-sums.yaml").write_text(
        "schema: simulation/v1\nname: Deep sums\nprocedure: deep\n"
        "customer: {script: [\"please add up the deep sums\"]}\nexpect: {outcome: resolved}\n")


def test_validate_reports_a_1000_term_snippet_at_its_file_and_line(sample_copy, capsys):
    root = sample_copy("food-delivery")
    _procedure(root, LONG_SUM)
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr()
    assert "internal error" not in out.err and "RecursionError" not in out.out + out.err
    assert "procedures/deep.yaml:6:" in out.out
    assert "nests more than 100 levels deep" in out.out and "[step add]" in out.out


def test_run_all_keeps_every_other_simulation_running_beside_a_1000_term_snippet(sample_copy, capsys):
    root = sample_copy("food-delivery")
    _procedure(root, LONG_SUM)
    code = main(["run-all", str(root), "--quiet"])
    out = capsys.readouterr().out
    assert code == 2, out                                   # the one broken simulation is an error
    assert "22/22 run, 21 passed, 0 failed, 1 errors" in out
    assert "engine fault" not in out


def test_a_yaml_file_nested_500_deep_is_reported_with_its_file_and_line(sample_copy, capsys):
    root = sample_copy("food-delivery")
    (root / "connectors" / "nested.yaml").write_text(
        "schema: connector/v1\nid: nested\nsample:\n  deep: " + "[" * 500 + "]" * 500 + "\n")
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr()
    assert "RecursionError" not in out.out + out.err
    assert "connectors/nested.yaml:4:" in out.out and "nests deeper than 100 levels" in out.out
    assert "hint: flatten it" in out.out


ALIAS_BOMB = "".join(
    [f"l0: &l0 [{', '.join(['lol'] * 9)}]\n"]
    + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)])


def test_an_alias_bomb_in_a_fixture_is_refused_in_a_moment_with_little_memory(sample_copy, capsys):
    root = sample_copy("food-delivery")
    bomb = ALIAS_BOMB.replace("\n", "\n      ").replace("l0:", "      l0:", 1)
    (root / "simulations" / "bomb.yaml").write_text(
        "schema: simulation/v1\nname: Bomb\nprocedure: damaged-order\n"
        "customer: {script: [\"my pizza arrived crushed\"]}\n"
        "fixtures:\n  connectors:\n    get_order:\n" + bomb + "\n")
    tracemalloc.start()
    started = time.monotonic()
    try:
        assert main(["validate", str(root)]) == 1
        assert main(["run-all", str(root), "--quiet"]) == 2
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 30
    assert peak < 200_000_000
    out = capsys.readouterr().out
    assert "simulations/bomb.yaml:" in out and "expand the file to more than 200,000 values" in out
    assert "21/21 run, 21 passed" in out                    # the other simulations still ran


def test_run_all_gives_the_same_hint_as_validate_for_a_file_that_breaks_a_limit(sample_copy, capsys):
    root = sample_copy("food-delivery")
    (root / "simulations" / "bomb.yaml").write_text("schema: simulation/v1\nname: Bomb\n" + ALIAS_BOMB)
    assert main(["run-all", str(root), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "simulations/bomb.yaml:" in err and "hint: an alias (*name) repeats a whole block" in err
    assert "fix the indentation or quoting" not in err      # was: the generic hint for syntax errors


def test_an_alias_that_loops_back_into_its_own_block_is_an_error():
    try:
        parse_yaml("a: &a {b: *a}\n")
    except YamlError as exc:
        assert "(a loop)" in exc.message and exc.line == 1
    else:
        raise AssertionError("a self-referencing alias loaded")


def test_ordinary_aliases_and_merge_keys_still_load():
    data, _ = parse_yaml("base: &b {plan: pro}\nvip: {<<: *b, city: London}\nagain: *b\n", fast=True)
    assert data["vip"] == {"plan": "pro", "city": "London"} and data["again"] == {"plan": "pro"}


def test_a_file_over_the_size_limit_is_one_clear_problem(sample_copy):
    root = sample_copy("food-delivery")
    (root / "knowledge" / "x.md").unlink(missing_ok=True)
    (root / "simulations" / "huge.yaml").write_text(
        "schema: simulation/v1\nname: Huge\nprocedure: damaged-order\ndescription: \"" + "a" * 2_100_000 + "\"\n")
    problems = [p for p in validate_project(load_project(root)) if p.file == "simulations/huge.yaml"]
    assert [(p.line, p.severity.value) for p in problems] == [(1, "error")]
    assert "characters long; the limit is 2,000,000" in problems[0].message


def test_a_flow_list_deeper_than_libyaml_reads_is_a_limit_error_not_a_recursion():
    for fast in (True, False):
        try:
            parse_yaml("k: " + "[" * 2400 + "]" * 2400, fast=fast)
        except YamlError as exc:
            assert "nests deeper than 100 levels" in exc.message and exc.line == 1
        else:
            raise AssertionError("a 2,400-deep list loaded")


def test_pasting_hostile_yaml_as_steps_pastes_nothing_at_once():
    from studio.document.clipboard import steps_from_yaml
    started = time.monotonic()
    assert steps_from_yaml(ALIAS_BOMB, set()) == []
    assert steps_from_yaml("- " + "[" * 3000 + "]" * 3000, set()) == []
    assert time.monotonic() - started < 5

"""Issue 12 §4: one YAML stack. ruamel.yaml reads every file and gives every position;
the data read is what the files have always meant (PyYAML's YAML 1.1 reading, dates
as text), and reading, validating and saving run without PyYAML."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from studio.core.project import load_project, model_from_text
from studio.core.simulation import Simulation
from studio.core.validate import validate_project
from studio.core.yaml_io import YamlError, parse_yaml

ROOT = Path(__file__).resolve().parents[1]


class _DatesAsText(yaml.SafeLoader):
    """The reading the project always had: PyYAML's safe loader, dates kept as text."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)

SCALARS = ["yes", "No", "ON", "off", "y", "n", "true", "1e3", "1.5e+3", "010", "0o17", "0x1F", "-0x1f",
           "0b101", "1_000", "190:20:30", "1:20.5", ".5", "+.5", "-.inf", ".NaN", "3.", "~", "null",
           "Null", "", "2024-05-01", "2024-05-01 10:20:30", "<<x", "+1", "-0", "007", "09"]


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("sample_projects/*/**/*.yaml")))
def test_every_sample_file_reads_as_it_always_did(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    assert parse_yaml(text)[0] == yaml.load(text, Loader=_DatesAsText)


def test_plain_scalars_keep_their_yaml_1_1_meaning():
    text = "".join(f"k{i}: {s}\n" for i, s in enumerate(SCALARS))
    text += "list: [" + ", ".join(s or "''" for s in SCALARS) + "]\n"
    assert repr(parse_yaml(text)[0]) == repr(yaml.load(text, Loader=_DatesAsText))     # nan != nan


def test_a_key_written_twice_keeps_the_last_and_is_placed_on_the_second():
    _, _, problems = model_from_text(
        Simulation, "schema: simulation/v1\nname: One\nprocedure: p\nname: Two\n"
                    "customer: {script: [hi]}\n", "simulations/x.yaml")
    model, _, _ = model_from_text(
        Simulation, "schema: simulation/v1\nname: One\nprocedure: p\nname: Two\ncustomer: {script: [hi]}\n",
        "simulations/x.yaml")
    assert model.name == "Two"
    assert [(p.code, p.line, p.column) for p in problems] == [("duplicate-key", 4, 1)]


def test_an_expression_error_inside_a_block_scalar_lands_on_its_own_line_and_column(sample_copy):
    """In-text positions came from the pure loader's buffer; they now come from the file
    text beside the same nodes, whichever parser read them."""
    root = sample_copy("food-delivery")
    (root / "procedures" / "blocky.yaml").write_text(
        "schema: procedure/v1\nid: blocky\ntitle: Blocky\n"
        "trigger: {description: blocky things, examples: [\"a blocky thing\"]}\n"
        "steps:\n"
        "  - id: add\n"
        "    kind: code\n"
        "    code: |\n"
        "      x = 1\n"
        "      y = import_me(\n"
        "  - {id: done, kind: end, outcome: resolved, say: \"done\"}\n")
    problems = [p for p in validate_project(load_project(root)) if p.file == "procedures/blocky.yaml"
                and p.severity.value == "error"]
    assert [(p.code, p.line, p.column, p.step) for p in problems] == [("snippet-syntax", 10, 20, "add")]


def test_a_syntax_error_names_line_and_column_from_the_same_stack():
    _, _, problems = model_from_text(Simulation, "schema: simulation/v1\nname: [unclosed\n", "simulations/x.yaml")
    assert [(p.code, p.line) for p in problems] == [("yaml", 3)]
    assert problems[0].message.startswith("YAML syntax error: ")


def test_loading_validating_and_saving_a_project_never_import_pyyaml(sample_copy):
    root = sample_copy("food-delivery")
    script = (
        "import sys; sys.modules['yaml'] = None\n"       # any `import yaml` now fails
        "from studio.core.project import load_project\n"
        "from studio.core.validate import validate_project\n"
        f"project = load_project({str(root)!r})\n"
        "assert project.simulations and not project.load_problems, project.load_problems\n"
        "validate_project(project)\n"
        "proc = next(iter(project.procedures.values()))\n"
        "project.save_procedure(proc.model_copy(update={'title': proc.title + ' (edited)'}))\n"
        "assert '(edited)' in load_project(project.root).procedures[proc.id].title\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_pasted_steps_read_as_a_file_would():
    """The clipboard reads through the same stack: a date stays text, as in a procedure
    file (PyYAML's safe_load made it a date no text field took, and nothing pasted)."""
    from studio.document.clipboard import steps_from_yaml
    pasted = steps_from_yaml("- {id: a, kind: instruction, text: 2024-05-01}\n", set())
    assert [(s.kind, s.text) for s in pasted] == [("instruction", "2024-05-01")]


def test_user_model_settings_read_through_the_same_stack(tmp_path):
    from studio.llm.settings import load_user_settings
    path = tmp_path / "settings.yaml"
    path.write_text("model: {api_base: 'http://localhost:11434', timeout: 120}\n")
    assert load_user_settings(path) == {"api_base": "http://localhost:11434", "timeout": 120}
    path.write_text("model: {api_base: [unclosed\n")
    assert load_user_settings(path) == {}


@pytest.mark.parametrize("text, message, line, column", [
    ("a: &x 1\nb: &x 2\nc: *x\n",
     "YAML syntax error: second occurrence (found duplicate anchor 'x'; first occurrence that starts on line 1)",
     2, 4),
    ("a: 1\n...\nb\n", "YAML syntax error: expected '<document start>', but found '<scalar>'", 3, 1),
    ("a:\n\tb: 1\n", "YAML syntax error: found character '\\t' that cannot start any token "
                     "(while scanning for the next token)", 2, 1),
    ("steps:\n  - id: a\n    kind: say\n   text: hi\n",
     "YAML syntax error: expected <block end>, but found '<block mapping start>' "
     "(while parsing a block collection that starts on line 2)", 4, 4),
])
def test_syntax_errors_keep_the_words_and_positions_they_had(text, message, line, column):
    """Worded by the pure parser as before; two places where ruamel differs from the old
    reader (a reused anchor only warned; a token shown as a tuple) say what they said."""
    with pytest.raises(YamlError) as caught:
        parse_yaml(text)
    assert (caught.value.message, caught.value.line, caught.value.column) == (message, line, column)


def test_a_bad_explicit_tag_is_a_yaml_problem_not_a_crash():
    _, _, problems = model_from_text(Simulation, "schema: simulation/v1\nname: !!int x\n", "simulations/x.yaml")
    assert [(p.code, p.message) for p in problems] == [
        ("yaml", "YAML error: invalid literal for int() with base 10: 'x'")]

"""`studio validate`, `studio new` and `studio schema`: output and exit codes."""
from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
import yaml

from studio.cli import main
from studio.core.samples import sample_names, samples_root
from studio.core.schema_export import SCHEMA_KINDS, json_schema
from validate_builder import edit, write_project

P = "procedures/damaged-order.yaml"


def test_validate_clean_project_exits_0(tmp_path, capsys):
    assert main(["validate", str(write_project(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "Test shop: no problems (3 procedures, 2 connectors, 1 article, 1 simulation)" in out


def test_validate_warnings_only_exits_0(tmp_path, capsys):
    root = write_project(tmp_path, edit(P, "say: \"Refunded {{ refund }}.\"", "say: \"Refunded {{ refnd }}.\""))
    assert main(["validate", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"{P}:38:" in out and ": warning: 'refnd' is read by this template" in out
    assert "[step done]" in out and "hint: did you mean 'refund'?" in out
    assert "0 errors, 1 warning in 1 file" in out


def test_validate_errors_exit_1_grouped_by_file(tmp_path, capsys):
    changes = edit(P, "connector: get_order", "connector: get_ordr") | \
        edit("simulations/crushed.yaml", "segment: vip", "segment: vipp")
    assert main(["validate", str(write_project(tmp_path, changes))]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"{P}:21:16: error: unknown connector 'get_ordr' [step lookup]"
    assert lines[1] == "    hint: did you mean 'get_order'?"
    assert lines[2] == ""                       # a blank line between files
    assert lines[3].startswith("simulations/crushed.yaml:5:12: error: unknown customer segment")
    assert lines[-1].startswith("Test shop: 2 errors, 0 warnings in 2 files")


def test_validate_json(tmp_path, capsys):
    changes = edit(P, "connector: get_order", "connector: get_ordr")
    assert main(["validate", "--json", str(write_project(tmp_path, changes))]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "problems/v1"
    assert data["problems"] == [{
        "severity": "error", "code": "unknown-connector", "message": "unknown connector 'get_ordr'",
        "file": P, "line": 21, "column": 16, "procedure": "damaged-order", "step": "lookup",
        "hint": "did you mean 'get_order'?"}]


def test_validate_json_clean_has_no_problems(tmp_path, capsys):
    assert main(["validate", str(write_project(tmp_path)), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"schema": "problems/v1", "problems": []}


def test_validate_not_a_folder_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().out


def test_validate_folder_without_studio_yaml_is_an_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 1
    assert "studio.yaml is missing" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["food-delivery", "card-payments", "subscriptions"])
def test_validate_samples_exit_0(name, capsys):
    assert main(["validate", str(samples_root() / name)]) == 0


def test_new_empty_project(tmp_path, capsys):
    target = tmp_path / "fresh-bites"
    assert main(["new", str(target)]) == 0
    assert (target / "studio.yaml").read_text() == "schema: studio/v1\nname: Fresh bites\n"
    for folder in ("procedures", "connectors", "knowledge", "simulations", "attachments"):
        assert (target / folder).is_dir()
    assert main(["validate", str(target)]) == 0


def test_new_into_existing_empty_folder(tmp_path):
    assert main(["new", str(tmp_path), "--name", "Shop"]) == 0
    assert "name: Shop" in (tmp_path / "studio.yaml").read_text()


def test_new_refuses_non_empty_target(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    assert main(["new", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert not (tmp_path / "studio.yaml").exists()


def test_new_from_sample_copies_without_library(tmp_path, capsys):
    name = sample_names()[0]
    target = tmp_path / "copy"
    assert main(["new", str(target), "--sample", name]) == 0
    assert (target / "studio.yaml").exists() and not (target / "library.sqlite").exists()
    assert sorted(p.name for p in (target / "procedures").iterdir()) == \
        sorted(p.name for p in (samples_root() / name / "procedures").iterdir())
    assert main(["validate", str(target)]) == 0


def test_new_unknown_sample_lists_samples(tmp_path, capsys):
    assert main(["new", str(tmp_path / "x"), "--sample", "pizza"]) == 2
    err = capsys.readouterr().err
    assert "unknown sample 'pizza'" in err and "food-delivery" in err
    assert not (tmp_path / "x").exists()


def test_schema_to_stdout(capsys):
    assert main(["schema", "procedure"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "Procedure" and "steps" in data["properties"]
    assert main(["schema"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == set(SCHEMA_KINDS)


def test_schema_out_dir(tmp_path, capsys):
    assert main(["schema", "--out", str(tmp_path / "schemas")]) == 0
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted(f"{k}.schema.json" for k in SCHEMA_KINDS)


def test_schema_unknown_kind_is_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["schema", "widget"])
    assert info.value.code == 2


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_schema_is_valid_json_schema_with_descriptions(kind):
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["description"]
    described = [p for p in schema["properties"].values() if p.get("description")]
    assert len(described) >= len(schema["properties"]) - 1


def _kind_of(rel: str) -> str:
    return {"procedures": "procedure", "connectors": "connector", "simulations": "simulation"}.get(
        rel.split("/")[0], "studio")


def test_sample_files_validate_against_the_schemas():
    validators = {k: jsonschema.Draft202012Validator(json_schema(k)) for k in SCHEMA_KINDS}
    checked = 0
    for name in sample_names():
        root = samples_root() / name
        for path in [root / "studio.yaml", *root.glob("*/*.yaml")]:
            rel = path.relative_to(root).as_posix()
            errors = list(validators[_kind_of(rel)].iter_errors(yaml.safe_load(path.read_text())))
            assert not errors, (name, rel, errors[0].message)
            checked += 1
    assert checked > 20


def test_schema_rejects_typos_and_unknown_kinds():
    validator = jsonschema.Draft202012Validator(json_schema("procedure"))
    bad_field = {"schema": "procedure/v1", "id": "p", "steps": [{"id": "a", "kind": "end", "outcom": "x"}]}
    bad_kind = {"schema": "procedure/v1", "id": "p", "steps": [{"id": "a", "kind": "ending"}]}
    assert list(validator.iter_errors(bad_field)) and list(validator.iter_errors(bad_kind))
    ok = {"id": "p", "steps": [{"id": "a", "kind": "checkpoint", "mode": "approval", "when": True}]}
    assert not list(validator.iter_errors(ok))


def test_module_entry_point(tmp_path):
    result = subprocess.run([sys.executable, "-m", "studio", "validate", str(write_project(tmp_path))],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_new_help_lists_the_samples(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["new", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code == 0
    assert "copy this sample project: card-payments, food-delivery, subscriptions" in out

"""The lead's path from the CLI on the food-delivery sample, one "Done when" sentence of the
review issue per test: see what changed since the last approval, approval refused while a
simulation fails (named) and granted after the fix, production refused before staging, an
edited knowledge article shows the procedure as changed, the export holds only what is
approved and what it uses, and bundles verify (or fail naming the file)."""
from __future__ import annotations

import json
import shutil
import zipfile

import keyring
import pytest

from govern_kit import edit, flip_byte_inside, rezip, studio, studio_json
from studio.cli import main
from llm_kit import MemoryKeyring

FAILS_AT_80 = "With no approval fixture the checkpoint is approved by default"


@pytest.fixture
def food(sample_copy, capsys):
    root = sample_copy("food-delivery")
    assert studio(capsys, "run-all", root, "--quiet")[0] == 0
    return root


def approve_both(capsys, root, *procedures):
    for proc in procedures:
        for env in ("staging", "production"):
            code, out = studio(capsys, "approve", root, proc, "--environment", env)
            assert code == 0, out


def test_a_lead_sees_what_changed_since_the_last_approval(food, capsys):
    approve_both(capsys, food, "damaged-order")
    proc = food / "procedures" / "damaged-order.yaml"
    proc.write_text("# a comment and a blank line change nothing\n\n" + proc.read_text())
    code, out = studio(capsys, "diff", food, "damaged-order")
    assert code == 0 and "no changes" in out

    edit(proc, "when: refund > 50", "when: refund > 80")
    code, out = studio(capsys, "diff", food, "damaged-order")
    assert code == 0
    assert "approved for production" in out and "(working files)" in out
    assert "step approve (checkpoint)" in out and "when: 'refund > 50' -> 'refund > 80'" in out
    code, data = studio_json(capsys, "diff", food, "damaged-order")
    assert data["schema"] == "diff/v1" and data["changed"]
    step = data["items"][0]["steps"][0]
    assert (step["id"], step["status"], step["fields"]) == (
        "approve", "changed", [{"field": "when", "old": "refund > 50", "new": "refund > 80"}])


def test_steps_added_removed_and_moved_are_named_by_id(food, capsys):
    proc = food / "procedures" / "late-delivery.yaml"
    studio(capsys, "run-all", food, "--quiet")
    edit(proc, "  - id: lookup\n", "  - id: greet\n    kind: instruction\n    text: Say hello.\n"
                                   "  - id: lookup\n")
    code, data = studio_json(capsys, "diff", food, "late-delivery", "staging"[:0] or "working")
    assert code == 0 and not data["changed"]                      # working against itself
    code, data = studio_json(capsys, "revisions", food, "late-delivery")
    first = data["revisions"][0]["revision"]
    assert data["schema"] == "revisions/v1" and data["revisions"][-1]["working"]
    code, data = studio_json(capsys, "diff", food, "late-delivery", first[:8])
    steps = {s["id"]: s for s in data["items"][0]["steps"]}
    assert steps["greet"]["status"] == "added" and steps["greet"]["where"] == "top level"
    code, out = studio(capsys, "diff", food, "late-delivery", "working", first[:8])
    assert code == 0 and "- step greet (instruction) removed from top level" in out


def test_approval_is_refused_while_a_simulation_fails_and_granted_after_the_fix(food, capsys):
    proc = food / "procedures" / "damaged-order.yaml"
    edit(proc, "when: refund > 50", "when: refund > 80")
    code, out = studio(capsys, "approve", food, "damaged-order")
    assert code == 1 and "has not run on this revision" in out      # evidence must be of this revision
    assert studio(capsys, "run-all", food, "--quiet")[0] == 1
    code, data = studio_json(capsys, "approve", food, "damaged-order")
    assert code == 1 and data["schema"] == "approve/v1" and not data["approved"]
    assert [r for r in data["reasons"] if FAILS_AT_80 in r and "failed in run 2" in r]
    assert not (food / "approvals").exists()

    edit(proc, "when: refund > 80", "when: refund > 50.0")           # the fix: a new revision
    code, out = studio(capsys, "approve", food, "damaged-order", "--comment", "threshold back")
    assert code == 1 and "has not run on this revision" in out
    assert studio(capsys, "run-all", food, "--quiet", "--procedure", "damaged-order")[0] == 0
    code, out = studio(capsys, "approve", food, "damaged-order", "--comment", "threshold back",
                       "--by", "Dana Reviewer")
    assert code == 0 and "approved damaged-order" in out
    text = (food / "approvals" / "staging" / "damaged-order.yaml").read_text()
    assert "schema: approval/v1" in text and "approved_by: Dana Reviewer" in text
    assert "comment: threshold back" in text and "passed: 12" in text


def test_a_procedure_with_no_simulation_cannot_be_approved(food, capsys):
    (food / "procedures" / "lost-bag.yaml").write_text(
        "schema: procedure/v1\nid: lost-bag\ntitle: Lost bag\ntrigger:\n  examples: [my bag is lost]\n"
        "steps:\n  - {id: sorry, kind: end, outcome: handoff, say: A teammate will help.}\n")
    code, out = studio(capsys, "approve", food, "lost-bag")
    assert code == 1 and "no simulation exercises lost-bag" in out


def test_production_is_refused_before_staging(food, capsys):
    code, out = studio(capsys, "approve", food, "cancel-order", "--environment", "production")
    assert code == 1 and "not approved for staging yet" in out
    assert studio(capsys, "approve", food, "cancel-order")[0] == 0             # staging first
    assert studio(capsys, "approve", food, "cancel-order", "--environment", "production")[0] == 0
    assert studio(capsys, "approve", food, "cancel-order", "--environment", "qa")[0] == 2
    code, out = studio(capsys, "export", food, "--environment", "qa")
    assert code == 2 and "unknown environment 'qa'" in out            # bad input, not refused
    assert studio(capsys, "approve", food, "no-such-procedure")[0] == 2


def test_editing_a_used_article_shows_the_procedure_as_changed_since_approval(food, capsys):
    approve_both(capsys, food, "damaged-order", "late-delivery")
    code, data = studio_json(capsys, "status", food)
    states = {p["id"]: p["environments"]["production"]["state"] for p in data["procedures"]}
    assert data["schema"] == "status/v1"
    assert states == {"cancel-order": "never approved", "complaints": "never approved",
                      "damaged-order": "approved", "late-delivery": "approved"}
    article = food / "knowledge" / "refund-policy.md"
    article.write_text(article.read_text() + "\nRefunds over £80 need a supervisor.\n")
    code, data = studio_json(capsys, "status", food)
    states = {p["id"]: p["environments"]["staging"]["state"] for p in data["procedures"]}
    assert states["damaged-order"] == "changed since approval"
    assert states["late-delivery"] == "approved"                 # it does not use that article
    code, out = studio(capsys, "diff", food, "damaged-order")
    assert "knowledge refund-policy: changed" in out and "+Refunds over £80" in out
    code, out = studio(capsys, "status", food)
    assert code == 0 and "changed since approval" in out


def test_export_holds_only_approved_procedures_and_what_they_use(food, capsys, tmp_path):
    approve_both(capsys, food, "damaged-order")
    out_file = tmp_path / "b.zip"
    code, out = studio(capsys, "export", food, "--out", out_file)
    assert code == 1 and not out_file.exists()
    assert "damaged-order uses complaints" in out and "not approved for production" in out

    approve_both(capsys, food, "complaints")
    code, data = studio_json(capsys, "export", food, "--out", tmp_path)
    assert code == 0 and data["schema"] == "export/v1"
    bundle = tmp_path / data["file"].rsplit("/", 1)[-1]
    assert bundle.name.startswith("fresh-bites-support-") and bundle.name.endswith(
        ".studio-bundle.zip")
    names = set(zipfile.ZipFile(bundle).namelist())
    assert {n for n in names if n.startswith("procedures/")} == {
        "procedures/damaged-order.yaml", "procedures/complaints.yaml"}
    assert {n for n in names if n.startswith("connectors/")} == {
        "connectors/get_order.yaml", "connectors/issue_refund.yaml", "connectors/issue_voucher.yaml"}
    assert {n for n in names if n.startswith("knowledge/")} == {
        "knowledge/refund-policy.md", "knowledge/complaints-policy.md"}
    assert {"manifest.json", "procedures.md", "studio.yaml", "schemas/procedure.schema.json",
            "approvals/production/damaged-order.yaml"} <= names
    assert "simulations/damaged-photo-full-refund.yaml" in names
    assert not [n for n in names if "late" in n and n.startswith("simulations/")]
    manifest = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))
    assert manifest["schema"] == "bundle/v1" and manifest["environment"] == "production"
    assert set(manifest["files"]) == names - {"manifest.json"}
    assert {p["id"] for p in manifest["procedures"]} == {"damaged-order", "complaints"}
    sop = zipfile.ZipFile(bundle).read("procedures.md").decode()
    assert "**If** the order's status is “delivered”" in sop and "**Otherwise:**" in sop
    assert "**Approval checkpoint:**" in sop and "**Handoff:**" in sop
    assert "Only if the refund is more than 50" in sop
    assert [n["id"] for n in data["excluded"]] == ["cancel-order", "late-delivery"]


def test_an_edit_after_approval_exports_the_approved_revision(food, capsys, tmp_path):
    approve_both(capsys, food, "damaged-order", "complaints")
    edit(food / "procedures" / "damaged-order.yaml", "when: refund > 50", "when: refund > 80")
    code, out = studio(capsys, "export", food, "--out", tmp_path / "b.zip")
    assert code == 0 and "changed since its approval" in out
    text = zipfile.ZipFile(tmp_path / "b.zip").read("procedures/damaged-order.yaml").decode()
    assert "refund > 50" in text and "refund > 80" not in text


def test_a_bundle_verifies_with_the_project_folder_deleted_and_fails_naming_a_changed_file(
        food, capsys, tmp_path):
    approve_both(capsys, food, "damaged-order", "complaints")
    bundle = tmp_path / "b.zip"
    assert studio(capsys, "export", food, "--out", bundle)[0] == 0
    shutil.rmtree(food)
    code, data = studio_json(capsys, "bundle", "verify", bundle)
    assert code == 0 and data["schema"] == "bundle-verify/v1" and data["ok"]
    assert len({r["simulation"] for r in data["reruns"]}) == 12
    assert all(r["expected"] == r["actual"] == "passed" for r in data["reruns"])

    damaged = tmp_path / "damaged.zip"
    flip_byte_inside(bundle, "procedures/complaints.yaml", damaged)
    code, out = studio(capsys, "bundle", "verify", damaged)
    assert code == 1 and "procedures/complaints.yaml" in out and "NOT verified" in out

    edited = tmp_path / "edited.zip"                      # a consistent zip: only the hash tells
    rezip(bundle, edited, {"knowledge/refund-policy.md": b"Refund everything.\n"})
    code, data = studio_json(capsys, "bundle", "verify", edited)
    assert code == 1 and data["problems"] == [
        "knowledge/refund-policy.md: sha256 does not match the manifest (changed after export)"]

    code, data = studio_json(capsys, "bundle", "show", bundle)
    assert code == 0 and data["schema"] == "bundle-show/v1" and not data["signed"]
    assert {p["id"] for p in data["procedures"]} == {"damaged-order", "complaints"}
    not_a_bundle = tmp_path / "x.zip"
    not_a_bundle.write_text("hello")
    assert studio(capsys, "bundle", "verify", not_a_bundle)[0] == 2


@pytest.fixture
def store():
    """The OS keyring replaced by one in memory for the test, then put back."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_a_signed_bundle_names_its_signer_and_a_changed_manifest_breaks_the_signature(
        food, capsys, tmp_path, store):
    approve_both(capsys, food, "damaged-order", "complaints")
    bundle = tmp_path / "signed.zip"
    code, data = studio_json(capsys, "export", food, "--out", bundle, "--sign")
    assert code == 0 and data["signer"]
    secret = store.store[("procedure-studio", "bundle-signing-key")]
    assert secret.encode() not in bundle.read_bytes()                 # only the public key goes out
    code, out = studio(capsys, "bundle", "verify", bundle, "--public-key", data["signer"], "--no-rerun")
    assert code == 0 and f"signature: valid (signer {data['signer']})" in out
    assert studio(capsys, "bundle", "verify", bundle, "--public-key", "0" * 16, "--no-rerun")[0] == 1

    manifest = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))
    manifest["environment"] = "staging"
    forged = tmp_path / "forged.zip"
    rezip(bundle, forged, {"manifest.json": json.dumps(manifest, indent=2).encode()})
    code, out = studio(capsys, "bundle", "verify", forged)
    assert code == 1 and "manifest.json: the signature does not match" in out


def test_signing_without_a_keyring_is_refused_with_the_reason(food, capsys, tmp_path):
    approve_both(capsys, food, "damaged-order", "complaints")
    code, out = studio(capsys, "export", food, "--out", tmp_path / "b.zip", "--sign")
    assert code == 2 and "cannot sign" in out and "keyring" in out
    assert not (tmp_path / "b.zip").exists()


@pytest.mark.parametrize("sample", ["food-delivery", "card-payments", "subscriptions"])
def test_each_sample_goes_from_run_to_a_verified_bundle(sample, sample_copy, capsys, tmp_path):
    root = sample_copy(sample)
    assert studio(capsys, "run-all", root, "--quiet")[0] == 0
    procedures = sorted(p.stem for p in (root / "procedures").glob("*.yaml"))
    approve_both(capsys, root, *procedures)
    code, data = studio_json(capsys, "status", root)
    assert {p["environments"]["production"]["state"] for p in data["procedures"]} == {"approved"}
    bundle = tmp_path / "b.zip"
    assert studio(capsys, "export", root, "--out", bundle)[0] == 0
    shutil.rmtree(root)
    code, data = studio_json(capsys, "bundle", "verify", bundle)
    assert code == 0 and data["reruns"] and all(r["same"] for r in data["reruns"])


def test_runs_diff_names_the_edit_that_caused_a_regression(food, capsys):
    edit(food / "procedures" / "damaged-order.yaml", "when: refund > 50", "when: refund > 80")
    assert studio(capsys, "run-all", food, "--quiet")[0] == 1
    code, out = studio(capsys, "runs", "diff", food)
    assert code == 1
    assert f"{FAILS_AT_80}: caused by the edit: approve.when: 'refund > 50' -> 'refund > 80'" in out
    code = main(["runs", "diff", str(food), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["causes"] == {FAILS_AT_80: "approve.when: 'refund > 50' -> 'refund > 80'"}


def test_a_broken_approval_file_is_named_with_its_line_and_stops_the_export(food, capsys, tmp_path):
    approve_both(capsys, food, "damaged-order", "complaints")
    (food / "approvals" / "production" / "complaints.yaml").write_text(
        "schema: approval/v1\nprocedure: complaints\nrevision: 12\n")
    code, out = studio(capsys, "export", food, "--out", tmp_path / "b.zip")
    assert code == 2 and "approvals/production/complaints.yaml:3:" in out
    assert not (tmp_path / "b.zip").exists()
    code, out = studio(capsys, "status", food)
    assert code == 2 and "approvals/production/complaints.yaml" in out

"""Revisions cover what a procedure uses, the library keeps their content, and
`project_at` gives the project back as it was at any stored revision (the API the
flywheel's shadow replay and the Review screen build on)."""
from __future__ import annotations

import sqlite3

import pytest

from studio.core.project import load_project
from studio.govern.approvals import approved_revision
from studio.govern.revisions import (RevisionNotFound, project_at, resolve_revision,
                                     revision_history, working_revision)
from studio.library import Library
from studio.library.run_all import run_all
from studio.library.revision_store import revision_content, stored_revisions


def _run(root):
    project = load_project(root)
    with Library.open(root) as lib:
        return project, run_all(project, lib)


def test_revision_is_a_full_sha256_over_the_procedure_and_what_it_uses(sample_copy):
    root = sample_copy("food-delivery")
    project = load_project(root)
    damaged, late = (working_revision(project, p) for p in ("damaged-order", "late-delivery"))
    assert len(damaged) == 64 and int(damaged, 16) >= 0

    path = root / "procedures" / "damaged-order.yaml"        # comments and layout: no change
    path.write_text("# reviewed on Monday\n" + path.read_text().replace("\n", "\n\n", 3))
    assert working_revision(load_project(root), "damaged-order") == damaged

    article = root / "knowledge" / "refund-policy.md"         # a used article: a change
    article.write_text(article.read_text() + "\nRefunds over £80 need a supervisor.\n")
    edited = load_project(root)
    assert working_revision(edited, "damaged-order") != damaged
    assert working_revision(edited, "late-delivery") == late    # it does not use that article

    connector = root / "connectors" / "get_order.yaml"           # a used connector: a change
    connector.write_text(connector.read_text().replace("Look up", "Find"))
    assert working_revision(load_project(root), "late-delivery") != late


def test_runs_keep_the_content_and_project_at_gives_it_back_after_edits(sample_copy):
    root = sample_copy("food-delivery")
    project, summary = _run(root)
    before = working_revision(project, "damaged-order")
    with Library.open(root) as lib:
        assert lib.run(summary.run_id).revisions["damaged-order"] == before
        assert revision_content(lib, before)["procedures"]["damaged-order"]["id"] == "damaged-order"

    path = root / "procedures" / "damaged-order.yaml"
    path.write_text(path.read_text().replace("when: refund > 50", "when: refund > 80"))
    article = root / "knowledge" / "refund-policy.md"
    old_body = load_project(root).knowledge["refund-policy"].body
    article.write_text("---\ntitle: Refund policy\n---\n\nEverything is refunded.\n")

    old = project_at(root, "damaged-order", before)           # the library opened read-only
    assert old.procedures["damaged-order"].find_step("approve").when == "refund > 50"
    assert old.knowledge["refund-policy"].body.strip() == old_body.strip()
    assert working_revision(old, "damaged-order") == before
    now = load_project(root)
    assert project_at(now, "damaged-order", "working") is not None
    assert now.procedures["damaged-order"].find_step("approve").when == "refund > 80"

    with Library.open(root) as lib:                            # short hashes, like git
        assert resolve_revision(now, "damaged-order", before[:8], lib) == before
        assert resolve_revision(now, "damaged-order", "working", lib) == working_revision(
            now, "damaged-order")
        with pytest.raises(RevisionNotFound, match="no revision"):
            resolve_revision(now, "damaged-order", "abcd1234", lib)
        with pytest.raises(RevisionNotFound, match="not in the library"):
            project_at(now, "damaged-order", "f" * 64, library=lib)
        history = revision_history(now, lib, "damaged-order")
    assert [h.revision for h in history] == [before, working_revision(now, "damaged-order")]
    assert history[0].latest_run == 1 and history[0].latest_status == "passed"
    assert history[0].passed == 12 and not history[0].working
    assert history[1].working and history[1].latest_run is None
    assert approved_revision(now, "damaged-order", "staging") is None


def test_a_library_with_older_revisions_upgrades_and_stays_readable(sample_copy):
    root = sample_copy("food-delivery")
    _run(root)
    db = sqlite3.connect(root / "library.sqlite")                 # as an older Studio left it
    db.execute("UPDATE runs SET revisions = ?", ['{"damaged-order": "m1:0123456789abcdef"}'])
    db.execute("DROP TABLE revision_contents")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm007_revision_contents'")
    db.execute("UPDATE schema_version SET version = 6")
    db.commit()
    db.close()
    project = load_project(root)
    with Library.open(root) as lib:
        assert stored_revisions(lib, "damaged-order") == []
        history = revision_history(project, lib, "damaged-order")
        assert len(history) == 1 and history[0].working and history[0].latest_run is None
        assert lib.runs()[0].revisions == {"damaged-order": "m1:0123456789abcdef"}

"""Export bundles (DESIGN.md section 5): one zip per environment with `manifest.json`
(schema bundle/v1), the approved procedures and everything they use, connectors (secrets by
name only), knowledge articles, the simulations that were the evidence, the JSON Schemas and
`procedures.md`. What goes out is each procedure's approved revision, taken from the library
when the files have changed since. A procedure that uses one not approved for the
environment blocks the export, with the reason."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from studio.core.ids import slugify
from studio.core.knowledge import Article
from studio.core.project import Project
from studio.core.schema_export import SCHEMA_KINDS, json_schema
from studio.core.yaml_io import dump_yaml
from studio.library import Library
from studio.library.revision_store import revision_content
from studio.library.revisions import Snapshot, canonical_json, snapshot

from .approvals import Approval, approval_rel, environment_problem, read_approval
from .approve import exercising_simulations, simulation_verdicts
from .revisions import project_from_snapshot, working_revision
from .signing import ALGORITHM, fingerprint, public_key_text, sign
from .sop import render_sop

BUNDLE_SCHEMA = "bundle/v1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SUFFIX = ".studio-bundle.zip"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)          # fixed: the same content gives the same zip
# Stored, not deflated: every content byte is then covered by the manifest's sha256 (a deflate
# stream has bits a reader ignores), and the files stay readable in the zip as they are.
_ZIP_METHOD = zipfile.ZIP_STORED


@dataclass
class ExportedProcedure:
    id: str
    approval: Approval
    snapshot: Snapshot
    changed_since_approval: bool
    verdicts: dict[str, dict[str, Any]] = field(default_factory=dict)   # sim -> status, engine


@dataclass
class ExportPlan:
    """What an export of one environment would contain, and why it cannot happen if so."""
    environment: str
    procedures: dict[str, ExportedProcedure] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)     # procedure -> why not exported
    blockers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    broken_files: list[str] = field(default_factory=list)      # approval files that do not load

    @property
    def ok(self) -> bool:
        return not self.blockers and bool(self.procedures)

    def to_dict(self) -> dict[str, Any]:
        return {"environment": self.environment, "ok": self.ok, "blockers": self.blockers,
                "notes": self.notes,
                "procedures": [{"id": p.id, "revision": p.approval.revision,
                                "changed_since_approval": p.changed_since_approval,
                                "simulations": sorted(p.verdicts)}
                               for p in self.procedures.values()],
                "excluded": [{"id": k, "why": v} for k, v in sorted(self.excluded.items())]}


def _approved_snapshot(project: Project, library: Library, approval: Approval) -> Snapshot | None:
    if working_revision(project, approval.procedure) == approval.revision:
        return snapshot(project, approval.procedure)
    return revision_content(library, approval.revision)


def plan_export(project: Project, library: Library, environment: str) -> ExportPlan:
    plan = ExportPlan(environment)
    problem = environment_problem(project, environment)
    if problem:
        plan.blockers.append(problem)
        return plan
    approvals: dict[str, Approval] = {}
    for proc_id in sorted(project.procedures):
        approval, problems = read_approval(project, proc_id, environment)
        plan.blockers.extend(p.format() for p in problems)
        plan.broken_files.extend(p.file for p in problems if p.file)
        if approval is None:
            plan.excluded[proc_id] = f"never approved for {environment}" if not problems else \
                "its approval file is broken"
        else:
            approvals[proc_id] = approval
    for proc_id, approval in approvals.items():
        snap = _approved_snapshot(project, library, approval)
        if snap is None:
            plan.blockers.append(
                f"{proc_id}: the approved revision {approval.revision[:12]} is not in this "
                "library and the files have changed since: approve the current revision again")
            continue
        changed = working_revision(project, proc_id) != approval.revision
        if changed:
            plan.notes.append(f"{proc_id} changed since its approval for {environment}: the "
                              f"approved revision {approval.revision[:12]} goes out, not the edits")
        plan.procedures[proc_id] = ExportedProcedure(proc_id, approval, snap, changed)
    _check_uses(plan, approvals, project, library)
    _collect_evidence(plan, library)
    if not approvals and not plan.blockers:
        plan.blockers.append(f"nothing is approved for {environment}: approve procedures first "
                             f"(`studio approve {project.root} PROCEDURE --environment {environment}`)")
    return plan


def _check_uses(plan: ExportPlan, approvals: dict[str, Approval], project: Project,
                library: Library) -> None:
    """Everything an exported procedure uses must go out as it was approved with it."""
    merged: dict[tuple[str, str], tuple[str, Any]] = {}
    for proc_id, exported in plan.procedures.items():
        for used in exported.snapshot.get("procedures", {}):
            if used != proc_id and used not in approvals:
                plan.blockers.append(f"{proc_id} uses {used} (a sub-procedure or switch target), "
                                     f"which is not approved for {plan.environment}: approve "
                                     f"{used} for {plan.environment} first")
        for kind in ("procedures", "connectors", "knowledge"):
            for item_id, data in exported.snapshot.get(kind, {}).items():
                key = (kind, item_id)
                if key in merged and merged[key][1] != data:
                    other = merged[key][0]
                    plan.blockers.append(
                        f"{proc_id} and {other} were approved with different versions of "
                        f"{kind.rstrip('s')} {item_id}: approve them again so they agree")
                elif key not in merged:
                    merged[key] = (proc_id, data)


def _collect_evidence(plan: ExportPlan, library: Library) -> None:
    sims = {r.name: r for r in library.simulations()}
    for proc_id, exported in plan.procedures.items():
        names = exported.approval.evidence.simulations or exercising_simulations(library, proc_id)
        for verdict in simulation_verdicts(library, proc_id, exported.approval.revision, names):
            record = sims.get(verdict.name)
            if record is None:
                plan.notes.append(f"simulation {verdict.name!r} (evidence for {proc_id}) is no "
                                  "longer in the library: left out")
                continue
            if record.procedure not in plan.procedures:
                plan.notes.append(f"simulation {verdict.name!r} (evidence for {proc_id}) starts "
                                  f"in {record.procedure}, which is not exported: left out")
                continue
            exported.verdicts[verdict.name] = {"status": verdict.status,
                                               "engine": verdict.engine or "offline",
                                               "run": verdict.run}


# -- building ------------------------------------------------------------------
def _studio_version() -> str:
    import studio
    found = getattr(studio, "__version__", None)
    if found:
        return found
    try:
        from importlib.metadata import version
        return version("procedure-studio")
    except Exception:  # noqa: BLE001 - not installed: a checkout
        return "unknown"


def _sim_files(project: Project, library: Library, plan: ExportPlan) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    records = {r.name: r for r in library.simulations()}
    for exported in plan.procedures.values():
        for name in exported.verdicts:
            record = records[name]
            stem = Path(record.source_file).stem if record.source_file else slugify(name)
            files[f"simulations/{stem}.yaml"] = dump_yaml(record.simulation.to_data()).encode()
            for turn in record.simulation.customer.turns():
                for attachment in turn.attachments:
                    path = Path(project.root) / "attachments" / attachment.file
                    if path.is_file() and ".." not in Path(attachment.file).parts:
                        files[f"attachments/{attachment.file}"] = path.read_bytes()
    return files


def bundle_files(project: Project, library: Library, plan: ExportPlan) -> dict[str, bytes]:
    """Every file of the bundle but the manifest, by path inside the zip."""
    files: dict[str, bytes] = {}
    procedures: dict[str, Any] = {}
    connectors: dict[str, Any] = {}
    knowledge: dict[str, Any] = {}
    for exported in plan.procedures.values():
        procedures.update(exported.snapshot.get("procedures", {}))
        connectors.update(exported.snapshot.get("connectors", {}))
        knowledge.update(exported.snapshot.get("knowledge", {}))
        files[approval_rel(plan.environment, exported.id)] = dump_yaml(
            exported.approval.to_file_data()).encode()
    for pid, data in procedures.items():
        files[f"procedures/{pid}.yaml"] = dump_yaml(data).encode()
    for cid, data in connectors.items():
        files[f"connectors/{cid}.yaml"] = dump_yaml(data).encode()
    for aid, art in knowledge.items():
        files[f"knowledge/{aid}.md"] = Article(id=aid, title=art.get("title", ""),
                                               body=art.get("body", "")).render().encode()
    files["studio.yaml"] = dump_yaml(project.settings.to_data()).encode()
    for kind in SCHEMA_KINDS:
        files[f"schemas/{kind}.schema.json"] = (json.dumps(json_schema(kind), indent=2)
                                                + "\n").encode()
    files.update(_sim_files(project, library, plan))
    view = project_from_snapshot(project, {"procedures": procedures, "connectors": connectors,
                                           "knowledge": knowledge})
    files["procedures.md"] = render_sop(
        project.name, plan.environment, {p: view.procedures[p] for p in procedures},
        view.connectors, view.knowledge).encode()
    return files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_manifest(project: Project, plan: ExportPlan, files: dict[str, bytes],
                   public_key: str | None) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "schema": BUNDLE_SCHEMA,
        "project": project.name,
        "studio_version": _studio_version(),
        "environment": plan.environment,
        "created_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        .replace("+00:00", "Z"),
        "procedures": [{"id": p.id, "revision": p.approval.revision,
                        "approval": p.approval.to_file_data(),
                        "evidence": {"run": p.approval.evidence.run, "verdicts": p.verdicts}}
                       for p in plan.procedures.values()],
        "files": {path: sha256(data) for path, data in sorted(files.items())},
    }
    if public_key:
        manifest["signature"] = {"algorithm": ALGORITHM, "public_key": public_key,
                                 "fingerprint": fingerprint(public_key), "file": SIGNATURE}
    return manifest


def bundle_name(project: Project, plan: ExportPlan) -> str:
    revisions = {p.id: p.approval.revision for p in plan.procedures.values()} | {
        "": plan.environment}                  # a staging bundle is not named as production's
    short = sha256(canonical_json(revisions).encode())[:10]
    day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    return f"{slugify(project.name)}-{day}-{short}{SUFFIX}"


def build_bundle(project: Project, library: Library, plan: ExportPlan, *,
                 key=None) -> tuple[bytes, dict[str, Any]]:
    """(the zip's bytes, its manifest). `key`: an ed25519 private key to sign with."""
    if not plan.ok:
        raise ValueError("the export plan has blockers: " + "; ".join(plan.blockers))
    files = bundle_files(project, library, plan)
    manifest = build_manifest(project, plan, files, public_key_text(key) if key else None)
    manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    entries = {MANIFEST: manifest_bytes} | dict(sorted(files.items()))
    if key is not None:
        entries[SIGNATURE] = (sign(key, manifest_bytes) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", _ZIP_METHOD) as archive:
        for path, data in entries.items():
            info = zipfile.ZipInfo(path, date_time=_ZIP_TIME)
            info.compress_type = _ZIP_METHOD
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue(), manifest

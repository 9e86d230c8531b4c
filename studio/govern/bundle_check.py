"""Reading a bundle back: `show` lists what is inside; `verify` checks every file's sha256
against the manifest, the signature, and re-runs the bundled simulations from the bundle
alone (extracted to a temporary folder: no project folder is needed), expecting the
verdicts of the evidence."""
from __future__ import annotations

import json
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from pathlib import Path
from typing import Any, Callable

from studio.core.progress import Progress

from .bundle import BUNDLE_SCHEMA, MANIFEST, SIGNATURE, sha256
from .bundle_layout import layout_problems, looks_like_bundle
from .signing import fingerprint, verify

MAX_UNPACKED = 256 * 1024 * 1024            # a zip bomb is refused, not unpacked
# What reading a damaged member can raise: zipfile's own error, a bad CRC, a deflate stream that
# does not decompress, a compression method changed to one zipfile lacks, a member cut short,
# an encryption flag set (RuntimeError: a password is required).
UNREADABLE = (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError,
              RuntimeError)


class BundleError(ValueError):
    """Not a bundle at all (not a zip, no manifest, another schema): bad input, exit 2."""


class DamagedManifest(BundleError):
    """A bundle whose manifest.json cannot be read: `verify` reports it as a failed check."""

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {MANIFEST} is damaged ({reason})")
        self.problem = f"{MANIFEST}: damaged ({reason})"


@dataclass
class Rerun:
    simulation: str
    procedure: str
    expected: str
    actual: str
    detail: str = ""

    @property
    def same(self) -> bool:
        return self.expected == self.actual

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__) | {"same": self.same}


@dataclass
class BundleCheck:
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)      # each names the file
    signature: str = "unsigned"         # valid / invalid / unsigned / untrusted
    signer: str | None = None           # the public key's fingerprint
    reruns: list[Rerun] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (not self.problems and self.signature in ("valid", "unsigned")
                and all(r.same for r in self.reruns))

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "environment": self.manifest.get("environment"),
                "project": self.manifest.get("project"), "problems": self.problems,
                "signature": self.signature, "signer": self.signer,
                "reruns": [r.to_dict() for r in self.reruns]}


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name


def open_bundle(path: Path | str) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"{path}: not a readable bundle ({exc})") from None
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except KeyError:
        archive.close()
        raise BundleError(f"{path}: no {MANIFEST} inside: not a Procedure Studio bundle") from None
    except UNREADABLE as exc:                  # UnicodeDecodeError and bad JSON are ValueErrors
        archive.close()
        raise DamagedManifest(path, str(exc)) from None
    if not isinstance(manifest, dict) or manifest.get("schema") != BUNDLE_SCHEMA:
        archive.close()
        raise BundleError(f"{path}: {MANIFEST} is not schema {BUNDLE_SCHEMA}")
    return archive, manifest


def show_bundle(path: Path | str) -> dict[str, Any]:
    archive, manifest = open_bundle(path)
    with archive:
        sizes = {i.filename: i.file_size for i in archive.infolist()}
    return {"project": manifest.get("project"), "environment": manifest.get("environment"),
            "studio_version": manifest.get("studio_version"),
            "created_at": manifest.get("created_at"),
            "signed": "signature" in manifest,
            "signer": fingerprint(manifest["signature"].get("public_key", ""))
            if isinstance(manifest.get("signature"), dict) else None,
            "procedures": [{"id": p.get("id"), "revision": p.get("revision"),
                            "approved_by": (p.get("approval") or {}).get("approved_by"),
                            "approved_at": (p.get("approval") or {}).get("approved_at"),
                            "simulations": len((p.get("evidence") or {}).get("verdicts") or {})}
                           for p in manifest.get("procedures", [])],
            "files": [{"path": name, "bytes": size} for name, size in sorted(sizes.items())]}


def _check_files(archive: zipfile.ZipFile, manifest: dict[str, Any], check: BundleCheck) -> None:
    listed: dict[str, str] = manifest.get("files") or {}
    present = {i.filename for i in archive.infolist()}
    if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED:
        check.problems.append(f"the bundle unpacks to more than {MAX_UNPACKED >> 20} MB: refused")
        return
    for name in sorted(listed):
        if name not in present:
            check.problems.append(f"{name}: listed in the manifest but missing from the bundle")
            continue
        try:
            data = archive.read(name)
        except UNREADABLE as exc:
            check.problems.append(f"{name}: damaged ({exc})")
            continue
        if sha256(data) != listed[name]:
            check.problems.append(f"{name}: sha256 does not match the manifest (changed after export)")
    for name in sorted(present - set(listed) - {MANIFEST, SIGNATURE}):
        check.problems.append(f"{name}: in the bundle but not listed in the manifest")


def _check_signature(archive: zipfile.ZipFile, manifest: dict[str, Any], check: BundleCheck,
                     trusted_key: str | None) -> None:
    info = manifest.get("signature")
    names = set(archive.namelist())
    if not isinstance(info, dict):
        if SIGNATURE in names:
            check.problems.append(f"{SIGNATURE}: a signature without a public key in the manifest")
        if trusted_key:
            check.signature = "untrusted"
            check.problems.append("the bundle is not signed, but a signer was required")
        return
    public_key = str(info.get("public_key", ""))
    check.signer = fingerprint(public_key)
    try:
        signature = archive.read(SIGNATURE).decode("ascii").strip()
        manifest_bytes = archive.read(MANIFEST)
    except (KeyError, zipfile.BadZipFile, UnicodeDecodeError, OSError):
        check.signature = "invalid"
        check.problems.append(f"{SIGNATURE}: missing or unreadable although the manifest is signed")
        return
    if not verify(public_key, manifest_bytes, signature):
        check.signature = "invalid"
        check.problems.append(f"{MANIFEST}: the signature does not match (changed after signing)")
        return
    check.signature = "valid"
    if trusted_key and trusted_key not in (public_key, check.signer):
        check.signature = "untrusted"
        check.problems.append(f"{MANIFEST}: signed by {check.signer}, not by the required key")


def _rerun(archive: zipfile.ZipFile, manifest: dict[str, Any], check: BundleCheck,
           progress: Progress, model: str | None) -> None:
    from studio.core.project import load_project
    from studio.runtime.options import RunOptions
    from studio.simulate.runner import run_simulation

    from .approve import all_skipped
    expected = [(p.get("id"), name, v) for p in manifest.get("procedures", [])
                for name, v in sorted(((p.get("evidence") or {}).get("verdicts") or {}).items())]
    with tempfile.TemporaryDirectory(prefix="studio-bundle-") as tmp:
        for info in archive.infolist():
            if not _safe_name(info.filename):
                check.problems.append(f"{info.filename}: unsafe path inside the bundle: refused")
                return
        archive.extractall(tmp)
        project = load_project(Path(tmp))
        broken = [p for p in project.load_problems if p.severity.value == "error"]
        for problem in broken:
            check.problems.append(problem.format())
        by_name = {sim.name: sim for sim in project.simulations.values()}
        done: dict[str, Any] = {}                  # a simulation evidencing two procedures runs once
        for index, (proc_id, name, verdict) in enumerate(expected):
            if progress.cancelled:
                check.problems.append("cancelled before every simulation was re-run")
                return
            progress.report(index, len(expected), f"re-running {name}")
            sim = by_name.get(name)
            want = verdict.get("status") if isinstance(verdict, dict) else str(verdict)
            if sim is None:
                check.reruns.append(Rerun(name, proc_id, want, "missing",
                                          "the simulation file is not in the bundle"))
                continue
            engine = model or (verdict.get("engine") if isinstance(verdict, dict) else None)
            result = done.get(name) or run_simulation(project, sim,
                                                      options=RunOptions(model=engine or "offline"))
            done[name] = result
            actual = result.status
            if actual == "passed" and all_skipped(result):
                actual = "skipped"
            detail = result.error or "; ".join(e.message for e in result.failed_expectations)
            check.reruns.append(Rerun(name, proc_id, want, actual, detail))
        progress.report(len(expected), len(expected), "re-run done")


def verify_bundle(path: Path | str, *, rerun: bool = True, trusted_key: str | None = None,
                  model: str | None = None, progress: Progress | None = None) -> BundleCheck:
    """Every byte checked (the zip's records, each file's sha256, the signature), then the
    simulations re-run from the bundle alone. A changed byte fails it naming the file; a file
    that is no bundle at all raises BundleError."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BundleError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    layout = layout_problems(data)
    try:
        archive, manifest = open_bundle(path)
    except BundleError as exc:
        if not looks_like_bundle(data):
            raise
        problem = exc.problem if isinstance(exc, DamagedManifest) else str(exc)
        return BundleCheck({}, problems=layout + [problem] if problem not in layout else layout)
    check = BundleCheck(manifest, problems=layout)
    with archive:
        _check_files(archive, manifest, check)
        _check_signature(archive, manifest, check, trusted_key)
        if rerun and not check.problems:
            _rerun(archive, manifest, check, progress or Progress(), model)
    return check


def format_check(check: BundleCheck, path: str, on_line: Callable[[str], None] = print) -> None:
    m = check.manifest
    if not m:
        on_line(f"bundle {path}: its manifest cannot be read")
    else:
        on_line(f"bundle {path}: {m.get('project')} for {m.get('environment')}, "
                f"{len(m.get('procedures', []))} procedure(s), {len(m.get('files', {}))} files")
    on_line(f"signature: {check.signature}" + (f" (signer {check.signer})" if check.signer else ""))
    for problem in check.problems:
        on_line(f"FAIL {problem}")
    for r in check.reruns:
        mark = "same" if r.same else "DIFFERENT"
        on_line(f"{r.actual:<8} {r.simulation} ({r.procedure}; evidence: {r.expected}) {mark}"
                + (f": {r.detail}" if not r.same and r.detail else ""))
    on_line("verified" if check.ok else "NOT verified")

"""`studio export PROJECT`: the bundle of DESIGN.md section 5 for one environment (default:
the last of studio.yaml `environments`): the approved revisions of the procedures approved
for it and everything they use, the evidence simulations, JSON Schemas and procedures.md.
Refused, naming the reason, when something it needs is not approved for that environment.
--sign signs the manifest with the ed25519 key kept in the OS keyring."""
from __future__ import annotations

import sys
from pathlib import Path

from studio.govern.approvals import environment_problem
from studio.govern.bundle import build_bundle, bundle_name, plan_export
from studio.govern.signing import SigningError, fingerprint, public_key_text, signing_key
from studio.library import LibraryError

from .govern_common import load_checked, print_json
from .library_common import add_project_arg, add_read_only_arg, error, read_library


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help="a bundle of the approved procedures for production",
                              description=__doc__)
    add_project_arg(p)
    p.add_argument("--environment", metavar="ENV",
                   help="default: the last of studio.yaml `environments` (production)")
    p.add_argument("--out", metavar="FILE",
                   help="the zip to write (default: <project>-<date>-<hash>.studio-bundle.zip in "
                        "the current folder; `-` writes it to stdout)")
    p.add_argument("--sign", action="store_true", help="sign with the key in the OS keyring")
    p.add_argument("--json", action="store_true", help="print what was exported as JSON")
    add_read_only_arg(p)
    p.set_defaults(func=main)


def main(args) -> int:
    project = load_checked(args.project)
    if project is None:
        return 2
    if args.json and args.out == "-":
        return error("--json and --out - both want stdout: write the bundle to a file")
    environment = args.environment or project.settings.environments[-1]
    unknown = environment_problem(project, environment)
    if unknown:                                       # bad input, as for `studio approve`
        return error(unknown)
    key = None
    if args.sign:
        try:
            key = signing_key()
        except SigningError as exc:
            return error(f"cannot sign: {exc}")

    def work(library):
        plan = plan_export(project, library, environment)
        if not plan.ok:
            return plan, None, None
        data, manifest = build_bundle(project, library, plan, key=key)
        return plan, data, manifest

    try:
        found, failed = read_library(args, work)
    except LibraryError as exc:
        return error(str(exc))
    if failed is not None:
        return failed
    plan, data, manifest = found
    say = sys.stderr if args.out == "-" else sys.stdout
    if data is None:
        if args.json:
            print_json("export/v1", plan.to_dict() | {"file": None})
        else:
            print(f"refused: nothing was exported for {environment}:", file=sys.stderr)
            for blocker in plan.blockers:
                print(f"  - {blocker}", file=sys.stderr)
        return 2 if plan.broken_files else 1          # a broken approval file is bad input
    if args.out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        target = "-"
    else:
        target = Path(args.out) if args.out else Path.cwd() / bundle_name(project, plan)
        if target.is_dir():
            target = target / bundle_name(project, plan)
        target.write_bytes(data)
    if args.json:
        print_json("export/v1", plan.to_dict() | {
            "file": str(target), "files": sorted(manifest["files"]),
            "signer": fingerprint(public_key_text(key)) if key else None})
        return 0
    for note in plan.notes:
        print(f"note: {note}", file=say)
    ids = ", ".join(f"{p.id} {p.approval.revision[:12]}" for p in plan.procedures.values())
    print(f"exported {len(plan.procedures)} procedure(s) approved for {environment} ({ids}), "
          f"{len(manifest['files'])} files" + (f", signed by {fingerprint(public_key_text(key))}"
                                                if key else "") + f" -> {target}", file=say)
    for proc_id, why in sorted(plan.excluded.items()):
        print(f"not exported: {proc_id} ({why})", file=say)
    return 0

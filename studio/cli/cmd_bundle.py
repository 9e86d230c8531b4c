"""`studio bundle verify|show FILE`: check an export bundle (every file's sha256, the
signature, and a re-run of the bundled simulations from the bundle alone, which must give
the evidence's verdicts), or list what is inside it."""
from __future__ import annotations

from studio.govern.bundle_check import BundleError, format_check, show_bundle, verify_bundle

from .govern_common import print_json
from .library_common import error


def register(subparsers) -> None:
    p = subparsers.add_parser("bundle", help="verify or show an export bundle", description=__doc__)
    sub = p.add_subparsers(dest="bundle_command", metavar="ACTION")
    ver = sub.add_parser("verify", help="check hashes and signature, re-run the simulations",
                         description=verify_bundle.__doc__ or __doc__)
    ver.add_argument("file", metavar="FILE", help="the .studio-bundle.zip")
    ver.add_argument("--public-key", metavar="KEY",
                     help="require this signer (its base64 public key or its fingerprint)")
    ver.add_argument("--no-rerun", action="store_true", help="check hashes and signature only")
    ver.add_argument("--model", metavar="M",
                     help="re-run with this engine (default: each simulation's evidence engine)")
    ver.add_argument("--json", action="store_true", help="print JSON")
    ver.set_defaults(func=cmd_verify)
    show = sub.add_parser("show", help="list what is inside a bundle")
    show.add_argument("file", metavar="FILE", help="the .studio-bundle.zip")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=cmd_show)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def cmd_verify(args) -> int:
    try:
        check = verify_bundle(args.file, rerun=not args.no_rerun, trusted_key=args.public_key,
                              model=args.model)
    except BundleError as exc:
        return error(str(exc))
    if args.json:
        print_json("bundle-verify/v1", {"file": args.file} | check.to_dict())
    else:
        format_check(check, args.file)
    return 0 if check.ok else 1


def cmd_show(args) -> int:
    try:
        info = show_bundle(args.file)
    except BundleError as exc:
        return error(str(exc))
    if args.json:
        print_json("bundle-show/v1", {"file": args.file} | info)
        return 0
    print(f"{args.file}: {info['project']} for {info['environment']}, made by Procedure Studio "
          f"{info['studio_version']} at {info['created_at']}, "
          + (f"signed by {info['signer']}" if info["signed"] else "unsigned"))
    for proc in info["procedures"]:
        print(f"  procedure {proc['id']} {str(proc['revision'])[:12]} approved by "
              f"{proc['approved_by']} at {proc['approved_at']}, {proc['simulations']} simulation(s)")
    for item in info["files"]:
        print(f"  {item['bytes']:>9}  {item['path']}")
    return 0

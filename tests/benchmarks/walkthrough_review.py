"""The lead's path from the CLI on each bundled sample (issue 14's "done when"), repeatable:

    python tests/benchmarks/walkthrough_review.py [--sample NAME] [--keep DIR]

For each sample: a fresh copy (`studio new --sample`), run, production refused before
staging, approved for staging then production; a designer's edit that breaks one simulation
is seen in `studio diff` and `studio status`, approval is refused naming that simulation, the
fix is run and approved; an edited knowledge article shows the procedure as changed since
approval; the export is refused while a procedure it uses is not approved, then holds only the
approved procedures and what they use (procedures.md a readable SOP); with the project folder
deleted, `studio bundle verify` re-runs the simulations to the evidence's verdicts, and fails
naming the file when one byte is changed; a signed bundle names its signer. Every command runs
as its own `studio` process (as a lead types it) and its exit code is checked; every `--json`
carries its "schema". Prints a transcript; exits 1 at the first check that does not hold.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from govern_kit import flip_byte_inside  # noqa: E402  (the tests' own bundle damage)
STUDIO = [sys.executable, "-m", "studio"]
SHOWN_LINES = 8

# Per sample: the procedure the lead follows, a designer's edit that breaks exactly one of its
# simulations, the fix (a new revision, not the old one back), an article it uses (maybe through
# a sub-procedure), and what the export needs approved besides it.
SAMPLES = {
    "food-delivery": dict(
        procedure="damaged-order",
        edit=("when: refund > 50", "when: refund > 80"), fix=("when: refund > 80", "when: refund > 50.0"),
        fails="With no approval fixture the checkpoint is approved by default",
        article="knowledge/refund-policy.md", needs=["complaints"]),
    "card-payments": dict(
        procedure="dispute-transaction",
        edit=("credit > 100 and", "credit > 200 and"), fix=("credit > 200 and", "credit > 100.0 and"),
        fails="Fraudulent payment over £100, card frozen, credit approved by a supervisor",
        article="knowledge/dispute-policy.md", needs=[]),
    "subscriptions": dict(
        procedure="change-plan",
        edit=("you're already on the {{ new_plan }} plan", "you already have the {{ new_plan }} plan"),
        fix=("you already have the {{ new_plan }} plan", "you're already on the {{ new_plan }} plan today"),
        fails="Asking for the plan you already have changes nothing",
        article="knowledge/identity-verification.md", needs=["identity-check"]),
}


class Failed(Exception):
    pass


class Walk:
    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.checks = 0

    def studio(self, *argv, code: int, json_schema: str | None = None, show: int = SHOWN_LINES):
        """Run `studio ARGV` as a process; check its exit code (and --json's schema)."""
        args = [str(a) for a in argv] + (["--json"] if json_schema else [])
        shown = " ".join(a if " " not in a else repr(a) for a in args)
        done = subprocess.run(STUDIO + args, cwd=self.cwd, capture_output=True, text=True,
                              env=os.environ | {"PYTHONPATH": str(ROOT)})
        out = done.stdout + done.stderr
        print(f"$ studio {shown}\n  -> exit {done.returncode}")
        if not json_schema:
            lines = out.rstrip().splitlines()
            for line in lines[:show]:
                print(f"  | {line}")
            if len(lines) > show:
                print(f"  | ... ({len(lines) - show} more lines)")
        self.check(done.returncode == code, f"exit {code}", f"got exit {done.returncode}:\n{out}")
        if json_schema:
            data = json.loads(done.stdout)
            self.check(data.get("schema") == json_schema, f'--json has "schema": "{json_schema}"')
            return data
        return out

    def check(self, ok: bool, what: str, context: str = "") -> None:
        self.checks += 1
        if not ok:
            raise Failed(f"{what}\n{context}")
        print(f"  ok: {what}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise Failed(f"{old!r} not in {path}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def uses(project: Path, procedures: list[str], key: str) -> set[str]:
    """What the procedures' files name under `key` (connector:, article:), read plainly."""
    found = set()
    for proc in procedures:
        text = (project / "procedures" / f"{proc}.yaml").read_text(encoding="utf-8")
        found |= set(re.findall(rf"\b{key}: *([\w-]+)", text))
    return found


def walk_sample(w: Walk, name: str, spec: dict) -> None:
    proc, project = spec["procedure"], w.cwd / name
    sop_path = project / "procedures" / f"{proc}.yaml"
    print(f"\n## {name}: the lead follows {proc}\n")
    w.studio("new", name, "--sample", name, code=0)
    w.studio("run-all", name, "--quiet", code=0)
    status = w.studio("status", name, code=0, json_schema="status/v1")
    w.check({p["environments"]["staging"]["state"] for p in status["procedures"]} == {"never approved"},
            "status: every procedure never approved")

    out = w.studio("approve", name, proc, "--environment", "production", code=1)
    w.check("not approved for staging yet" in out, "production refused before staging, saying why")
    w.studio("approve", name, proc, "--environment", "qa", code=2, show=2)
    w.studio("approve", name, "no-such-procedure", code=2, show=2)
    w.studio("diff", name, proc, "zzzz", code=2, show=2)
    w.studio("export", name, "--environment", "qa", code=2, show=2)
    w.studio("approve", name, proc, "--comment", "first review", code=0)
    w.studio("approve", name, proc, "--environment", "production", code=0)

    print("\n# the designer edits the procedure")
    edit(sop_path, *spec["edit"])
    out = w.studio("diff", name, proc, code=0)
    w.check("approved for production" in out and "(working files)" in out,
            "diff: the approved revision against the working files by default")
    diff = w.studio("diff", name, proc, code=0, json_schema="diff/v1")
    fields = [f for item in diff["items"] for s in item["steps"] for f in s.get("fields", [])]
    before, after = (t.removeprefix("when: ") for t in spec["edit"])
    w.check(any(after in str(f["new"]) and before in str(f["old"]) for f in fields),
            f"diff: the changed field, old -> new ({spec['edit'][0]!r} -> {spec['edit'][1]!r})")
    out = w.studio("status", name, code=0)
    w.check(re.search(rf"^{re.escape(proc)} .*changed since approval", out, re.M) is not None,
            f"status: {proc} changed since approval")
    out = w.studio("approve", name, proc, code=1)
    w.check("has not run on this revision" in out, "approve refused: no run of this revision yet")
    w.studio("run-all", name, "--quiet", code=1, show=1)
    result = w.studio("approve", name, proc, code=1, json_schema="approve/v1")
    failing = [r for r in result["reasons"] if "failed in run" in r]
    print("  | " + "\n  | ".join(result["reasons"]))
    w.check(len(failing) == 1 and spec["fails"] in failing[0],
            f"approve refused naming the one failing simulation: {spec['fails']!r}")

    print("\n# the designer fixes it")
    edit(sop_path, *spec["fix"])
    w.studio("approve", name, proc, code=1, show=2)
    w.studio("run-all", name, "--quiet", "--procedure", proc, code=0)
    w.studio("approve", name, proc, "--comment", "fixed after review", code=0)
    w.studio("approve", name, proc, "--environment", "production", code=0)
    revisions = w.studio("revisions", name, proc, code=0, json_schema="revisions/v1")
    w.check(len(revisions["revisions"]) >= 3, "revisions: the original, the broken and the fixed")
    w.studio("revisions", name, proc, code=0)

    print("\n# export for production")
    bundle = w.cwd / f"{name}.studio-bundle.zip"
    if spec["needs"]:
        out = w.studio("export", name, "--out", bundle, code=1)
        w.check(all(n in out for n in spec["needs"]) and not bundle.exists(),
                f"export refused while {', '.join(spec['needs'])} is not approved, naming it")
        for other in spec["needs"]:
            w.studio("approve", name, other, code=0, show=1)
            w.studio("approve", name, other, "--environment", "production", code=0, show=1)

    print("\n# someone edits a knowledge article the procedure uses")
    article = project / spec["article"]
    article.write_text(article.read_text(encoding="utf-8") + "\nA line added after approval.\n",
                       encoding="utf-8")
    status = w.studio("status", name, code=0, json_schema="status/v1")
    states = {p["id"]: p["environments"]["production"]["state"] for p in status["procedures"]}
    w.check(states[proc] == "changed since approval", f"status: {proc} changed since approval")
    out = w.studio("diff", name, proc, code=0)
    w.check("A line added after approval" in out, "diff: the article's added line")
    w.studio("status", name, code=0)

    print("\n# export for production again")
    w.studio("export", name, "--out", bundle, code=0)
    data = w.studio("export", name, "--out", w.cwd / "again.zip", code=0, json_schema="export/v1")
    shipped = [proc] + spec["needs"]
    names = zipfile.ZipFile(bundle).namelist()
    inside = lambda folder: {n.split("/", 1)[1].rsplit(".", 1)[0] for n in names if n.startswith(folder)}
    w.check(inside("procedures/") == set(shipped), f"bundle: only the approved procedures {shipped}")
    w.check(inside("connectors/") == uses(project, shipped, "connector"),
            f"bundle: exactly the connectors they use {sorted(inside('connectors/'))}")
    w.check(inside("knowledge/") == uses(project, shipped, "article"),
            f"bundle: exactly the articles they use {sorted(inside('knowledge/'))}")
    w.check([e["id"] for e in data["excluded"]] != [], f"export names what stays out: "
            + "; ".join(f"{e['id']} ({e['why']})" for e in data["excluded"]))
    approved = zipfile.ZipFile(bundle).read(spec["article"]).decode()
    w.check("A line added after approval" not in approved, "bundle: the approved article, not the edit")
    sop = zipfile.ZipFile(bundle).read("procedures.md").decode()
    w.check("**If**" in sop and "**Otherwise" in sop and f"(`{proc}`)" in sop,
            "procedures.md: numbered steps with If ... / Otherwise ...")
    print("  | " + "\n  | ".join([l for l in sop.splitlines() if "**If**" in l or "**Otherwise" in l][:4]))
    w.studio("bundle", "show", bundle, code=0, json_schema="bundle-show/v1")

    print("\n# the project folder is deleted; the bundle alone re-runs its simulations")
    shutil.rmtree(project)
    out = w.studio("bundle", "verify", bundle, code=0, show=40)
    verified = w.studio("bundle", "verify", bundle, code=0, json_schema="bundle-verify/v1")
    w.check(verified["reruns"] and all(r["same"] for r in verified["reruns"]),
            f"verify: {len(verified['reruns'])} simulations re-run to the evidence's verdicts")
    damaged = w.cwd / f"{name}-damaged.zip"
    flip_byte_inside(bundle, f"procedures/{proc}.yaml", damaged)
    out = w.studio("bundle", "verify", damaged, code=1)
    w.check(f"procedures/{proc}.yaml" in out, "one changed byte fails verify naming the file")
    w.studio("bundle", "verify", w.cwd / "no-such.zip", code=2, show=2)


def walk_signing(w: Walk) -> None:
    """In one process, with an in-memory keyring standing in for the OS keyring."""
    import contextlib
    import io

    import keyring
    from llm_kit import MemoryKeyring
    from studio.cli import main
    print("\n## signing (in-process; an in-memory keyring stands in for the OS keyring)\n")
    keyring.set_keyring(MemoryKeyring())
    project = w.cwd / "signed"
    for argv in (["new", project, "--sample", "card-payments"], ["run-all", project, "--quiet"]):
        with contextlib.redirect_stdout(io.StringIO()):
            w.check(main([str(a) for a in argv]) == 0, " ".join(map(str, argv[:1])) + ": exit 0")
    for env in ("staging", "production"):
        for proc in ("dispute-transaction", "lost-card"):
            with contextlib.redirect_stdout(io.StringIO()):
                w.check(main(["approve", str(project), proc, "--environment", env]) == 0,
                        f"approve {proc} for {env}: exit 0")
    bundle = w.cwd / "signed.studio-bundle.zip"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["export", str(project), "--out", str(bundle), "--sign", "--json"])
    signer = json.loads(out.getvalue())["signer"]
    w.check(code == 0 and bool(signer), f"export --sign: exit 0, signer {signer}")
    for key, want in ((signer, 0), ("0" * 16, 1)):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["bundle", "verify", str(bundle), "--public-key", key, "--no-rerun"])
        print("  | " + "\n  | ".join(out.getvalue().splitlines()[:3]))
        w.check(code == want, f"verify --public-key {key}: exit {want}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", choices=sorted(SAMPLES), action="append")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    cwd = args.keep or Path(tempfile.mkdtemp(prefix="studio-lead-"))
    cwd.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PROCEDURE_STUDIO_CONFIG_DIR", str(cwd / "user-config"))
    w = Walk(cwd)
    try:
        w.studio("new", "--help", code=0, show=12)
        w.studio("status", cwd / "no-such-project", code=2, show=2)
        for name in args.sample or list(SAMPLES):
            walk_sample(w, name, SAMPLES[name])
        walk_signing(w)
    except Failed as exc:
        print(f"\nFAILED: {exc}")
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(cwd, ignore_errors=True)
    print(f"\nall {w.checks} checks held on {len(args.sample or SAMPLES)} sample(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: import a generated file of 100,000 production conversations.

Writes the JSONL (plausible conversations with an email and a phone number each, so
redaction works on every one), imports it into a fresh copy of the food-delivery
sample in a child process, and prints the time and that process's peak memory
(ru_maxrss). Then imports a tenth of the file the same way: memory is flat when the
two peaks are close (the importer holds one batch, never the file).

`--form csv` writes one message a row with every conversation's rows spread over the
whole file (row r of all conversations, then row r+1: the worst case for grouping);
`--form intercom` writes Intercom's list response, `{"type": "conversation.list",
"conversations": [...]}`, on one line as the API sends it.

    python tests/benchmarks/bench_conversations_import.py [--count 100000] [--form jsonl|csv|intercom]
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from conversation_kit import fast_line  # noqa: E402

CHILD = """
import json, resource, sys, time
from studio.flywheel.importer import import_files
from studio.library import Library
started = time.perf_counter()
with Library.open(sys.argv[1]) as library:
    summary = import_files(library, [sys.argv[2]], fmt=sys.argv[3])
print(json.dumps({"seconds": time.perf_counter() - started, "added": summary.added,
                  "redacted": summary.redacted,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_jsonl(data: Path, count: int) -> None:
    with open(data, "w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(fast_line(i) + "\n")


def write_csv(data: Path, count: int) -> None:
    """Rows interleaved: message r of every conversation before message r+1 of any."""
    with open(data, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["conversation_id", "role", "text", "timestamp", "procedure", "outcome", "csat"])
        for r in range(8):
            for i in range(count):
                conv = json.loads(fast_line(i))
                if r < len(conv["messages"]):
                    m = conv["messages"][r]
                    extras = [conv["procedure"] or "", conv["outcome"], conv["csat"] or ""] \
                        if r == 0 else ["", "", ""]
                    out.writerow([conv["id"], m["role"], m["text"], m.get("at") or "", *extras])


def intercom_of(conv: dict) -> dict:
    parts = [{"part_type": "comment", "body": f"<p>{m['text']}</p>", "created_at": 1764496800 + n,
              "author": {"type": "user" if m["role"] == "customer" else "bot"}}
             for n, m in enumerate(conv["messages"][1:], start=1)]
    return {"type": "conversation", "id": conv["id"], "created_at": 1764496800,
            "source": {"type": "conversation", "body": conv["messages"][0]["text"],
                       "author": {"type": "user"}},
            "conversation_parts": {"type": "conversation_part.list", "conversation_parts": parts}}


def write_intercom(data: Path, count: int) -> None:
    with open(data, "w", encoding="utf-8") as handle:
        handle.write('{"type": "conversation.list", "pages": {"type": "pages", "page": 1}, '
                     '"conversations": [')
        for i in range(count):
            handle.write(("," if i else "") + json.dumps(intercom_of(json.loads(fast_line(i)))))
        handle.write('], "total_count": %d}' % count)


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "intercom": write_intercom}


def run(count: int, workdir: Path, form: str = "jsonl") -> dict:
    project = workdir / f"project-{count}"
    shutil.copytree(ROOT / "sample_projects" / "food-delivery", project,
                    ignore=shutil.ignore_patterns("library.sqlite*"))
    data = workdir / f"conversations-{count}.{'json' if form == 'intercom' else form}"
    WRITERS[form](data, count)
    out = subprocess.run([sys.executable, "-c", CHILD, str(project), str(data), form],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    figures = json.loads(out.stdout)
    figures["file_mb"] = data.stat().st_size / 1e6
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--form", choices=sorted(WRITERS), default="jsonl")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = run(max(args.count // 10, 1), Path(tmp), args.form)
        big = run(args.count, Path(tmp), args.form)
    print(f"form: {args.form}")
    for name, fig in (("tenth", small), ("full", big)):
        print(f"{name:>5}: {fig['added']:>7} conversations ({fig['file_mb']:.0f} MB) imported in "
              f"{fig['seconds']:.1f} s, peak memory {fig['peak_mb']:.0f} MB, "
              f"redacted {fig['redacted']}")
    print(f"peak memory ratio full/tenth: {big['peak_mb'] / small['peak_mb']:.2f} "
          "(flat: close to 1)")


if __name__ == "__main__":
    main()

"""`studio conversations import PROJECT FILE... [--format jsonl|csv|intercom] [--no-redact]`

Streams each file into the project's library (flat memory, a progress bar), adds
each conversation id once (re-importing adds nothing twice) and redacts emails,
phone numbers, card numbers (Luhn) and IBANs unless --no-redact: counted in the
summary, never stored. CSV: one message a row, a conversation's rows in any order
(grouped by id through a temporary file); name the columns with --id-column,
--role-column, --text-column, --time-column. Intercom: one conversation a line, an
array, or the API's list response {"type": "conversation.list", "conversations": [...]}. Exit 1 when records were rejected (each
named by file and line; the rest is imported), 2 when a file cannot be read.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from studio.core.progress import Progress
from studio.flywheel.importer import import_files
from studio.flywheel.readers import FORMATS, CsvColumns

from .conv_common import ProgressLine
from .library_common import add_project_arg, error, open_library


def add_arguments(p) -> None:
    add_project_arg(p)
    p.add_argument("files", nargs="+", metavar="FILE", help="conversation files")
    p.add_argument("--format", choices=FORMATS, help="default: csv for .csv files, else jsonl")
    p.add_argument("--no-redact", action="store_true",
                   help="keep emails, phone numbers, card numbers and IBANs as they are")
    p.add_argument("--id-column", default="conversation_id", metavar="NAME",
                   help="CSV column of the conversation id (default conversation_id)")
    p.add_argument("--role-column", default="role", metavar="NAME",
                   help="CSV column of the role: customer/agent/human (or user/bot/admin)")
    p.add_argument("--text-column", default="text", metavar="NAME", help="CSV column of the text")
    p.add_argument("--time-column", default="timestamp", metavar="NAME",
                   help="CSV column of the message time (ISO 8601 or Unix seconds)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress output")


def main(args) -> int:
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        return error(f"no such file: {', '.join(missing)}")
    library = open_library(args.project, quiet=True)
    if library is None:
        return 2
    columns = CsvColumns(id=args.id_column, role=args.role_column, text=args.text_column,
                         time=args.time_column)
    progress = Progress(ProgressLine("importing", quiet=args.quiet or args.json, unit="bytes"))
    try:
        summary = import_files(library, args.files, fmt=args.format, redact=not args.no_redact,
                               columns=columns, progress=progress)
    except KeyboardInterrupt:
        print("interrupted: what was imported is kept; run again to import the rest",
              file=sys.stderr)
        return 130
    finally:
        library.close()
    for problem in summary.problems:
        print(f"error: {problem}", file=sys.stderr)
    if summary.rejected > len(summary.problems):
        print(f"... and {summary.rejected - len(summary.problems)} more rejected records",
              file=sys.stderr)
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        red = summary.redacted
        redaction = ("redacted: " + ", ".join(f"{n} {k}" for k, n in red.items())
                     if summary.redaction else "redaction off (--no-redact)")
        print(f"{summary.read} conversations read: {summary.added} added, {summary.skipped} "
              f"already in the library, {summary.rejected} rejected; {redaction}")
    if summary.added + summary.skipped == 0 and summary.rejected:
        return 2
    return 1 if summary.rejected else 0

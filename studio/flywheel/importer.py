"""Import production conversation files into the library, streaming.

Read one conversation, validate, redact, batch; a batch is written (and waited for)
before the next is read, so memory stays flat however large the file. Re-importing
the same file adds nothing twice: conversations are keyed by their id. A bad record
is reported with its file and line and skipped; the others are kept.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from studio.core.progress import Cancelled, Progress
from studio.library import Library
from studio.library.records import now

from .conversation import ProductionConversation
from .readers import CsvColumns, guess_format, normalise_csv_extras, open_reader
from .redact import KINDS, Redactor
from .store import add_rows, record_import, row_of

BATCH = 1000


@dataclass
class ImportSummary:
    files: list[str] = field(default_factory=list)
    format: str = ""
    read: int = 0             # conversations read from the files
    added: int = 0            # new in the library
    skipped: int = 0          # already there (same id)
    rejected: int = 0         # records refused, with problems saying why
    redacted: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    redaction: bool = True
    problems: list[str] = field(default_factory=list)   # "file:line: why"
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"schema": "conversations-import/v1", "files": self.files, "format": self.format,
                "read": self.read, "added": self.added, "skipped": self.skipped,
                "rejected": self.rejected, "redaction": self.redaction,
                "redacted": self.redacted, "problems": self.problems,
                "cancelled": self.cancelled}


MAX_PROBLEMS_KEPT = 200


def validation_text(exc: ValidationError) -> str:
    """Where and what, never the offending value (it may be personal data)."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "record"
        parts.append(f"{where}: {error['msg'].lower()}")
    return "; ".join(parts)


def redact_conversation(conv: ProductionConversation, redactor: Redactor) -> ProductionConversation:
    for message in conv.messages:
        message.text = redactor.text(message.text)
    conv.customer.attributes = redactor.value(conv.customer.attributes)
    for call in conv.connector_calls:
        call.inputs = redactor.value(call.inputs)
        call.output = redactor.value(call.output)
        if call.error:
            call.error = redactor.text(call.error)
    return conv


def import_files(library: Library, files: list[Path | str], *, fmt: str | None = None,
                 redact: bool = True, columns: CsvColumns | None = None,
                 progress: Progress | None = None) -> ImportSummary:
    """Import `files` in order; `progress` gets (bytes read, total bytes, file name) and
    may cancel between batches (what was written stays, and a re-run picks up the rest)."""
    paths = [Path(f) for f in files]
    summary = ImportSummary(files=[str(p) for p in paths], format=fmt or "auto", redaction=redact)
    redactor = Redactor()
    total = sum(os.path.getsize(p) for p in paths)
    done_before = 0
    stamp = now()
    try:
        for path in paths:
            file_fmt = fmt or guess_format(path)
            with open(path, "rb") as handle:
                reader = open_reader(handle, file_fmt, columns)
                batch: list[dict[str, Any]] = []
                for item in reader:
                    if item.data is None and item.error is None:     # a progress tick
                        if progress is not None:
                            progress.report(done_before + reader.position, total, path.name)
                            progress.check()
                        continue
                    if item.error is not None:
                        summary.read += 1
                        _reject(summary, f"{path}:{item.line}: {item.error}")
                        continue
                    summary.read += 1
                    data = normalise_csv_extras(item.data) if file_fmt == "csv" else item.data
                    try:
                        conv = ProductionConversation.model_validate(data)
                    except ValidationError as exc:
                        _reject(summary, f"{path}:{item.line}: {validation_text(exc)}")
                        continue
                    except ValueError as exc:     # a time that is not ISO 8601
                        _reject(summary, f"{path}:{item.line}: {exc}")
                        continue
                    if redact:
                        redact_conversation(conv, redactor)
                    batch.append(row_of(conv, path.name, stamp))
                    if len(batch) >= BATCH:
                        _flush(library, batch, summary)
                        if progress is not None:
                            progress.report(done_before + reader.position, total, path.name)
                            progress.check()
                _flush(library, batch, summary)
            done_before += os.path.getsize(path)
            if progress is not None:
                progress.report(done_before, total, path.name)
    except Cancelled:
        summary.cancelled = True
    summary.redacted = redactor.summary()
    summary.format = fmt or ",".join(sorted({guess_format(p) for p in paths}))
    record_import(library, summary.to_dict())
    return summary


def _flush(library: Library, batch: list[dict[str, Any]], summary: ImportSummary) -> None:
    if not batch:
        return
    added = add_rows(library, batch)
    summary.added += added
    summary.skipped += len(batch) - added
    batch.clear()


def _reject(summary: ImportSummary, problem: str) -> None:
    summary.rejected += 1
    if len(summary.problems) < MAX_PROBLEMS_KEPT:
        summary.problems.append(problem)

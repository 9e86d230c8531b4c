"""Run results for CI: JUnit XML (one testsuite per procedure) and JSON with every detail.

The JUnit file follows the shape Jenkins, GitLab and GitHub reporters read:
testsuites > testsuite (name, tests, failures, errors, skipped, time, timestamp) >
testcase (classname = procedure, name = simulation, time) with a `failure`,
`error` or `skipped` element carrying a one-line `message` and the details as
text (skipped: nothing could be judged, e.g. a rubric under the offline engine). A failing
case also carries its conversation in `system-out`, so CI shows what happened.
Text is cleaned of characters XML 1.0 forbids (a model or connector error can
hold terminal escapes), which would make the whole file unreadable.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterator

from pydantic_core import to_json

from studio.core.yaml_io import atomic_write

from .records import ResultRecord
from .run_all import RunSummary

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MESSAGE_LIMIT = 500


def xml_text(text: object) -> str:
    """`text` with characters that XML 1.0 cannot hold replaced by '?'."""
    return _NOT_XML.sub("?", str(text))


def _one_line(text: str) -> str:
    line = " ".join(xml_text(text).split())
    return line if len(line) <= MESSAGE_LIMIT else line[:MESSAGE_LIMIT - 3] + "..."


def _case_name(record: ResultRecord, repeat: int) -> str:
    return record.simulation + (f" [repeat {record.repeat_index + 1}]" if repeat > 1 else "")


def _timestamp(started: str | None) -> str | None:
    """ISO 8601 without a zone, as the JUnit schema wants (runs store UTC)."""
    return started[:19] if started else None


def _conversation(record: ResultRecord) -> str:
    lines = []
    for entry in record.result.transcript:
        lines.append(f"{entry.role}: {entry.text}")
    return "\n".join(lines)


def _add_case(suite: ET.Element, record: ResultRecord, procedure: str, repeat: int) -> None:
    result = record.result
    case = ET.SubElement(suite, "testcase", name=xml_text(_case_name(record, repeat)),
                         classname=xml_text(procedure), time=f"{result.duration_ms / 1000:.3f}")
    if result.status == "failed":
        failed = result.failed_expectations
        messages = [f"{e.type}: {e.message}" for e in failed] or ["failed"]
        element = ET.SubElement(case, "failure", message=_one_line(messages[0]),
                                type=failed[0].type if failed else "failed")
        element.text = xml_text("\n".join(messages))
    elif result.status == "error":
        element = ET.SubElement(case, "error", message=_one_line(result.error or "error"),
                                type="error")
        element.text = xml_text(result.error or "")
    elif result.status == "skipped":
        reasons = [e.message for e in result.expectations if e.status == "skipped"]
        ET.SubElement(case, "skipped", message=_one_line(reasons[0] if reasons else "nothing to judge"))
    out = [f"skipped {e.type}: {e.message}" for e in result.expectations if e.status == "skipped"]
    if result.status not in ("passed", "skipped") and result.transcript:
        out += ["", "conversation:", _conversation(record)] if out else \
            ["conversation:", _conversation(record)]
    if out:
        ET.SubElement(case, "system-out").text = xml_text("\n".join(out))


def junit_xml(summary: RunSummary, *, name: str = "procedure-studio",
              started: str | None = None) -> str:
    suites: dict[str, list[ResultRecord]] = {}
    for record in sorted(summary.full_records(), key=lambda r: (r.result.procedure or "",
                                                                r.simulation, r.repeat_index)):
        suites.setdefault(record.result.procedure or "(no procedure)", []).append(record)
    root = ET.Element("testsuites", name=name, tests=str(summary.done),
                      failures=str(summary.failed), errors=str(summary.errors),
                      skipped=str(summary.skipped), time=f"{summary.duration_s:.3f}")
    stamp = _timestamp(started)
    for index, (procedure, records) in enumerate(suites.items()):
        suite = ET.SubElement(
            root, "testsuite", name=xml_text(procedure), tests=str(len(records)),
            failures=str(sum(r.status == "failed" for r in records)),
            errors=str(sum(r.status == "error" for r in records)),
            skipped=str(sum(r.status == "skipped" for r in records)), id=str(index),
            time=f"{sum(r.result.duration_ms for r in records) / 1000:.3f}")
        if stamp:
            suite.set("timestamp", stamp)
        for record in records:
            _add_case(suite, record, procedure, summary.repeat)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(summary: RunSummary, path: Path, *, started: str | None = None) -> None:
    atomic_write(Path(path), junit_xml(summary, started=started))


def json_report(summary: RunSummary, *, run: dict | None = None) -> str:
    """Every detail of every result, under `"schema": "run-all/v1"`; `run`: the stored
    run (engine, model, revisions...)."""
    data = {"schema": "run-all/v1"} | summary.to_dict(details=False) | {"results": []}
    if run is not None:
        data = {"schema": "run-all/v1", "run": run} | data
    return "".join(_json_chunks(data, summary.result_dicts())) + "\n"


def write_json(summary: RunSummary, path: Path, *, run: dict | None = None) -> None:
    atomic_write(Path(path), json_report(summary, run=run))


def _json_chunks(data: dict, results) -> Iterator[str]:
    """`json.dumps(data with its results, indent=2)` text, one result dumped at a time: the
    same JSON without holding every result of a 20,000-simulation run as objects at once.
    Results go through pydantic's serializer: json.dumps with an indent is pure Python, and
    the report took 0.17-0.4 s of the 0.3 s a 320-simulation model run may take to exit
    after its last answer (the text is the same but for an exponent: 1e-7, not 1e-07)."""
    head = json.dumps(data, indent=2, ensure_ascii=False)
    marker = '\n  "results": []\n}'
    assert head.endswith(marker)
    yield head[:-len(marker)] + '\n  "results": ['
    first = True
    for item in results:
        text = to_json(item, indent=2).decode().replace("\n", "\n    ")
        yield ("\n    " if first else ",\n    ") + text
        first = False
    yield "]\n}" if first else "\n  ]\n}"

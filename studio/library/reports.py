"""Run results for CI: JUnit XML (one testsuite per procedure) and JSON with every detail."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from studio.core.yaml_io import atomic_write

from .records import ResultRecord
from .run_all import RunSummary


def _case_name(record: ResultRecord, repeat: int) -> str:
    return record.simulation + (f" [repeat {record.repeat_index + 1}]" if repeat > 1 else "")


def junit_xml(summary: RunSummary, *, name: str = "procedure-studio") -> str:
    suites: dict[str, list[ResultRecord]] = {}
    for record in sorted(summary.records, key=lambda r: (r.result.procedure or "", r.simulation,
                                                         r.repeat_index)):
        suites.setdefault(record.result.procedure or "(no procedure)", []).append(record)
    root = ET.Element("testsuites", name=name, tests=str(summary.done),
                      failures=str(summary.failed), errors=str(summary.errors),
                      time=f"{summary.duration_s:.3f}")
    for procedure, records in suites.items():
        suite = ET.SubElement(
            root, "testsuite", name=procedure, tests=str(len(records)),
            failures=str(sum(r.status == "failed" for r in records)),
            errors=str(sum(r.status == "error" for r in records)),
            skipped="0",
            time=f"{sum(r.result.duration_ms for r in records) / 1000:.3f}")
        for record in records:
            result = record.result
            case = ET.SubElement(suite, "testcase", name=_case_name(record, summary.repeat),
                                 classname=procedure, time=f"{result.duration_ms / 1000:.3f}")
            if result.status == "failed":
                failed = result.failed_expectations
                messages = [f"{e.type}: {e.message}" for e in failed] or ["failed"]
                element = ET.SubElement(case, "failure", message=messages[0],
                                        type=failed[0].type if failed else "failed")
                element.text = "\n".join(messages)
            elif result.status == "error":
                element = ET.SubElement(case, "error", message=result.error or "error",
                                        type="error")
                element.text = result.error or ""
            skipped = [e for e in result.expectations if e.status == "skipped"]
            if skipped:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(f"skipped {e.type}: {e.message}" for e in skipped)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(summary: RunSummary, path: Path) -> None:
    atomic_write(Path(path), junit_xml(summary))


def write_json(summary: RunSummary, path: Path) -> None:
    atomic_write(Path(path), json.dumps(summary.to_dict(details=True), indent=2,
                                        ensure_ascii=False) + "\n")

"""The conversations report as one self-contained HTML page (no scripts, no network):
tables a lead can print or mail, with a bar per week of triggered / resolved / handed off."""
from __future__ import annotations

from html import escape
from typing import Any

STYLE = """body{font:14px system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.bar{display:inline-block;height:10px}.r{background:#3a9d5d}.h{background:#e3a33b}.u{background:#c94c4c}"""


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def num(value: Any) -> str:
    return "-" if value is None else str(value)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _bars(row: dict[str, Any], scale: float) -> str:
    return "".join(f'<span class="bar {cls}" style="width:{row[key] * scale:.0f}px"></span>'
                   for key, cls in (("resolved", "r"), ("handoff", "h"), ("unresolved", "u")))


def render_html(data: dict[str, Any], project_name: str) -> str:
    procedures = [[p["procedure"], p["triggered"], p["resolved"], p["handoff"], p["unresolved"],
                   pct(p["completion_rate"]), pct(p["success_rate"]), num(p["avg_turns"]),
                   num(p["avg_minutes"]), num(p["csat"])] for p in data["procedures"]]
    biggest = max((w["triggered"] for w in data["weeks"]), default=1) or 1
    weeks = "".join(
        f"<tr><td>{escape(w['week'] or '-')}</td><td>{escape(w['procedure'])}</td>"
        f"<td>{w['triggered']}</td><td>{w['resolved']}</td><td>{w['handoff']}</td>"
        f"<td>{w['unresolved']}</td><td style='text-align:left'>{_bars(w, 200 / biggest)}</td></tr>"
        for w in data["weeks"])
    modes = [[m["step"], m["outcome"], m["count"]] for m in data["failure_modes"]["steps"]]
    clusters = [[c.get("name") or c["label"], c["count"], " | ".join(c["examples"])]
                for c in data["unmatched"]["clusters"]]
    period = data["period"]
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(project_name)}: conversations</title>
<style>{STYLE}</style></head><body>
<h1>{escape(project_name)}: production conversations</h1>
<p>{data['total']} conversations from {escape(period['from'] or '-')} to {escape(period['to'] or '-')}.
Completion: ended as designed (resolved or handed off); success: resolved.</p>
<h2>By procedure</h2>
{_table(["procedure", "triggered", "resolved", "handed off", "unresolved", "completion", "success",
         "avg turns", "avg minutes", "CSAT"], procedures)}
<h2>By week</h2>
<table><tr><th>week of</th><th>procedure</th><th>triggered</th><th>resolved</th><th>handed off</th>
<th>unresolved</th><th>resolved / handed off / unresolved</th></tr>{weeks}</table>
<h2>Failure modes (today's replay of {data['failure_modes']['replayed']} conversations)</h2>
{_table(["ends at step", "outcome", "conversations"], modes) if modes else
 "<p>No replay yet: run <code>studio conversations replay</code>.</p>"}
<h2>Top unmatched requests ({data['unmatched']['total']})</h2>
{_table(["request", "conversations", "example openers"], clusters)}
</body></html>
"""

"""One side of the side-by-side diff as step cards (HTML for a QTextBrowser): each step's
fields, the changed ones highlighted on both sides; added, removed, changed and moved
steps marked with a coloured stripe, as on the flowchart."""
from __future__ import annotations

from html import escape
from typing import Any

from studio.govern.semantic_diff import ItemDiff, SemanticDiff, flatten, step_fields, walk

from ..theme import MARK_COLORS

HIGHLIGHT_BG, HIGHLIGHT_FG = "#FDE68A", "#1F2937"
PLAIN = "#CBD5E1"
MAX_TEXT = 400


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT - 1] + "…"
    return escape(text).replace("\n", "<br>")


def step_marks(item: ItemDiff | None, side: str) -> dict[str, str]:
    """step id -> added / removed / changed / moved, for the cards and the flowchart."""
    if item is None:
        return {}
    wanted = {"old": ("removed", "changed", "moved"), "new": ("added", "changed", "moved")}[side]
    return {s.id: s.status for s in item.steps if s.status in wanted}


def changed_paths(item: ItemDiff | None) -> dict[str, set[str]]:
    if item is None:
        return {}
    return {s.id: {f.path for f in s.fields} for s in item.steps if s.fields}


def _card(step: dict, depth: int, mark: str | None, changed: set[str], where: str) -> str:
    stripe = MARK_COLORS.get(mark or "", PLAIN)
    rows = []
    fields = flatten(step_fields(step))            # one order on both sides: when first, then a-z
    for path, value in sorted(fields.items(), key=lambda kv: (kv[0] != "when", kv[0])):
        if path == "kind":
            continue
        label, text = escape(path), _value(value)
        if path in changed:
            rows.append(f"<tr><td style='color:{HIGHLIGHT_FG}' bgcolor='{HIGHLIGHT_BG}'>"
                        f"<b>{label}</b></td><td style='color:{HIGHLIGHT_FG}' "
                        f"bgcolor='{HIGHLIGHT_BG}'>{text}</td></tr>")
        else:
            rows.append(f"<tr><td><i>{label}</i></td><td>{text}</td></tr>")
    badge = f" <b style='color:{stripe}'>{mark}</b>" if mark else ""
    head = (f"<b>{escape(step.get('id', '?'))}</b> · {escape(step.get('kind', '?'))}{badge}"
            + (f" <span style='color:#6B7280'>({escape(where)})</span>" if where else ""))
    return (f"<a name='{escape(step.get('id', ''))}'></a><table width='100%' cellspacing='0' cellpadding='3' style='margin-left:{depth * 18}px;"
            f" margin-bottom:6px'><tr><td width='5' bgcolor='{stripe}'></td><td>{head}"
            f"<table cellspacing='0' cellpadding='2'>{''.join(rows)}</table></td></tr></table>")


def side_html(procedure: dict | None, diff: SemanticDiff | None, side: str, title: str) -> str:
    """The cards of `procedure` (plain data) as it is on `side` ("old" or "new")."""
    out = [f"<h3>{escape(title)}</h3>"]
    if procedure is None:
        return "".join(out) + "<p><i>No such revision: nothing to compare with.</i></p>"
    item = diff.item("procedure", procedure.get("id", "")) if diff else None
    marks, changed = step_marks(item, side), changed_paths(item)
    moved_from = {s.id: s.moved_from for s in (item.steps if item else []) if s.status == "moved"}
    if item is not None and item.fields:
        rows = "".join(f"<li><b>{escape(f.path)}</b>: {_value(f.old if side == 'old' else f.new)}</li>"
                       for f in item.fields)
        out.append(f"<p style='color:{HIGHLIGHT_FG}; background-color:{HIGHLIGHT_BG}'>"
                   f"Procedure settings changed:</p><ul>{rows}</ul>")
    depth_of: dict[str, int] = {}
    for container, _index, step in walk(procedure.get("steps") or []):
        parent = container.rpartition("#")[0]
        depth = 0 if not container else depth_of.get(parent, 0) + 1
        depth_of[step.get("id", "")] = depth
        sid = step.get("id", "")
        where = f"moved from {moved_from[sid]}" if side == "new" and sid in moved_from else ""
        out.append(_card(step, depth, marks.get(sid), changed.get(sid, set()), where))
    if diff is not None:
        others = [i for i in diff.items if not (i.kind == "procedure" and i.id == procedure.get("id"))]
        if others and side == "new":
            lines = "".join(f"<li>{escape(i.kind)} <b>{escape(i.id)}</b>: {escape(i.status)}"
                            + (f" ({escape(', '.join(f.path for f in i.fields[:6]))})"
                               if i.status == "changed" and i.fields else "") + "</li>"
                            for i in others)
            out.append(f"<p><b>Also changed in what it uses:</b></p><ul>{lines}</ul>")
    return "".join(out)

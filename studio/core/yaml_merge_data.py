"""Plain-data rules for saving onto a hand-written file: what counts as unchanged,
which old list item a new one continues, and which default values the designer
wrote on purpose (and so stay in the file)."""
from __future__ import annotations

import json
from difflib import SequenceMatcher
from typing import Any, Container

_MISSING = object()


def same(a: Any, b: Any) -> bool:
    """Equal as YAML data: `10` and `10.0` are the same number, but `1` is not `true`
    and `"1"` is not `1` (Python's == says otherwise for the first two)."""
    if isinstance(a, dict):
        return (isinstance(b, dict) and len(a) == len(b)
                and all(key in b and same(value, b[key]) for key, value in a.items()))
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)):
        return isinstance(b, (int, float)) and a == b
    if isinstance(a, str):
        return isinstance(b, str) and a == b
    return a is None and b is None


def default_equivalent(old: Any, full: Any) -> bool:
    """`old` (what the file says) reads as `full` (the model's complete dump of a value
    that is at its default): every key it writes agrees, the ones it leaves out are
    defaults anyway. So `model: {name: offline}` is the default model settings."""
    if isinstance(old, dict) and isinstance(full, dict):
        return all(key in full and default_equivalent(value, full[key]) for key, value in old.items())
    if isinstance(old, list) and isinstance(full, list):
        return len(old) == len(full) and all(default_equivalent(x, y) for x, y in zip(old, full))
    return same(old, full)


def with_kept_defaults(old: Any, new: Any, full: Any, _by_id: dict[str, Any] | None = None) -> Any:
    """`new` (the model's data without defaults) plus the keys the old file wrote
    explicitly whose value is still the default, such as `outcome: resolved`.

    `full` is the model's dump with defaults, aligned with `new`. Kept keys hold the
    file's own value (`timeout: 10`, not 10.0) so they stay byte for byte. A step
    that moved to another list keeps its explicit defaults too."""
    if _by_id is None:
        _by_id = items_by_id(old)
    if isinstance(new, dict) and isinstance(old, dict) and isinstance(full, dict):
        out: dict[str, Any] = {}
        for key, full_value in full.items():
            if key in new:
                out[key] = with_kept_defaults(old.get(key, _MISSING), new[key], full_value, _by_id)
            elif key in old and default_equivalent(old[key], full_value):
                out[key] = old[key]
        for key, value in new.items():       # defensive: a key the full dump lacks
            if key not in out:
                out[key] = value
        return out
    if isinstance(new, list) and isinstance(full, list) and len(full) == len(new):
        old_list = old if isinstance(old, list) else []
        pairs = match_items(old_list, new, elsewhere=_by_id)
        out_list = []
        for value, full_value, i in zip(new, full, pairs):
            if i is not None:
                value = with_kept_defaults(old_list[i], value, full_value, _by_id)
            elif isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"] in _by_id:
                value = with_kept_defaults(_by_id[value["id"]], value, full_value, _by_id)
            out_list.append(value)
        return out_list
    return new


def items_by_id(data: Any) -> dict[str, Any]:
    """Every list item with an `id` (steps, at any depth), by id; the first of twins."""
    found: dict[str, Any] = {}
    todo = [data]
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            todo.extend(value.values())
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    found.setdefault(item["id"], item)
            todo.extend(value)
    return found


def match_items(old: list, new: list, elsewhere: Container[str] = ()) -> list[int | None]:
    """For each new item, the index of the old item it continues (None: a new item).

    Steps (mappings with an `id`) match by id, wherever they moved; a step whose id
    changed matches the unmatched old step of the same kind in the same place
    (unless its id is `elsewhere` in the old file: then it moved here from there).
    Other lists match equal items in order and pair changed ones by position."""
    if old and new and _all_have_ids(old) and _all_have_ids(new):
        return _match_by_id(old, new, elsewhere)
    return _match_by_content(old, new)


def _all_have_ids(items: list) -> bool:
    return all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in items)


def _match_by_id(old: list, new: list, elsewhere: Container[str]) -> list[int | None]:
    where: dict[str, list[int]] = {}
    for index, item in enumerate(old):
        where.setdefault(item["id"], []).append(index)
    pairs: list[int | None] = []
    for item in new:
        found = where.get(item["id"])
        pairs.append(found.pop(0) if found else None)
    if None in pairs:
        used = {i for i in pairs if i is not None}
        for j, item in enumerate(new):
            if pairs[j] is not None or item["id"] in elsewhere:
                continue
            lo = next((pairs[k] for k in range(j - 1, -1, -1) if pairs[k] is not None), -1)
            hi = next((pairs[k] for k in range(j + 1, len(new)) if pairs[k] is not None), len(old))
            for i in range(lo + 1, hi):
                if i not in used and old[i].get("kind") == item.get("kind"):
                    pairs[j] = i
                    used.add(i)
                    break
    return pairs


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _match_by_content(old: list, new: list) -> list[int | None]:
    matcher = SequenceMatcher(None, [_canonical(x) for x in old], [_canonical(x) for x in new],
                              autojunk=False)
    pairs: list[int | None] = [None] * len(new)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for k in range(min(i2 - i1, j2 - j1)):
                pairs[j1 + k] = i1 + k
    return pairs

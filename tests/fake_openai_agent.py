"""A responder for FakeOpenAI that answers the model engine's prompts the way the
offline engine would: fuzzy routing, keyword switching, rule-based extraction,
replies made of the `say` examples, a customer who is satisfied, a lenient judge.

It lets tests and benchmarks run the sample simulations through the real model
path (prompts, HTTP, structured output, cache) and still expect them to pass.
"""
from __future__ import annotations

import ast
import json
import re
from typing import Any

from rapidfuzz import fuzz

from studio.core.procedure import Variable
from studio.runtime.compiled import normalize
from studio.runtime.extraction import extract_value
from studio.runtime.offline_brain import ROUTE_THRESHOLD, keyword_re


def _json(data: dict) -> str:
    return json.dumps(data)


def _between(text: str, start: str, end: str) -> str:
    i = text.find(start)
    if i == -1:
        return ""
    i += len(start)
    j = text.find(end, i)
    return text[i:j if j != -1 else None]


def _latest(user: str) -> str:
    return user.split("Latest customer message:\n", 1)[-1]


def route(system: str, user: str) -> str:
    catalogue = json.loads(_between(system, "Procedures:\n", "\nAnswer in JSON"))
    text = normalize(re.sub(r"\n\[attached: .*\]$", "", user))
    best, best_score = None, 0.0
    for item in catalogue:
        scores = [fuzz.token_set_ratio(text, normalize(e)) for e in item.get("examples", [])]
        scores.append(0.9 * fuzz.token_set_ratio(text, normalize(item.get("when", ""))))
        score = max(scores) if text else 0.0
        if score > best_score:
            best, best_score = item["id"], score
    if best_score < ROUTE_THRESHOLD:
        best = None
    return _json({"reasoning": f"closest trigger scored {best_score:.0f}", "procedure": best})


def switch(system: str, user: str) -> str:
    message = _latest(user)
    for line in system.splitlines():
        match = re.match(r"^(\d+)\. (.*) -> ", line)
        if not match:
            continue
        for keyword in re.findall(r"'([^']+)'", match.group(2)):
            if keyword_re(keyword).search(message):
                return _json({"reasoning": f"the customer said '{keyword}'", "rule": int(match.group(1))})
    return _json({"reasoning": "no signal", "rule": None})


_VAR_LINE = re.compile(r"^- (\w+) \((\w+)\): (.*)$")


def _variables(block: str) -> dict[str, Variable]:
    out = {}
    for line in block.splitlines():
        match = _VAR_LINE.match(line)
        if not match:
            continue
        name, kind, rest = match.groups()
        pattern = re.search(r"; format (.*)$", rest)
        options = re.search(r"; one of (\[.*?\])(;|$)", rest)
        out[name] = Variable(type=kind, pattern=pattern.group(1) if pattern else None,
                             description=re.split(r"; (format|one of) ", rest)[0],
                             options=ast.literal_eval(options.group(1)) if options else None)
    return out


def extract(system: str, user: str, images: int = 0) -> str:
    wanted = _variables(_between(system, "Values the step asks for:\n", "\nOther values")
                        or _between(system, "Values the step asks for:\n", "\nAnswer in JSON"))
    is_start = "This message opened the conversation." in system
    message = re.sub(r"\n\[attached: .*\]$", "", _latest(user))
    found: dict[str, Any] = {}
    plain = []
    others = _variables(_between(system, "explicitly:\n", "\nAnswer in JSON"))
    for name, var in (others | wanted).items():     # the fake "sees" the photo it was sent
        if images and var.type == "boolean" and "photo" in (var.description or "").lower():
            found[name] = True
    for name, var in wanted.items():
        if name in found:
            continue
        if var.type == "string" and not var.pattern:
            plain.append(name)
            continue
        hit = extract_value(message, var, is_answer=not is_start)
        if hit is not None:
            found[name] = hit[0]
    if plain and not found and not is_start and message.strip():
        found[plain[0]] = message.strip()
    others = _variables(_between(system, "explicitly:\n", "\nAnswer in JSON"))
    every = dict.fromkeys([*wanted, *others])          # the schema wants every field, null if unsaid
    return _json({"reasoning": "read the message", **every, **found})


def switch_and_extract(system: str, user: str, images: int = 0) -> str:
    """The engine's one call for both (issue 13): the switch check's rule, then every field."""
    values = json.loads(extract(system, user, images))
    rule = json.loads(switch(system, user))["rule"]
    values.pop("reasoning", None)
    return _json({"reasoning": "checked the rules, read the message", "switch_rule": rule,
                  **values})


def reply(system: str, user: str) -> str:
    lines = _between(system, "in one message:\n", "\nSay only what").splitlines()
    texts: list[str] = []
    for i, line in enumerate(lines):
        if re.match(r"^\d+\. ", line):
            example = lines[i + 1] if i + 1 < len(lines) else ""
            said = re.match(r'^\s+Example wording \(keep its facts and numbers\): "(.*)"$', example)
            if said:
                texts.append(said.group(1))
            else:
                texts.append(line.split(": ", 1)[1] if ": " in line else "")
    return _json({"reasoning": "followed the steps", "reply": "\n".join(t for t in texts if t)})


def customer(system: str, user: str) -> str:
    return _json({"reasoning": "the agent handled it", "message": "Thanks, that's all.",
                  "done": True})


def judge(system: str, user: str) -> str:
    count = len(re.findall(r"^\d+\. ", _between(system, "Criteria:\n", "\n\n"), re.M)) or 1
    return _json({"results": [{"criterion": i, "passed": True, "reasoning": "met"}
                              for i in range(1, count + 1)]})


def agent_responder(body: dict) -> str:
    """Dispatch on the prompt: the engine's system prompts start with fixed words."""
    messages = body.get("messages", [])
    system = messages[0]["content"] if messages else ""
    user = messages[1]["content"] if len(messages) > 1 else ""
    images = 0
    if isinstance(user, list):              # text and image parts (a vision model's message)
        images = sum(1 for part in user if part.get("type") == "image_url")
        user = "\n".join(part.get("text", "") for part in user if part.get("type") == "text")
    if system.startswith("You read") and "`switch_rule`" in system:
        return switch_and_extract(system, user, images)
    if images and system.startswith("You read"):
        return extract(system, user, images)
    for prefix, handler in (("You route", route), ("You watch", switch), ("You read", extract),
                            ("You are a customer-service agent", reply),
                            ("You play a customer", customer), ("You judge", judge)):
        if system.startswith(prefix):
            return handler(system, user)
    return "ok"

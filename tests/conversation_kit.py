"""Generated production conversations for the food-delivery sample.

`scenario(i)` is a conversation's customer side and logged connector outputs, with
`meta` saying what decides it (hours since delivery, photo...). `with_production`
fills in what production did by running today's procedures once, so a replay starts
from zero divergences and a test perturbs exactly what it checks. `fast_line(i)`
writes plausible conversations without the engine, for the 100,000-line benchmark.
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Any

START = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)      # a Monday
UNMATCHED = ["do you sell gift cards?", "do you have gift cards for sale",
             "what are your opening hours", "what time do you open",
             "can I change my email address", "how do I change my email"]


def _at(i: int, minute: int) -> str:
    moment = START + timedelta(hours=i * 7 % (24 * 27), minutes=minute)
    return moment.isoformat().replace("+00:00", "Z")


def scenario(i: int) -> dict[str, Any]:
    rng = random.Random(i)
    order = f"FD-{100000 + i:06d}"
    segment = rng.choice(["vip", "regular", "new"])
    kind = ["damaged", "damaged", "late", "cancel", "unmatched"][i % 5]
    calls: list[dict[str, Any]] = []
    meta: dict[str, Any] = {"kind": kind}
    if kind == "damaged":
        hours = rng.choice([2, 6, 15, 20, 30])
        total = rng.choice([18.5, 24.0, 42.5, 64.9])
        photo = rng.choice(["yes", "no"])
        meta |= {"hours": hours, "total": total, "photo": photo}
        script = [rng.choice(["my pizza arrived crushed", "the box was smashed and the food is ruined",
                              "my order arrived damaged"]), f"It's {order}", photo]
        calls = [{"connector": "get_order", "inputs": {"order_id": order},
                  "output": {"id": order, "status": "delivered", "restaurant": "Luigi's Pizzeria",
                             "total": total, "hours_since_delivery": hours, "minutes_late": 0}},
                 {"connector": "issue_refund", "output": {"ok": True, "refund_id": f"RF-{i}"}},
                 {"connector": "issue_voucher", "output": {"code": f"V-{i}"}}]
    elif kind == "late":
        away = rng.choice([5, 10, 25, 40])
        meta |= {"minutes_away": away}
        script = [rng.choice(["where is my order", "my food is late"]), order, "wait"]
        calls = [{"connector": "get_order", "output": {"id": order, "status": "out_for_delivery",
                                                      "total": 30.0, "minutes_late": 35}},
                 {"connector": "get_courier_eta", "output": {"courier": "Sam", "minutes_away": away}},
                 {"connector": "issue_voucher", "output": {"code": f"V-{i}"}}]
    elif kind == "cancel":
        status = rng.choice(["preparing", "out_for_delivery", "delivered"])
        meta |= {"status": status}
        script = ["I want to cancel my order", order, "yes"]
        calls = [{"connector": "get_order", "output": {"id": order, "status": status,
                                                      "restaurant": "Wok On", "total": 22.0}},
                 {"connector": "cancel_order", "output": {"ok": True, "refund_amount": 22.0}}]
    else:
        script = [UNMATCHED[i % len(UNMATCHED)]]
    messages = [{"role": "customer", "text": t, "at": _at(i, n * 2)} for n, t in enumerate(script)]
    return {"id": f"c-{i:06d}", "started_at": _at(i, 0), "channel": "chat",
            "customer": {"segment": segment}, "messages": messages, "connector_calls": calls,
            "csat": rng.choice([None, 2, 3, 4, 5]), "meta": meta}


def with_production(project: Any, conv: dict[str, Any]) -> dict[str, Any]:
    """What production did = what today's procedures do (customer and agent interleaved)."""
    from studio.flywheel.conversation import ProductionConversation
    from studio.flywheel.replay import replay_one
    parsed = ProductionConversation.model_validate(conv)
    replay = replay_one(project, parsed)
    customer = iter(conv["messages"])
    messages: list[dict[str, Any]] = []
    for entry in replay.transcript:
        if entry["role"] == "customer":
            messages.append(next(customer))
        elif entry["role"] == "agent":
            messages.append({"role": "agent", "text": entry["text"], "at": messages[-1]["at"]})
    if replay.outcome == "handoff":
        messages.append({"role": "human", "text": "Hi, Sam from support here.",
                         "at": messages[-1]["at"]})
    return conv | {"messages": messages, "procedure": replay.triggered, "outcome": replay.outcome}


def fast_line(i: int) -> str:
    """A plausible conversation line without running the engine (benchmarks)."""
    conv = scenario(i)
    conv.pop("meta")
    texts = [m for m in conv["messages"]]
    messages = []
    for message in texts:
        messages.append(message)
        messages.append({"role": "agent", "text": f"Thanks! Noted {message['text'][:20]}, "
                                                  f"reference RF-{i}, amount {i % 90}.50"})
    conv["messages"] = messages + [{"role": "customer",
                                    "text": "thanks, reach me at jo@example.com or +44 7700 900123"}]
    conv["procedure"] = "damaged-order" if i % 5 < 2 else None
    conv["outcome"] = "resolved"
    return json.dumps(conv)


def traced_import(project: Any, data: Any, reports: list) -> tuple[Any, int]:
    """Import `data` into the project's library: (summary, peak traced bytes), with each
    progress report appended to `reports` as (done, total)."""
    import tracemalloc

    from studio.core.progress import Progress
    from studio.flywheel.importer import import_files
    from studio.library import Library
    with Library.open(project) as library:
        tracemalloc.start()
        try:
            summary = import_files(library, [data],
                                   progress=Progress(lambda d, t, m: reports.append((d, t))))
            return summary, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

"""Unmatched requests grouped by similarity (offline, rapidfuzz), biggest first.

Leader clustering: each opener joins the first cluster whose leader it resembles
(token-set ratio at or over THRESHOLD), else starts one. Openers are read one at a
time, so only the clusters' leaders, counts and a few examples are held.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz, process, utils

THRESHOLD = 60
EXAMPLES = 5


@dataclass
class Cluster:
    leader: str
    count: int = 0
    examples: Counter = field(default_factory=Counter)
    ids: list[str] = field(default_factory=list)    # a few conversation ids, to open one
    name: str | None = None                          # given by a model (cluster_names)

    @property
    def label(self) -> str:
        return self.examples.most_common(1)[0][0] if self.examples else self.leader

    def to_dict(self) -> dict:
        return {"label": self.label, "name": self.name, "count": self.count,
                "examples": [text for text, _ in self.examples.most_common(EXAMPLES)],
                "conversations": self.ids}

    def outline(self) -> str:
        """What the draft feature gets: the requests, in the customers' words."""
        lines = "\n".join(f"- {text}" for text, _ in self.examples.most_common(EXAMPLES * 2))
        return (f"Customers ask for something no procedure handles yet ({self.count} "
                f"conversations). Typical first messages:\n{lines}\n\nWrite a procedure that "
                "recognises these requests, asks for what it needs, and resolves them or hands "
                "off to a teammate with a clear note.")


def cluster_openers(openers: Iterable[tuple[str, str]], *, threshold: int = THRESHOLD,
                    keep_examples: int = 50) -> list[Cluster]:
    """`openers`: (conversation id, first customer message) pairs."""
    clusters: list[Cluster] = []
    leaders: list[str] = []
    for conv_id, text in openers:
        text = (text or "").strip()
        if not text:
            continue
        key = utils.default_process(text)
        match = process.extractOne(key, leaders, scorer=fuzz.token_set_ratio,
                                   score_cutoff=threshold) if leaders else None
        if match is None:
            clusters.append(Cluster(leader=text))
            leaders.append(key)
            cluster = clusters[-1]
        else:
            cluster = clusters[match[2]]
        cluster.count += 1
        if text in cluster.examples or len(cluster.examples) < keep_examples:
            cluster.examples[text] += 1
        if len(cluster.ids) < EXAMPLES:
            cluster.ids.append(conv_id)
    return sorted(clusters, key=lambda c: (-c.count, c.label))

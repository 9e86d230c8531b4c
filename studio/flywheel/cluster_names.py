"""With a model, each unmatched cluster gets a short name ("Gift card purchases") from
its example openers: one structured call for the clusters shown."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .clusters import Cluster


class ClusterNames(BaseModel):
    names: list[str] = Field(description="one short name per numbered group, in order")


def name_clusters(clusters: list[Cluster], settings: Any) -> None:
    """Sets `cluster.name` on each of `clusters`; raises the llm package's ModelError."""
    from studio.llm.client import complete
    if not clusters:
        return
    groups = "\n".join(f"{n}. " + " | ".join(text for text, _ in c.examples.most_common(5))
                       for n, c in enumerate(clusters, start=1))
    messages = [
        {"role": "system", "content": "You name groups of customer-service requests that no "
                                      "procedure handles yet. Give each group a name of 2 to 5 "
                                      "words saying what the customers want."},
        {"role": "user", "content": f"First messages, by group:\n{groups}\n\n"
                                    f"Answer with exactly {len(clusters)} names, in order."}]
    parsed = complete(messages, settings=settings, response_format=ClusterNames).parsed
    for cluster, name in zip(clusters, parsed.names):
        cluster.name = name.strip()[:80] or None

"""How many topics a config produces, computed before any LLM call.

Tree and graph alike: every node above `depth` is expanded into exactly `degree` new
subtopics, so there are `degree**depth` topics (leaves) and sum(degree**i, i=0..depth)
nodes. In a graph, cross-links only add edges: a link attaches an existing, deeper node
under the node being expanded, which is itself never a leaf, so the leaf and node counts
stay exact; the number of links is not known in advance (at most `max_links` per
expanded node). The counts are exact when every expansion succeeds; a failed expansion
(its node becomes a leaf) or a node left with fewer than `degree` distinct subtopics can
only lower them, and the final report says by how much and why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .config import TopicsConfig


@dataclass(frozen=True)
class TopicPlan:
    mode: str
    depth: int
    degree: int
    topics: int  # leaves, each one root-to-leaf path a sample is anchored to
    nodes: int  # including the root
    expansions: int  # nodes expanded, i.e. the minimum number of LLM calls
    max_links: int  # graph, cross-linked: an upper bound on cross-links; else 0

    def describe(self) -> str:
        text = (
            f"{self.topics:,} topics ({self.mode}, degree {self.degree}, depth {self.depth}): "
            f"{self.nodes:,} nodes from {self.expansions:,} expansions"
        )
        if self.max_links:
            text += f", up to {self.max_links:,} cross-links"
        return text

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def plan_topics(config: TopicsConfig) -> TopicPlan:
    degree, depth = config.degree, config.depth
    expansions = sum(degree**level for level in range(depth))
    return TopicPlan(
        mode=config.mode,
        depth=depth,
        degree=degree,
        topics=degree**depth,
        nodes=expansions + degree**depth,
        expansions=expansions,
        max_links=expansions * config.max_links if config.cross_linked else 0,
    )

"""Cut a topic structure down: below a level, or one node with everything under it.

    from tracefabric.topics import load_topics, prune_topics, save_topics
    smaller, report = prune_topics(load_topics("topic_graph.json"), level=2)
    save_topics(smaller, "topic_graph.level2.json")

`--id X` removes X and every node whose stored path runs through X; cross-links into the
removed part go too. A parent left without children becomes a leaf, i.e. a topic. Node
ids and topic ids of the kept nodes do not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracefabric.errors import ConfigError

from .model import TopicNode, TopicSet


@dataclass(frozen=True)
class PruneReport:
    removed_nodes: int
    removed_links: int
    topics_before: int
    topics_after: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def describe(self) -> str:
        return (
            f"removed {self.removed_nodes} nodes and {self.removed_links} cross-links; "
            f"topics {self.topics_before} → {self.topics_after}"
        )


def prune_topics(
    topics: TopicSet, *, level: int | None = None, node: str | None = None
) -> tuple[TopicSet, PruneReport]:
    """A pruned copy (the input is left as it was). Give exactly one of `level` or `node`."""
    if (level is None) == (node is None):
        raise ConfigError("prune: give exactly one of --level or --id")
    if level is not None:
        if level < 1:
            raise ConfigError(f"prune: --level must be 1 or more (got {level}); level 0 is the root alone")

        def keep(candidate: TopicNode) -> bool:
            return candidate.depth <= level

    else:
        try:
            target = topics.find(str(node))
        except KeyError as exc:
            raise ConfigError(f"prune: {exc.args[0]}") from None
        if target.id == topics.root_id:
            raise ConfigError("prune: cannot remove the root")
        prefix, size = target.path, len(target.path)

        def keep(candidate: TopicNode) -> bool:
            return candidate.path[:size] != prefix

    kept = {node_id for node_id, candidate in topics.nodes.items() if keep(candidate)}
    removed_links = sum(
        1
        for old in topics.nodes.values()
        for c in old.children
        if (old.id not in kept or c not in kept) and not topics.is_path_child(old, c)
    )
    nodes = []
    for node_id in sorted(kept):
        old = topics.nodes[node_id]
        children = [c for c in old.children if c in kept]
        parents = [p for p in old.parents if p in kept]
        nodes.append(
            TopicNode(
                id=old.id,
                topic=old.topic,
                path=old.path,
                children=children,
                parents=parents,
                metadata=dict(old.metadata),
                topic_id=old.topic_id,
            )
        )
    pruned = TopicSet.from_nodes(nodes, topics.root_id, topics.mode, topics.metadata)
    report = PruneReport(
        removed_nodes=len(topics) - len(pruned),
        removed_links=removed_links,
        topics_before=len(topics.leaves()),
        topics_after=len(pruned.leaves()),
    )
    return pruned, report

"""Look at a topic structure: a summary, an outline, a table or JSON.

from tracefabric.topics import inspect_topics
report = inspect_topics("topic_tree.jsonl", level=1)
report["summary"]["topics"], [n["topic"] for n in report["nodes"]]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .files import load_topics
from .model import TopicNode, TopicSet


def as_topic_set(source: TopicSet | str | Path) -> TopicSet:
    return source if isinstance(source, TopicSet) else load_topics(source)


def summarize(topics: TopicSet) -> dict[str, Any]:
    by_level: Counter[int] = Counter()
    leaves_by_level: Counter[int] = Counter()
    degrees = []
    for node in topics.nodes.values():
        by_level[node.depth] += 1
        if node.children:
            degrees.append(len(topics.path_children(node)))
        else:
            leaves_by_level[node.depth] += 1
    return {
        "mode": topics.mode,
        "root": topics.root.topic,
        "nodes": len(topics),
        "topics": sum(leaves_by_level.values()),
        "depth": topics.depth,
        "links": topics.links,
        "failed": sum(1 for node in topics.nodes.values() if node.failed),
        "degree": {
            "min": min(degrees, default=0),
            "max": max(degrees, default=0),
            "mean": round(sum(degrees) / len(degrees), 2) if degrees else 0,
        },
        "levels": [
            {"level": level, "nodes": by_level[level], "topics": leaves_by_level[level]}
            for level in sorted(by_level)
        ],
    }


def node_record(topics: TopicSet, node: TopicNode) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": node.id,
        "topic_id": node.topic_id,
        "depth": node.depth,
        "topic": node.topic,
        "path": list(node.path),
        "children": list(node.children),
        "parents": list(node.parents),
        "leaf": not node.children,
    }
    if node.failed:
        record["failed"] = node.metadata["failed"]
    return record


def inspect_topics(source: TopicSet | str | Path, level: int | None = None) -> dict[str, Any]:
    """Summary plus every node down to `level` (all when None), in outline order."""
    topics = as_topic_set(source)
    return {
        "summary": summarize(topics),
        "nodes": [node_record(topics, node) for node in topics.walk(max_depth=level)],
    }


def outline_lines(topics: TopicSet, level: int | None = None, *, ids: bool = True) -> Iterator[str]:
    """The structure as an indented outline; cross-links are shown with ↪, failures with ✗."""

    def label(node: TopicNode) -> str:
        text = node.topic if node.depth else " ".join(node.topic.split())[:100]
        if ids:
            text += f"  [{node.topic_id[:8]}]"
        if node.failed:
            text += "  ✗ failed"
        return text

    yield label(topics.root)

    def visit(node: TopicNode, prefix: str) -> Iterator[str]:
        if level is not None and node.depth >= level:
            return
        entries: list[tuple[TopicNode, bool]] = [(c, False) for c in topics.path_children(node)]
        entries += [(c, True) for c in topics.link_children(node)]
        for index, (child, is_link) in enumerate(entries):
            last = index == len(entries) - 1
            branch = "└── " if last else "├── "
            if is_link:
                yield f"{prefix}{branch}↪ {child.topic}  [{child.topic_id[:8]}] (cross-link)"
                continue
            yield prefix + branch + label(child)
            yield from visit(child, prefix + ("    " if last else "│   "))

    yield from visit(topics.root, "")

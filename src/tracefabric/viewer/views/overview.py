"""The overview of a dataset: the stats library's numbers (from the collector the index kept),
the topic tree with records per topic, the failures file by reason, the verify statuses,
and what the run says about itself."""

from __future__ import annotations

from typing import Any

from tracefabric.errors import TracefabricError
from tracefabric.topics.model import topic_id_for

from ..index.query import facet_counts, topic_counts
from ..sources import DatasetView

MAX_TREE_NODES = 5000


def _tree_from_paths(paths: list[list[str]]) -> dict[str, Any] | None:
    """The tree the records' own topic paths describe (no topics file)."""
    top: dict[str, Any] = {"id": "", "label": "(topics)", "children": []}
    nodes: dict[tuple[str, ...], dict[str, Any]] = {(): top}
    for path in sorted(paths):
        for depth in range(len(path)):
            key = tuple(path[: depth + 1])
            if key not in nodes and len(nodes) <= MAX_TREE_NODES:
                nodes[key] = {"id": topic_id_for(list(key)), "label": key[-1], "children": []}
                nodes[key[:-1]]["children"].append(nodes[key])
    if not top["children"]:
        return None
    return top["children"][0] if len(top["children"]) == 1 else top


def _tree_from_file(view: DatasetView) -> tuple[dict[str, Any] | None, str | None]:
    file = view.dataset.topics_file
    if file is None:
        return None, None
    from tracefabric.topics import load_topics

    try:
        topics = load_topics(file)
    except TracefabricError as exc:
        return None, f"topics file {file}: {exc}"

    def build(node_id: int, seen: set[int]) -> dict[str, Any]:
        node = topics.nodes[node_id]
        seen.add(node_id)
        children = [
            build(child, seen)
            for child in node.children
            if child not in seen
            and topics.path_parent(topics.nodes[child]) is node
            and len(seen) < MAX_TREE_NODES
        ]
        return {"id": node.topic_id, "label": node.topic, "children": children}

    return build(topics.root_id, set()), None


def _count(node: dict[str, Any], counts: dict[str, int]) -> None:
    node["records"] = counts.get(node["id"], 0)
    for child in node["children"]:
        _count(child, counts)


def overview(view: DatasetView) -> dict[str, Any]:
    index = view.records
    collector = index.stats()
    topic_paths = list(collector.state()["topic_paths"].values())
    # The failures file is summarised from its own index (`view.failures`), not read again.
    stats = collector.finish(topics_file=view.dataset.topics_file, failures_file=None).to_json()
    tree, tree_problem = _tree_from_file(view)
    if tree is None:
        tree = _tree_from_paths(topic_paths)
    conn = index.connection()
    if tree is not None:
        _count(tree, topic_counts(conn))
    facets = facet_counts(conn)
    bad_total, bad_first = index.bad_lines()
    run = view.run_info
    return {
        "source": view.describe(),
        "stats": stats,
        "facets": facets,
        "topics": {
            "tree": tree,
            "file": str(view.dataset.topics_file or "") or None,
            "problem": tree_problem,
        },
        "failures": view.failures.summary() if view.failures else None,
        "verify": {"report": str(view.verify_report), "counts": facets.get("verify", {})}
        if view.verify_report
        else None,
        "bad_lines": {"count": bad_total, "first": bad_first},
        "run": {
            k: run.get(k)
            for k in (
                "status",
                "started_at",
                "updated_at",
                "records",
                "target",
                "stop_reason",
                "config_hash",
                "llm",
            )
        }
        if run
        else None,
    }

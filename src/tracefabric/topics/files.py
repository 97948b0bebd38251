"""Topic files: tree JSONL (one root-to-leaf path per line) and graph JSON.

Both our files and DeepFabric's load:

    tree   {"path": ["root", ..., "leaf"], "topic_id": "…"}          (topic_id optional)
           {"failed_generation": {...}} lines are skipped
    graph  {"nodes": {"0": {"id", "topic", "children", "parents", "path"?, "metadata"}},
            "root_id": 0, "metadata": {...}}

A graph file without stored paths (DeepFabric) gets them once, at load: through the
node's primary parent (`parents[0]`, DeepFabric's tree-expansion parent) when that parent
really lists the node as a child, else along a shortest path from the root.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracefabric.errors import ConfigError

from .atomic import write_atomic
from .model import Mode, TopicNode, TopicSet


class TopicsFileError(ConfigError):
    """A topic file that cannot be read; the message names the file and line or node."""


@dataclass
class LoadReport:
    """What loading had to skip or repair (foreign files are not always consistent)."""

    format: str = ""
    skipped_lines: int = 0
    failed_generations: int = 0
    unreachable_nodes: int = 0
    merged_duplicates: int = 0
    dropped_cycle_edges: int = 0


# -- saving ---------------------------------------------------------------------------


def file_format(path: str | Path, mode: Mode) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".jsonl":
        return "tree-jsonl"
    if suffix == ".json":
        return "graph-json"
    return "tree-jsonl" if mode == "tree" else "graph-json"


def save_topics(topics: TopicSet, path: str | Path) -> Path:
    """Write atomically; `.jsonl` → tree paths of the leaves, `.json` → the full graph."""
    path = Path(path)
    if file_format(path, topics.mode) == "tree-jsonl":
        write_atomic(path, tree_lines(topics))
    else:
        write_atomic(path, json.dumps(graph_document(topics), indent=2, ensure_ascii=False) + "\n")
    return path


def tree_lines(topics: TopicSet) -> Iterator[str]:
    for topic in topics.topics():
        yield json.dumps({"path": list(topic.path), "topic_id": topic.id}, ensure_ascii=False) + "\n"


def graph_document(topics: TopicSet) -> dict[str, Any]:
    nodes: dict[str, Any] = {}
    for node in sorted(topics.nodes.values(), key=lambda n: n.id):
        metadata = {
            **node.metadata,
            "topic_id": node.topic_id,
            "uuid": topics.uuid_of(node),
            "topic_hash": hashlib.sha256(node.topic.encode("utf-8")).hexdigest(),
        }
        nodes[str(node.id)] = {
            "id": node.id,
            "topic": node.topic,
            "children": list(node.children),
            "parents": list(node.parents),
            "path": list(node.path),
            "metadata": metadata,
        }
    metadata = {"created_at": datetime.now(UTC).isoformat(), **topics.metadata, "mode": topics.mode}
    return {"nodes": nodes, "root_id": topics.root_id, "metadata": metadata}


# -- loading --------------------------------------------------------------------------


def load_topics(path: str | Path, report: LoadReport | None = None) -> TopicSet:
    """Read a topic tree (JSONL) or graph (JSON), ours or DeepFabric's."""
    path = Path(path)
    report = report if report is not None else LoadReport()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TopicsFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TopicsFileError(f"{path}: cannot read: {exc}") from None
    stripped = text.lstrip()
    if not stripped:
        raise TopicsFileError(f"{path}: the file is empty")
    document: Any = None
    if stripped.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None  # several JSON lines: a tree file
    if isinstance(document, dict) and "nodes" in document:
        report.format = "graph-json"
        return _load_graph(document, str(path), report)
    if path.suffix.lower() == ".json" and not (isinstance(document, dict) and "path" in document):
        raise TopicsFileError(
            f"{path}: not a topic graph (expected a JSON object with 'nodes' and 'root_id')"
        )
    report.format = "tree-jsonl"
    return _load_tree(text, str(path), report)


def _load_tree(text: str, source: str, report: LoadReport) -> TopicSet:
    topics: TopicSet | None = None
    node_of: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise TopicsFileError(f"{source}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise TopicsFileError(f"{source}:{number}: expected a JSON object with 'path'")
        if "failed_generation" in record and "path" not in record:
            report.failed_generations += 1
            continue
        path = record.get("path")
        if not isinstance(path, list) or not path or not all(isinstance(p, str) and p.strip() for p in path):
            raise TopicsFileError(f"{source}:{number}: 'path' must be a non-empty list of non-empty strings")
        if topics is None:
            topics = TopicSet(path[0], mode="tree")
            node_of[(path[0],)] = topics.root_id
        elif path[0] != topics.root.topic:
            raise TopicsFileError(
                f"{source}:{number}: path starts with {path[0]!r}, but earlier paths start with "
                f"{topics.root.topic!r} (one file holds one root)"
            )
        parent_id = topics.root_id
        for depth in range(2, len(path) + 1):
            prefix = tuple(path[:depth])
            node_id = node_of.get(prefix)
            if node_id is None:
                node_id = topics.add_child(parent_id, path[depth - 1]).id
                node_of[prefix] = node_id
            parent_id = node_id
    if topics is None:
        raise TopicsFileError(f"{source}: no topic paths in the file")
    return topics


def _as_int(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise TopicsFileError(f"{where}: expected an integer node id, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise TopicsFileError(f"{where}: expected an integer node id, got {value!r}")


@dataclass
class _RawNode:
    id: int
    topic: str
    children: list[int]
    declared_parents: list[int]
    metadata: dict[str, Any]
    path: tuple[str, ...] | None


def _read_raw_nodes(document: dict[str, Any], source: str) -> tuple[dict[int, _RawNode], int]:
    entries = document["nodes"]
    if isinstance(entries, dict):
        items = list(entries.items())
    elif isinstance(entries, list):
        items = [(str(i), entry) for i, entry in enumerate(entries)]
    else:
        raise TopicsFileError(f"{source}: 'nodes' must be an object keyed by node id (or a list)")
    raw: dict[int, _RawNode] = {}
    for key, entry in items:
        where = f"{source}: nodes[{key}]"
        if not isinstance(entry, dict):
            raise TopicsFileError(f"{where}: expected an object")
        node_id = _as_int(entry.get("id", key), f"{where}.id")
        topic = entry.get("topic")
        if not isinstance(topic, str) or not topic.strip():
            raise TopicsFileError(f"{where}.topic: expected a non-empty string")
        lists = {}
        for name in ("children", "parents"):
            value = entry.get(name, [])
            if not isinstance(value, list):
                raise TopicsFileError(f"{where}.{name}: expected a list of node ids")
            lists[name] = [_as_int(v, f"{where}.{name}") for v in value]
        metadata = entry.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise TopicsFileError(f"{where}.metadata: expected an object")
        path = entry.get("path")
        stored = None
        if isinstance(path, list) and path and all(isinstance(p, str) for p in path) and path[-1] == topic:
            stored = tuple(path)
        if node_id in raw:
            raise TopicsFileError(f"{where}: duplicate node id {node_id}")
        raw[node_id] = _RawNode(node_id, topic, lists["children"], lists["parents"], dict(metadata), stored)
    if not raw:
        raise TopicsFileError(f"{source}: the graph has no nodes")
    if "root_id" in document:
        root_id = _as_int(document["root_id"], f"{source}: root_id")
    else:
        roots = [n.id for n in raw.values() if not n.declared_parents]
        if len(roots) != 1:
            raise TopicsFileError(f"{source}: 'root_id' is missing")
        root_id = roots[0]
    if root_id not in raw:
        raise TopicsFileError(f"{source}: root_id {root_id} is not a node")
    return raw, root_id


def _load_graph(document: dict[str, Any], source: str, report: LoadReport) -> TopicSet:
    raw, root_id = _read_raw_nodes(document, source)
    # Edges come from `children` only (as DeepFabric rebuilds them); dangling ids are dropped.
    children = {
        n.id: list(dict.fromkeys(c for c in n.children if c in raw and c != n.id)) for n in raw.values()
    }

    # Reachable part, with edges that close a cycle dropped (iterative DFS from the root).
    reached: set[int] = set()
    on_stack: set[int] = set()
    stack: list[tuple[int, int]] = [(root_id, 0)]
    reached.add(root_id)
    on_stack.add(root_id)
    while stack:
        node_id, index = stack[-1]
        kids = children[node_id]
        if index == len(kids):
            stack.pop()
            on_stack.discard(node_id)
            continue
        stack[-1] = (node_id, index + 1)
        child = kids[index]
        if child in on_stack or child == root_id:
            kids.pop(index)
            stack[-1] = (node_id, index)
            report.dropped_cycle_edges += 1
        elif child not in reached:
            reached.add(child)
            on_stack.add(child)
            stack.append((child, 0))
    report.unreachable_nodes = len(raw) - len(reached)

    parents: dict[int, list[int]] = {n: [] for n in reached}
    for node_id in reached:
        for child in children[node_id]:
            parents[child].append(node_id)
    for node_id in reached:
        declared = [p for p in raw[node_id].declared_parents if p in parents[node_id]]
        parents[node_id] = list(dict.fromkeys([*declared, *parents[node_id]]))

    # Paths in topological order (every parent before its children).
    indegree = {n: len(parents[n]) for n in reached}
    order, queue = [], deque([root_id])
    while queue:
        node_id = queue.popleft()
        order.append(node_id)
        for child in children[node_id]:
            indegree[child] -= 1
            if indegree[child] == 0:
                queue.append(child)
    bfs_parent = _shortest_path_parents(root_id, children)

    paths: dict[int, tuple[str, ...]] = {}
    owner: dict[tuple[str, ...], int] = {}
    alias: dict[int, int] = {}  # merged duplicate → kept node
    for node_id in order:
        node = raw[node_id]
        if node_id == root_id:
            path: tuple[str, ...] = (node.topic,)
        else:
            real = [alias.get(p, p) for p in parents[node_id]]
            primary = None
            if node.path is not None:
                primary = next((p for p in real if paths.get(p) == node.path[:-1]), None)
            if primary is None and node.declared_parents and node.declared_parents[0] in parents[node_id]:
                primary = alias.get(node.declared_parents[0], node.declared_parents[0])
            if primary is None:
                primary = alias.get(bfs_parent[node_id], bfs_parent[node_id])
            path = (*paths[primary], node.topic)
        if path in owner:  # two nodes with the same path would share a topic id: merge them
            alias[node_id] = owner[path]
            report.merged_duplicates += 1
            continue
        owner[path] = node_id
        paths[node_id] = path

    nodes: dict[int, TopicNode] = {}
    for node_id in order:
        if node_id in alias:
            continue
        metadata = {k: v for k, v in raw[node_id].metadata.items() if k not in ("topic_id",)}
        nodes[node_id] = TopicNode(
            id=node_id, topic=raw[node_id].topic, path=paths[node_id], metadata=metadata
        )
    for node_id in order:
        source_id = alias.get(node_id, node_id)
        for child in children[node_id]:
            target = alias.get(child, child)
            if target == source_id or target in nodes[source_id].children:
                continue
            nodes[source_id].children.append(target)
    for node in nodes.values():
        for child in node.children:
            nodes[child].parents.append(node.id)
    for node in nodes.values():  # the path parent first, as DeepFabric puts the primary parent
        if node.id != root_id:
            primary = next(p for p in node.parents if nodes[p].path == node.path[:-1])
            node.parents.remove(primary)
            node.parents.insert(0, primary)

    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    mode = metadata.get("mode") if metadata.get("mode") in ("tree", "graph") else "graph"
    topics = TopicSet.from_nodes(list(nodes.values()), root_id, mode, metadata)
    topics.metadata.pop("mode", None)
    cycle = topics.find_cycle()
    if cycle is not None:  # only possible after merging duplicates; cut the non-path edges
        _break_cycles(topics, report)
    return topics


def _shortest_path_parents(root_id: int, children: dict[int, list[int]]) -> dict[int, int]:
    parent: dict[int, int] = {}
    queue = deque([root_id])
    seen = {root_id}
    while queue:
        node_id = queue.popleft()
        for child in children[node_id]:
            if child not in seen:
                seen.add(child)
                parent[child] = node_id
                queue.append(child)
    return parent


def _break_cycles(topics: TopicSet, report: LoadReport) -> None:
    while (cycle := topics.find_cycle()) is not None:
        for a, b in itertools.pairwise(cycle):
            if not topics.is_path_child(topics.nodes[a], b):
                topics.nodes[a].children.remove(b)
                topics.nodes[b].parents.remove(a)
                report.dropped_cycle_edges += 1
                break
        else:  # pragma: no cover - path edges follow strictly growing paths, so never cyclic
            raise TopicsFileError("the graph has a cycle along stored paths")


def failures_path_for(output: str | Path) -> Path:
    """`topic_tree.jsonl` → `topic_tree_failed.jsonl` (DeepFabric's name), next to it."""
    output = Path(output)
    return output.with_name(f"{output.stem}_failed.jsonl")


def partial_path_for(output: str | Path) -> Path:
    output = Path(output)
    return output.with_name(f"{output.name}.partial.jsonl")

"""The topic structure: nodes with a stored root-to-node path, in tree or graph mode.

Every node keeps its own `path` (root, ..., node). In a graph a node can have several
parents (cross-links); its path goes through exactly one of them, the "path parent",
and is never re-derived from `parents[0]`. A topic is a leaf (a node without children);
its id is the hash of its path, so later stages can key checkpoints on it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["tree", "graph"]

# Stable uuids derived from topic ids (DeepFabric stores a uuid per graph node).
_UUID_NAMESPACE = uuid.UUID("5b0f9d5e-3f1a-4c1e-9a63-0d4a1f7c2b11")


def topic_id_for(path: Sequence[str]) -> str:
    """sha256 of the `::`-joined path, first 16 hex digits (DeepFabric's tree topic id)."""
    return hashlib.sha256("::".join(path).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Topic:
    """What a sample is anchored to: a leaf and its root-to-leaf path."""

    id: str
    path: tuple[str, ...]
    node_id: int

    @property
    def text(self) -> str:
        return self.path[-1]


@dataclass
class TopicNode:
    id: int
    topic: str
    path: tuple[str, ...]
    children: list[int] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    topic_id: str = ""

    def __post_init__(self) -> None:
        if not self.topic_id:
            self.topic_id = topic_id_for(self.path)

    @property
    def depth(self) -> int:
        return len(self.path) - 1

    @property
    def failed(self) -> bool:
        return "failed" in self.metadata


class TopicSet:
    """A rooted tree or DAG of topics. Mutations keep paths, ids and acyclicity valid."""

    def __init__(self, root_topic: str, mode: Mode = "tree", metadata: dict[str, Any] | None = None) -> None:
        self.mode: Mode = mode
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.nodes: dict[int, TopicNode] = {}
        self.root_id = 0
        self._by_topic_id: dict[str, int] = {}
        self._next_id = 0
        self._insert(TopicNode(id=0, topic=root_topic, path=(root_topic,)))

    # -- building -------------------------------------------------------------------

    def _insert(self, node: TopicNode) -> TopicNode:
        if node.topic_id in self._by_topic_id:
            raise ValueError(f"a node with path {' > '.join(node.path)!r} already exists")
        self.nodes[node.id] = node
        self._by_topic_id[node.topic_id] = node.id
        self._next_id = max(self._next_id, node.id + 1)
        return node

    def add_child(self, parent_id: int, topic: str) -> TopicNode:
        """A new node under `parent_id`, whose path extends the parent's path."""
        parent = self.nodes[parent_id]
        node = TopicNode(id=self._next_id, topic=topic, path=(*parent.path, topic), parents=[parent_id])
        self._insert(node)
        parent.children.append(node.id)
        return node

    def add_link(self, parent_id: int, child_id: int) -> None:
        """A cross-link: `child_id` also belongs under `parent_id`. Refuses cycles."""
        if parent_id == child_id or child_id == self.root_id:
            raise ValueError("a node cannot link to itself or to the root")
        parent, child = self.nodes[parent_id], self.nodes[child_id]
        if child_id in parent.children:
            raise ValueError("already linked")
        if self.reaches(child_id, parent_id):
            raise ValueError(f"linking {parent_id} -> {child_id} would form a cycle")
        parent.children.append(child_id)
        child.parents.append(parent_id)

    def reaches(self, source: int, target: int) -> bool:
        """True if `target` is reachable from `source` along children (or is it)."""
        stack, seen = [source], set()
        while stack:
            current = stack.pop()
            if current == target:
                return True
            if current in seen:
                continue
            seen.add(current)
            stack.extend(self.nodes[current].children)
        return False

    # -- reading --------------------------------------------------------------------

    @property
    def root(self) -> TopicNode:
        return self.nodes[self.root_id]

    def __len__(self) -> int:
        return len(self.nodes)

    def by_topic_id(self, topic_id: str) -> TopicNode | None:
        node_id = self._by_topic_id.get(topic_id)
        return None if node_id is None else self.nodes[node_id]

    def path_parent(self, node: TopicNode) -> TopicNode | None:
        """The parent the node's stored path goes through (None for the root)."""
        if len(node.path) < 2:
            return None
        return self.by_topic_id(topic_id_for(node.path[:-1]))

    def is_path_child(self, parent: TopicNode, child_id: int) -> bool:
        return self.nodes[child_id].path[:-1] == parent.path

    def path_children(self, node: TopicNode) -> list[TopicNode]:
        return [self.nodes[c] for c in node.children if self.is_path_child(node, c)]

    def link_children(self, node: TopicNode) -> list[TopicNode]:
        return [self.nodes[c] for c in node.children if not self.is_path_child(node, c)]

    def walk(self, max_depth: int | None = None) -> Iterator[TopicNode]:
        """Depth-first along stored paths: each node exactly once, children in order."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            yield node
            if max_depth is None or node.depth < max_depth:
                stack.extend(reversed(self.path_children(node)))

    def leaves(self) -> list[TopicNode]:
        return [node for node in self.walk() if not node.children]

    def topics(self) -> list[Topic]:
        return [Topic(id=node.topic_id, path=node.path, node_id=node.id) for node in self.leaves()]

    @property
    def links(self) -> int:
        return sum(len(node.parents) - 1 for node in self.nodes.values() if node.parents)

    @property
    def depth(self) -> int:
        return max(node.depth for node in self.nodes.values())

    def find(self, ref: str) -> TopicNode:
        """A node by topic id (or a unique prefix of at least 4 digits) or by integer node id."""
        ref = ref.strip()
        node = self.by_topic_id(ref)
        if node is not None:
            return node
        if ref.isdigit() and int(ref) in self.nodes:
            return self.nodes[int(ref)]
        if len(ref) >= 4:
            matches = [tid for tid in self._by_topic_id if tid.startswith(ref.lower())]
            if len(matches) == 1:
                return self.nodes[self._by_topic_id[matches[0]]]
            if len(matches) > 1:
                raise KeyError(f"{ref!r} matches {len(matches)} topics; give more digits")
        raise KeyError(f"no topic with id {ref!r}")

    def check(self) -> None:
        """Assert the invariants (used by tests and after loading foreign files)."""
        for node in self.nodes.values():
            assert node.path[-1] == node.topic, node
            assert node.topic_id == topic_id_for(node.path), node
            if node.id == self.root_id:
                assert not node.parents and len(node.path) == 1
                continue
            parent = self.path_parent(node)
            assert parent is not None and parent.id in node.parents, f"path parent of {node.id} missing"
            for p in node.parents:
                assert node.id in self.nodes[p].children, f"{p} -> {node.id} not mirrored"
        assert self.find_cycle() is None, f"cycle: {self.find_cycle()}"

    def find_cycle(self) -> list[int] | None:
        """A list of node ids forming a cycle, or None (iterative three-colour DFS)."""
        state: dict[int, int] = {}  # 1: on the stack, 2: done
        for start in self.nodes:
            if start in state:
                continue
            stack: list[tuple[int, Iterator[int]]] = [(start, iter(self.nodes[start].children))]
            state[start] = 1
            while stack:
                current, children = stack[-1]
                child = next(children, None)
                if child is None:
                    state[current] = 2
                    stack.pop()
                elif state.get(child) == 1:
                    ids = [n for n, _ in stack]
                    return [*ids[ids.index(child) :], child]
                elif child not in state:
                    state[child] = 1
                    stack.append((child, iter(self.nodes[child].children)))
        return None

    def uuid_of(self, node: TopicNode) -> str:
        return node.metadata.get("uuid") or str(uuid.uuid5(_UUID_NAMESPACE, node.topic_id))

    # -- rebuilding -----------------------------------------------------------------

    @classmethod
    def from_nodes(
        cls, nodes: list[TopicNode], root_id: int, mode: Mode, metadata: dict[str, Any] | None = None
    ) -> TopicSet:
        """Assemble from nodes whose paths, children and parents are already consistent."""
        topics = cls.__new__(cls)
        topics.mode = mode
        topics.metadata = dict(metadata or {})
        topics.nodes = {}
        topics._by_topic_id = {}
        topics._next_id = 0
        topics.root_id = root_id
        for node in nodes:
            topics._insert(node)
        return topics

"""A left-to-right tidy layout along stored paths: one row per leaf, parents centred."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import TopicNode, TopicSet

ROW = 22  # px between leaf rows
CHAR = 7.0  # px per character at 12 px sans-serif, a little generous so labels never overlap
LABEL_CHARS = 48
GAP = 36  # px between the longest label of a column and the next column
MARGIN = 16


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def label_width(text: str) -> float:
    return len(short_label(text)) * CHAR


@dataclass
class Layout:
    x: dict[int, float] = field(default_factory=dict)
    y: dict[int, float] = field(default_factory=dict)
    edges: list[tuple[int, int]] = field(default_factory=list)  # path parent → child
    links: list[tuple[int, int]] = field(default_factory=list)  # cross-links between placed nodes
    width: float = 0.0
    height: float = 0.0


def layout(topics: TopicSet, level: int | None = None) -> Layout:
    placed = Layout()
    order = list(topics.walk(max_depth=level))
    visible = {node.id for node in order}
    column_width: dict[int, float] = {}
    for node in order:
        column_width[node.depth] = max(column_width.get(node.depth, 0.0), label_width(node.topic))
    column_x = {0: float(MARGIN)}
    for depth in range(1, max(column_width) + 1):
        column_x[depth] = column_x[depth - 1] + column_width[depth - 1] + 10 + GAP

    row = 0

    def children(node: TopicNode) -> list[TopicNode]:
        return [c for c in topics.path_children(node) if c.id in visible]

    # Post-order without recursion: leaves take the next row, parents sit between their children.
    stack: list[tuple[TopicNode, bool]] = [(topics.root, False)]
    while stack:
        node, expanded = stack.pop()
        kids = children(node)
        if not kids:
            placed.y[node.id] = MARGIN + row * ROW
            row += 1
        elif not expanded:
            stack.append((node, True))
            stack.extend((kid, False) for kid in reversed(kids))
            continue
        else:
            placed.y[node.id] = (placed.y[kids[0].id] + placed.y[kids[-1].id]) / 2
            placed.edges.extend((node.id, kid.id) for kid in kids)
        placed.x[node.id] = column_x[node.depth]
    for node in order:
        placed.links.extend((node.id, c.id) for c in topics.link_children(node) if c.id in visible)
    deepest = max(column_x)
    placed.width = column_x[deepest] + column_width[deepest] + 10 + MARGIN
    placed.height = MARGIN * 2 + max(row - 1, 0) * ROW + 8
    return placed

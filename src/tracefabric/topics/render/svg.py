"""A standalone SVG drawing (no scripts): hover a node for its full path and topic id."""

from __future__ import annotations

from html import escape

from ..model import TopicSet
from .layout import CHAR, layout, short_label

STYLE = """
text { font: 12px system-ui, -apple-system, "Segoe UI", sans-serif; fill: #1f2933; }
.edge { fill: none; stroke: #9aa5b1; stroke-width: 1.2; }
.link { fill: none; stroke: #d9822b; stroke-width: 1.2; stroke-dasharray: 4 3; }
.node circle { fill: #fff; stroke: #3e4c59; stroke-width: 1.5; }
.node.leaf circle { fill: #3e7cb1; stroke: #3e7cb1; }
.node.failed circle { fill: #d64545; stroke: #d64545; }
.node.root text { font-weight: 600; }
"""


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    middle = (x1 + x2) / 2
    return f"M{x1:.1f},{y1:.1f} C{middle:.1f},{y1:.1f} {middle:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"


def render_svg(topics: TopicSet, level: int | None = None) -> str:
    placed = layout(topics, level)
    nodes = topics.nodes

    def anchor_out(node_id: int) -> tuple[float, float]:
        label = short_label(nodes[node_id].topic)
        return placed.x[node_id] + 10 + len(label) * CHAR, placed.y[node_id]

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{placed.width:.0f}" height="{placed.height:.0f}" '
        f'viewBox="0 0 {placed.width:.0f} {placed.height:.0f}" role="img">',
        f"<title>{escape(short_label(topics.root.topic, 120))}</title>",
        f"<style>{STYLE}</style>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        '<g class="edges">',
    ]
    for parent, child in placed.edges:
        x1, y1 = anchor_out(parent)
        parts.append(f'<path class="edge" d="{_curve(x1, y1, placed.x[child] - 5, placed.y[child])}"/>')
    parts.append("</g>")
    parts.append('<g class="links">')
    for parent, child in placed.links:
        x1, y1 = anchor_out(parent)
        parts.append(
            f'<path class="link" data-from="{parent}" data-to="{child}" '
            f'd="{_curve(x1, y1, placed.x[child] - 5, placed.y[child])}"/>'
        )
    parts.append("</g>")
    parts.append('<g class="nodes">')
    for node in topics.walk(max_depth=level):
        classes = ["node"]
        if node.id == topics.root_id:
            classes.append("root")
        if not node.children:
            classes.append("leaf")
        if node.failed:
            classes.append("failed")
        tooltip = " > ".join(node.path) + f"\ntopic id {node.topic_id} · node {node.id}"
        if node.failed:
            tooltip += f"\nexpansion failed: {node.metadata['failed']}"
        parts.append(
            f'<g class="{" ".join(classes)}" data-id="{node.id}" data-topic-id="{node.topic_id}" '
            f'transform="translate({placed.x[node.id]:.1f},{placed.y[node.id]:.1f})">'
            f'<circle r="4.5"/><text x="10" dy="0.35em">{escape(short_label(node.topic))}</text>'
            f"<title>{escape(tooltip)}</title></g>"
        )
    parts.append("</g></svg>\n")
    return "\n".join(parts)

"""A self-contained HTML page: the structure drawn with inline SVG by inline JavaScript.

Click a node to fold or unfold it, hover or click for its path and topic id, search to
find topics, drag to pan, scroll to zoom. A Content-Security-Policy forbids every network
request, so the page works offline and cannot leak anything.
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources

from ..inspect import summarize
from ..model import TopicSet

# Larger structures open folded below this level, so the first paint stays fast.
OPEN_LEVELS_WHEN_LARGE = 2
LARGE = 400

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def page_data(topics: TopicSet, open_levels: int | None = None) -> dict[str, object]:
    nodes = []
    for node in topics.walk():
        parent = topics.path_parent(node)
        entry: dict[str, object] = {
            "id": node.id,
            "t": node.topic,
            "d": node.depth,
            "tid": node.topic_id,
            "pp": None if parent is None else parent.id,
            "c": [c.id for c in topics.path_children(node)],
            "l": [c.id for c in topics.link_children(node)],
        }
        if node.failed:
            entry["f"] = str(node.metadata["failed"])
        nodes.append(entry)
    if open_levels is None and len(topics) > LARGE:
        open_levels = OPEN_LEVELS_WHEN_LARGE
    return {"root": topics.root_id, "nodes": nodes, "summary": summarize(topics), "openLevels": open_levels}


def _script_json(data: object) -> str:
    # Inside <script>, "</script" or "<!--" in a topic must not end the element.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_html(topics: TopicSet, title: str | None = None, open_levels: int | None = None) -> str:
    """The page; `open_levels` folds nodes at that level and below (default: all open if small)."""
    root = " ".join(topics.root.topic.split())
    title = title or (root if len(root) <= 80 else root[:79] + "…")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Topics: {escape(title)}</title>
<style>
{_asset("page.css")}
</style>
</head>
<body data-status="loading">
<header>
  <h1>{escape(title)}</h1>
  <p id="summary"></p>
  <div class="tools">
    <input id="search" type="search" placeholder="Find a topic…" aria-label="Find a topic">
    <span id="matches"></span>
    <button id="expand-all" type="button">Unfold all</button>
    <button id="collapse-all" type="button">Fold to level 1</button>
    <button id="fit" type="button">Fit</button>
  </div>
</header>
<main>
  <svg id="canvas" xmlns="http://www.w3.org/2000/svg"><g id="viewport"></g></svg>
  <aside id="info"><p class="hint">Hover or click a topic. Click a node with children to fold it.</p></aside>
</main>
<script id="topic-data" type="application/json">{_script_json(page_data(topics, open_levels))}</script>
<script>
{_asset("page.js")}
</script>
</body>
</html>
"""

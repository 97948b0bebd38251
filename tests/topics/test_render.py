"""Rendering: the SVG parses and is laid out sanely; the HTML page works in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracefabric.cli.topics import topics as topics_cli
from tracefabric.errors import ConfigError
from tracefabric.topics import render_topics, save_topics
from tracefabric.topics.model import TopicSet

SVG_NS = "{http://www.w3.org/2000/svg}"
NASTY = '</script><b onclick="x()">Escapes & "quotes"</b>'


def sample(breadth: int = 3, depth: int = 3) -> TopicSet:
    topics = TopicSet("Web scraping with Python", mode="graph")
    frontier = [topics.root]
    for level in range(depth):
        next_frontier = []
        for parent in frontier:
            for i in range(breadth):
                next_frontier.append(topics.add_child(parent.id, f"{parent.topic.split()[0]} L{level}.{i}"))
        frontier = next_frontier
    deep = [n for n in topics.nodes.values() if n.depth == 2]
    topics.add_link(topics.nodes[1].id, deep[-1].id)  # a cross-link from one branch into another
    topics.add_child(topics.nodes[2].id, NASTY)
    topics.nodes[3].metadata["failed"] = "timeout"
    return topics


def test_svg_is_valid_and_laid_out(tmp_path: Path) -> None:
    topics = sample()
    path = render_topics(topics, tmp_path / "graph.svg")
    root = ET.parse(path).getroot()  # well-formed XML, even with markup in a topic
    assert root.tag == f"{SVG_NS}svg"
    groups = [g for g in root.iter(f"{SVG_NS}g") if "node" in g.get("class", "").split()]
    assert len(groups) == len(topics)
    assert len([p for p in root.iter(f"{SVG_NS}path") if p.get("class") == "link"]) == topics.links == 1
    positions = {}
    for g in groups:
        x, y = map(float, re.match(r"translate\(([-\d.]+),([-\d.]+)\)", g.get("transform", "")).groups())  # type: ignore[union-attr]
        positions[int(g.get("data-id", "-1"))] = (x, y)
        assert 0 <= x <= float(root.get("width", "0")) and 0 <= y <= float(root.get("height", "0"))
    leaves = [positions[n.id] for n in topics.leaves()]
    assert len({y for _, y in leaves}) == len(leaves)  # one row per leaf: no overlaps
    for node in topics.nodes.values():  # deeper levels are further right
        parent = topics.path_parent(node)
        if parent is not None:
            assert positions[node.id][0] > positions[parent.id][0]
    titles = [g.find(f"{SVG_NS}title").text for g in groups]  # type: ignore[union-attr]
    assert any(NASTY in (t or "") for t in titles)
    assert [g.get("data-id") for g in groups if "failed" in g.get("class", "").split()] == ["3"]

    shallow = ET.parse(render_topics(topics, tmp_path / "l1.svg", level=1)).getroot()
    assert len([g for g in shallow.iter(f"{SVG_NS}g") if "node" in g.get("class", "").split()]) == 1 + 3


def test_html_is_self_contained(tmp_path: Path) -> None:
    html = render_topics(sample(), tmp_path / "graph.html").read_text()
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls == {"http://www.w3.org/2000/svg"}  # a namespace name, never fetched
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html)
    assert "</script><b" not in html  # the topic cannot close the data script


def test_render_rejects_unknown_formats(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"use \.html or \.svg"):
        render_topics(sample(), tmp_path / "graph.png")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def dump_dom(page: Path, profile: Path) -> str:
    browser = chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    result = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_html_renders_in_a_real_browser(tmp_path: Path) -> None:
    topics = sample()
    source = save_topics(topics, tmp_path / "graph.json")
    page = tmp_path / "graph.html"
    result = CliRunner().invoke(topics_cli, ["render", str(source), "-o", str(page)])
    assert result.exit_code == 0, result.output
    dom = dump_dom(page, tmp_path / "profile")
    body = re.search(r"<body([^>]*)>", dom).group(1)  # type: ignore[union-attr]
    assert 'data-status="ready"' in body, body
    assert f'data-visible-nodes="{len(topics)}"' in body
    assert 'data-visible-links="1"' in body
    drawn = re.findall(r'<g class="node[^"]*" data-id="(\d+)"', dom)
    assert sorted(map(int, drawn)) == sorted(topics.nodes)
    assert len(re.findall(r'<path class="edge"', dom)) == len(topics) - 1
    assert 'Escapes &amp; "quotes"' in dom  # drawn as text, not parsed as markup
    assert "<b onclick" not in dom
    assert re.findall(r'<g class="node[^"]*failed[^"]*" data-id="(\d+)"', dom) == ["3"]
    assert f"graph · {len(topics.leaves())} topics · {len(topics)} nodes" in dom


def test_large_structures_open_folded(tmp_path: Path) -> None:
    topics = sample(breadth=8, depth=3)  # 1 + 8 + 64 + 512 nodes
    page = render_topics(topics, tmp_path / "big.html")
    dom = dump_dom(page, tmp_path / "profile")
    visible = 1 + 8 + 64 + 1  # folded below level 2 (the extra child sits under node 2)
    assert f'data-visible-nodes="{visible}"' in dom
    assert dom.count('class="node folded"') == 64  # every level-2 node, each with 8 hidden children

"""`topics inspect` and `topics prune`: the Python API and the CLI agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracefabric.cli.topics import topics as topics_cli
from tracefabric.errors import ConfigError
from tracefabric.topics import inspect_topics, load_topics, prune_topics, save_topics
from tracefabric.topics.model import TopicSet


def sample_graph() -> TopicSet:
    """root → A, B; A → A1, A2; B → B1; B1 → B1a; plus a cross-link B → A2 and a failed leaf."""
    topics = TopicSet("Networking", mode="graph")
    a = topics.add_child(0, "Sockets")
    b = topics.add_child(0, "HTTP clients")
    a1 = topics.add_child(a.id, "TCP sockets")
    a2 = topics.add_child(a.id, "Non-blocking sockets")
    b1 = topics.add_child(b.id, "Retries and timeouts")
    topics.add_child(b1.id, "Exponential backoff")
    topics.add_link(b.id, a2.id)
    topics.nodes[a1.id].metadata["failed"] = "rate limited"
    return topics


@pytest.fixture
def graph_file(tmp_path: Path) -> Path:
    return save_topics(sample_graph(), tmp_path / "graph.json")


def test_inspect_summary_and_levels(graph_file: Path) -> None:
    report = inspect_topics(graph_file)
    summary = report["summary"]
    assert summary["mode"] == "graph" and summary["nodes"] == 7 and summary["topics"] == 3
    assert summary["depth"] == 3 and summary["links"] == 1 and summary["failed"] == 1
    assert summary["degree"] == {"min": 1, "max": 2, "mean": 1.5}
    assert summary["levels"] == [
        {"level": 0, "nodes": 1, "topics": 0},
        {"level": 1, "nodes": 2, "topics": 0},
        {"level": 2, "nodes": 3, "topics": 2},
        {"level": 3, "nodes": 1, "topics": 1},
    ]
    assert [n["topic"] for n in report["nodes"]] == [
        "Networking",
        "Sockets",
        "TCP sockets",
        "Non-blocking sockets",
        "HTTP clients",
        "Retries and timeouts",
        "Exponential backoff",
    ]
    assert [n["topic"] for n in inspect_topics(graph_file, level=1)["nodes"]] == [
        "Networking",
        "Sockets",
        "HTTP clients",
    ]
    failed = next(n for n in report["nodes"] if n["topic"] == "TCP sockets")
    assert failed["failed"] == "rate limited" and failed["leaf"]


def test_inspect_cli_formats(graph_file: Path) -> None:
    runner = CliRunner()
    tree = runner.invoke(topics_cli, ["inspect", str(graph_file)])
    assert tree.exit_code == 0, tree.output
    lines = tree.output.splitlines()
    assert lines[0] == "graph: 3 topics, 7 nodes, depth 3, 1 cross-links, 1 failed; degree 1–2"
    assert lines[1].startswith("Networking  [")
    assert any(line.startswith("│   ├── TCP sockets") and "✗ failed" in line for line in lines)
    assert any("↪ Non-blocking sockets" in line and "(cross-link)" in line for line in lines)
    assert "    │   └── Exponential backoff" in [line.split("  [")[0] for line in lines]

    level1 = runner.invoke(topics_cli, ["inspect", str(graph_file), "--level", "1"])
    assert [line.split("  [")[0] for line in level1.output.splitlines()[1:]] == [
        "Networking",
        "├── Sockets",
        "└── HTTP clients",
    ]

    as_json = runner.invoke(topics_cli, ["inspect", str(graph_file), "--format", "json"])
    assert json.loads(as_json.output) == json.loads(json.dumps(inspect_topics(graph_file)))

    table = runner.invoke(topics_cli, ["inspect", str(graph_file), "--format", "table"])
    assert table.exit_code == 0
    row = next(line for line in table.output.splitlines() if "Exponential backoff" in line)
    node = load_topics(graph_file).find("6")
    assert row.split()[:5] == [node.topic_id, "6", "3", "leaf", "5"]


def test_prune_by_level(graph_file: Path) -> None:
    pruned, report = prune_topics(load_topics(graph_file), level=1)
    pruned.check()
    assert [n.topic for n in pruned.walk()] == ["Networking", "Sockets", "HTTP clients"]
    assert report.removed_nodes == 4 and report.removed_links == 1
    assert (report.topics_before, report.topics_after) == (3, 2)

    two, report2 = prune_topics(load_topics(graph_file), level=2)
    assert two.links == 1 and report2.removed_nodes == 1 and report2.topics_after == 3


def test_prune_by_id_keeps_other_ids_and_cuts_links(graph_file: Path) -> None:
    original = load_topics(graph_file)
    sockets = next(n for n in original.nodes.values() if n.topic == "Sockets")
    pruned, report = prune_topics(original, node=sockets.topic_id[:6])
    pruned.check()
    assert [n.topic for n in pruned.walk()] == [
        "Networking",
        "HTTP clients",
        "Retries and timeouts",
        "Exponential backoff",
    ]
    assert report.removed_nodes == 3 and report.removed_links == 1  # the link into the cut subtree
    for node in pruned.nodes.values():
        assert node.topic_id == original.nodes[node.id].topic_id
    assert len(original) == 7  # the input is untouched

    by_node_id, _ = prune_topics(original, node="5")
    # HTTP clients keeps its cross-linked child, so it is not a leaf
    assert [t.text for t in by_node_id.topics()] == ["TCP sockets", "Non-blocking sockets"]
    # removing its only child turns "Retries and timeouts" into a leaf, i.e. a topic
    childless, _ = prune_topics(original, node="6")
    assert [t.text for t in childless.topics()] == [
        "TCP sockets",
        "Non-blocking sockets",
        "Retries and timeouts",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of --level or --id"),
        ({"level": 1, "node": "1"}, "exactly one of --level or --id"),
        ({"level": 0}, "--level must be 1 or more"),
        ({"node": "0"}, "cannot remove the root"),
        ({"node": "zzzzzz"}, "no topic with id 'zzzzzz'"),
    ],
)
def test_prune_errors(graph_file: Path, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        prune_topics(load_topics(graph_file), **kwargs)  # type: ignore[arg-type]


def test_prune_cli_writes_in_place_or_to_output(graph_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "level1.jsonl"
    result = runner.invoke(topics_cli, ["prune", str(graph_file), "--level", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "removed 4 nodes and 1 cross-links; topics 3 → 2" in result.output
    assert [json.loads(line)["path"] for line in out.read_text().splitlines()] == [
        ["Networking", "Sockets"],
        ["Networking", "HTTP clients"],
    ]
    assert len(load_topics(graph_file)) == 7  # untouched

    in_place = runner.invoke(topics_cli, ["prune", str(graph_file), "--id", "4"])
    assert in_place.exit_code == 0, in_place.output
    assert len(load_topics(graph_file)) == 6 and load_topics(graph_file).mode == "graph"

    bad = runner.invoke(topics_cli, ["prune", str(graph_file)])
    assert bad.exit_code != 0 and "exactly one of --level or --id" in str(bad.exception or bad.output)

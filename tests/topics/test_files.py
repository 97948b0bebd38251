"""Topic files: DeepFabric's tree JSONL and graph JSON load; ours round-trip; bad files fail cleanly."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tracefabric.topics import LoadReport, TopicsFileError, load_topics, save_topics
from tracefabric.topics.atomic import write_atomic
from tracefabric.topics.model import TopicSet

ROOT = "Python programming fundamentals"

# Exactly as DeepFabric writes them: json.dumps({"path": path}) per line (default separators),
# and failed expansions as failed_generation lines.
DEEPFABRIC_TREE = (
    json.dumps({"path": [ROOT, "Data Types", "Mutable vs Immutable"]})
    + "\n"
    + json.dumps({"path": [ROOT, "Data Types", "Type Conversion"]})
    + "\n"
    + json.dumps({"path": [ROOT, "Control Flow", "Loops"]})
    + "\n"
    + json.dumps(
        {
            "failed_generation": {
                "node_path": [ROOT, "Functions"],
                "error": "rate limited",
                "timestamp": 1767364571.9,
            }
        }
    )
    + "\n"
)


def deepfabric_graph() -> dict[str, object]:
    """GraphModel.model_dump_json(indent=2) shape: nodes keyed by str(id), no stored paths."""

    def node(node_id: int, topic: str, children: list[int], parents: list[int]) -> dict[str, object]:
        return {
            "id": node_id,
            "topic": topic,
            "children": children,
            "parents": parents,
            "metadata": {
                "uuid": f"00000000-0000-4000-8000-00000000000{node_id}",
                "topic_hash": hashlib.sha256(topic.encode()).hexdigest(),
            },
        }

    return {
        "nodes": {
            "0": node(0, ROOT, [1, 2], []),
            "1": node(1, "Variables and Data Types", [3], [0]),
            "2": node(2, "Control Flow", [3, 4], [0]),
            "3": node(3, "Nested if statements", [], [1, 2]),
            "4": node(4, "Loops", [], [2]),
        },
        "root_id": 0,
        "metadata": {
            "provider": "gemini",
            "model": "gemini-2.5-flash-lite",
            "temperature": 0.8,
            "created_at": "2026-01-02T14:36:11.988617Z",
        },
    }


def test_deepfabric_tree_jsonl_loads(tmp_path: Path) -> None:
    path = tmp_path / "topic_tree.jsonl"
    path.write_text(DEEPFABRIC_TREE)
    report = LoadReport()
    topics = load_topics(path, report)
    topics.check()
    assert topics.mode == "tree" and report.format == "tree-jsonl" and report.failed_generations == 1
    assert [t.path for t in topics.topics()] == [
        (ROOT, "Data Types", "Mutable vs Immutable"),
        (ROOT, "Data Types", "Type Conversion"),
        (ROOT, "Control Flow", "Loops"),
    ]
    first = topics.topics()[0]
    # the same topic id DeepFabric computes for tree paths
    assert first.id == hashlib.sha256("::".join(first.path).encode()).hexdigest()[:16]
    assert len(topics) == 1 + 2 + 3


def test_deepfabric_graph_json_loads_with_paths_through_the_primary_parent(tmp_path: Path) -> None:
    path = tmp_path / "topic_graph.json"
    path.write_text(json.dumps(deepfabric_graph(), indent=2))
    topics = load_topics(path)
    topics.check()
    assert topics.mode == "graph"
    shared = topics.nodes[3]
    assert shared.parents == [1, 2]
    assert shared.path == (ROOT, "Variables and Data Types", "Nested if statements")  # parents[0]
    assert topics.links == 1
    assert sorted(t.path[-1] for t in topics.topics()) == ["Loops", "Nested if statements"]
    assert topics.uuid_of(shared) == "00000000-0000-4000-8000-000000000003"  # kept from the file
    assert topics.metadata["model"] == "gemini-2.5-flash-lite"


def test_our_files_round_trip(tmp_path: Path) -> None:
    topics = TopicSet(ROOT, mode="graph")
    a = topics.add_child(0, "Strings")
    b = topics.add_child(0, "Files")
    c = topics.add_child(a.id, "Encodings")
    topics.add_child(b.id, "Paths")
    topics.add_link(b.id, c.id)
    topics.nodes[b.id].metadata["failed"] = "kept"
    graph_file = save_topics(topics, tmp_path / "g.json")
    again = load_topics(graph_file)
    again.check()
    assert {n.id: (n.path, n.children, n.parents) for n in again.nodes.values()} == {
        n.id: (n.path, n.children, n.parents) for n in topics.nodes.values()
    }
    assert again.nodes[b.id].failed

    tree_file = save_topics(topics, tmp_path / "t.jsonl")
    lines = [json.loads(line) for line in tree_file.read_text().splitlines()]
    assert lines == [{"path": list(t.path), "topic_id": t.id} for t in topics.topics()]
    assert [t.path for t in load_topics(tree_file).topics()] == [t.path for t in topics.topics()]


def test_foreign_graph_repairs_are_reported(tmp_path: Path) -> None:
    document = deepfabric_graph()
    nodes = document["nodes"]
    assert isinstance(nodes, dict)
    nodes["4"]["children"] = [2]  # a cycle: Control Flow -> Loops -> Control Flow
    nodes["5"] = {"id": 5, "topic": "Orphan", "children": [], "parents": [], "metadata": {}}
    nodes["6"] = {"id": 6, "topic": "Loops", "children": [], "parents": [2], "metadata": {}}  # same path as 4
    nodes["2"]["children"].append(6)
    nodes["3"]["parents"] = [4, 1, 2]  # parents[0] does not list 3 as a child: not trusted
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(document))
    report = LoadReport()
    topics = load_topics(path, report)
    topics.check()
    assert report.dropped_cycle_edges == 1 and report.unreachable_nodes == 1 and report.merged_duplicates == 1
    assert topics.nodes[3].path == (ROOT, "Variables and Data Types", "Nested if statements")
    assert sorted(t.text for t in topics.topics()) == ["Loops", "Nested if statements"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("t.jsonl", "", "the file is empty"),
        ("t.jsonl", '{"path": ["a", "b"]}\n{"path": ["a", \n', "t.jsonl:2: not valid JSON"),
        ("t.jsonl", '{"path": "a > b"}\n', "t.jsonl:1: 'path' must be a non-empty list"),
        ("t.jsonl", '{"path": ["a", "b"]}\n{"path": ["z", "c"]}\n', "t.jsonl:2: path starts with 'z'"),
        ("t.jsonl", '{"failed_generation": {}}\n', "no topic paths"),
        (
            "g.json",
            '{"nodes": {"0": {"id": 0}}, "root_id": 0}',
            "nodes[0].topic: expected a non-empty string",
        ),
        ("g.json", '{"nodes": {"0": {"id": 0, "topic": "a"}}, "root_id": 7}', "root_id 7 is not a node"),
        ("g.json", '{"nodes": {"0": {"id": 0, "topic": "a", "children": "1"}}}', "nodes[0].children"),
        ("g.json", "[1, 2]", "not a topic graph"),
    ],
)
def test_bad_files_fail_with_one_clear_line(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(TopicsFileError) as caught:
        load_topics(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TopicsFileError, match="no such file"):
        load_topics(tmp_path / "nope.jsonl")


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "topics.jsonl"
    target.write_text("old content\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    topics = TopicSet(ROOT)
    topics.add_child(0, "x")
    with pytest.raises(OSError, match="No space"):
        save_topics(topics, target)
    assert target.read_text() == "old content\n"
    assert os.listdir(tmp_path) == ["topics.jsonl"]  # the temporary file was cleaned up

    def chunks() -> object:
        yield "partial "
        raise RuntimeError("crash while writing")

    monkeypatch.undo()
    with pytest.raises(RuntimeError):
        write_atomic(target, chunks())  # type: ignore[arg-type]
    assert target.read_text() == "old content\n" and os.listdir(tmp_path) == ["topics.jsonl"]


def test_written_files_get_normal_permissions(tmp_path: Path) -> None:
    from tracefabric.topics import atomic

    fresh = tmp_path / "new.jsonl"
    write_atomic(fresh, "x\n")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~atomic._UMASK  # not mkstemp's 0600
    fresh.chmod(0o640)
    write_atomic(fresh, "y\n")
    assert fresh.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its mode

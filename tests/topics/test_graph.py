"""Graph generation: cross-links, acyclicity, stored paths, isolated style, trimmed context."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from tracefabric.topics import TopicsConfig, generate_topics, load_topics, plan_topics, topic_id_for

from .helpers import Ask, TopicModel, candidates_in

OUTLINE = re.compile(r"Other topics in the graph, also taken: (.*?)(?: \(and \d+ more\))?\.\n")
AVOID = re.compile(r"Do not use these names, they exist already: (.*)\.\n")


def listed(pattern: re.Pattern[str], prompt: str) -> list[str]:
    match = pattern.search(prompt)
    return [] if match is None else [p.strip() for p in match.group(1).split("; ")]


def graph_config(tmp_path: Path, **overrides: object) -> TopicsConfig:
    settings: dict[str, object] = {
        "prompt": "Data engineering with Python",
        "mode": "graph",
        "depth": 3,
        "degree": 3,
        "save_as": str(tmp_path / "graph.json"),
        "max_retries": 3,
        **overrides,
    }
    return TopicsConfig.model_validate(settings)


def assert_paths_are_stored_and_consistent(topics) -> None:  # type: ignore[no-untyped-def]
    topics.check()
    assert topics.find_cycle() is None
    for node in topics.nodes.values():
        assert node.topic_id == topic_id_for(node.path)
        if node.id == topics.root_id:
            assert node.path == (topics.root.topic,)
            continue
        parent = topics.path_parent(node)
        assert parent is not None and (*parent.path, node.topic) == node.path
        assert parent.id in node.parents and node.id in parent.children
        for other in node.parents:  # every edge points strictly deeper: no cycle is possible
            assert topics.nodes[other].depth < node.depth


def test_cross_links_come_from_related_names_and_reproposed_topics(tmp_path: Path) -> None:
    model = TopicModel()

    def answer(node: str, count: int, ask: Ask) -> dict[str, list[str]]:
        candidates = candidates_in(ask.prompt)
        fresh = model.fresh(count)
        if candidates and len(model.asks) % 2 == 0:
            return {"subtopics": fresh, "related": candidates[:2]}
        if candidates:
            return {"subtopics": [candidates[0], *fresh], "related": []}  # re-proposes one
        return {"subtopics": fresh, "related": []}

    model.answer = answer
    cfg = graph_config(tmp_path, max_concurrency=1)
    result = generate_topics(cfg, llm=model.llm())
    topics = result.topics
    assert_paths_are_stored_and_consistent(topics)
    plan = plan_topics(cfg)
    # links add edges, never nodes: the counts are exactly the plan's
    assert result.stats.topics == plan.topics == 27 and len(topics) == plan.nodes
    assert result.stats.links == topics.links > 5
    for node in topics.nodes.values():
        assert len(topics.link_children(node)) <= cfg.max_links
    shared = [n for n in topics.nodes.values() if len(n.parents) > 1]
    assert shared and all(n.parents[0] == topics.path_parent(n).id for n in shared)  # type: ignore[union-attr]

    document = json.loads(Path(cfg.save_as).read_text())  # type: ignore[arg-type]
    assert set(document) == {"nodes", "root_id", "metadata"} and document["root_id"] == 0
    assert document["metadata"]["provider"] == "scripted"
    node = document["nodes"][str(shared[0].id)]
    assert set(node) == {"id", "topic", "children", "parents", "path", "metadata"}
    assert node["path"] == list(shared[0].path) and len(node["parents"]) > 1
    assert {"uuid", "topic_hash", "topic_id"} <= set(node["metadata"])


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_cross_links_never_form_a_cycle(tmp_path: Path, seed: int) -> None:
    """A hostile model proposes ancestors, itself, and random topics as subtopics and links."""
    rng = random.Random(seed)
    model = TopicModel()

    def answer(node: str, count: int, ask: Ask) -> dict[str, list[str]]:
        seen = listed(OUTLINE, ask.prompt) + listed(AVOID, ask.prompt) + candidates_in(ask.prompt)
        path = (
            ask.prompt.split("Topic path: ")[1].split("\n")[0].split(" > ")
            if "Topic path" in ask.prompt
            else []
        )
        pool = seen + path + [node, "Data engineering with Python"]
        hostile = rng.sample(pool, k=min(len(pool), rng.randint(0, 3)))
        names = [*hostile, *model.fresh(count)]
        rng.shuffle(names)
        return {"subtopics": names, "related": rng.sample(pool, k=min(len(pool), 3))}

    model.answer = answer
    cfg = graph_config(tmp_path, max_concurrency=rng.randint(1, 4), max_links=3, max_retries=6)
    result = generate_topics(cfg, llm=model.llm())
    topics = result.topics
    assert_paths_are_stored_and_consistent(topics)
    assert result.stats.failed == 0
    reloaded = load_topics(result.path)
    assert_paths_are_stored_and_consistent(reloaded)
    assert {n.path for n in reloaded.nodes.values()} == {n.path for n in topics.nodes.values()}
    assert reloaded.links == topics.links


def test_stored_paths_win_over_parent_order(tmp_path: Path) -> None:
    """A node's path is read from the file, not re-derived from parents[0]."""
    model = TopicModel()

    def answer(node: str, count: int, ask: Ask) -> dict[str, list[str]]:
        candidates = candidates_in(ask.prompt)
        return {"subtopics": model.fresh(count), "related": candidates[:1]}

    model.answer = answer
    cfg = graph_config(tmp_path, depth=2, max_concurrency=1)
    result = generate_topics(cfg, llm=model.llm())
    shared = [n for n in result.topics.nodes.values() if len(n.parents) > 1]
    assert shared
    document = json.loads(result.path.read_text())
    for node in shared:  # put the cross-link parent first, as a hand-edited file might
        document["nodes"][str(node.id)]["parents"].reverse()
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document))
    loaded = load_topics(edited)
    for node in shared:
        assert loaded.nodes[node.id].path == node.path
        assert loaded.nodes[node.id].topic_id == node.topic_id
        assert loaded.nodes[node.id].parents[0] != loaded.nodes[node.id].parents[-1]


def test_isolated_style_has_no_links_and_no_graph_context(tmp_path: Path) -> None:
    model = TopicModel()
    cfg = graph_config(tmp_path, style="isolated")
    result = generate_topics(cfg, llm=model.llm())
    assert result.topics.links == 0 and result.stats.topics == 27
    assert plan_topics(cfg).max_links == 0
    assert not any("Other topics in the graph" in a.prompt or '"related"' in a.prompt for a in model.asks)


def test_deepfabric_prompt_style_maps_to_style() -> None:
    base = {"prompt": "x", "mode": "graph"}
    assert TopicsConfig.model_validate({**base, "prompt_style": "default"}).style == "cross-linked"
    assert TopicsConfig.model_validate({**base, "prompt_style": "anchored"}).style == "isolated"
    assert TopicsConfig.model_validate({**base, "prompt_style": "isolated"}).style == "isolated"


def test_the_graph_shown_to_the_model_is_trimmed_to_the_budget(tmp_path: Path) -> None:
    model = TopicModel()
    cfg = graph_config(tmp_path, depth=3, degree=5, context_chars=400, max_concurrency=2)
    generate_topics(cfg, llm=model.llm())
    late = model.asks[-1].prompt
    shown = listed(OUTLINE, late) + candidates_in(late)
    assert shown, "the model sees part of the graph"
    assert sum(len(s) + 3 for s in shown) <= 400
    assert re.search(r"\(and \d+ more\)", late)

    roomy = TopicModel()
    generate_topics(
        graph_config(tmp_path, depth=2, degree=3, context_chars=100_000, save_as=str(tmp_path / "g2.json")),
        llm=roomy.llm(),
    )
    last = roomy.asks[-1].prompt
    # with room to spare the model sees every topic of the graph outside its own path
    assert len(listed(OUTLINE, last) + candidates_in(last) + listed(AVOID, last)) >= 3 + 3 + 3 - 1 - 1

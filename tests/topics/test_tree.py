"""Tree generation with a scripted model: shape, dedup, failures, concurrency, prompts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracefabric.llm import BudgetExceeded, ProviderError, ValidationFailed
from tracefabric.topics import TopicsConfig, generate_topics, load_topics, plan_topics
from tracefabric.topics.dedup import is_duplicate

from .helpers import Ask, TopicModel


def config(tmp_path: Path, **overrides: object) -> TopicsConfig:
    settings: dict[str, object] = {
        "prompt": "Python file handling",
        "depth": 3,
        "degree": 3,
        "save_as": str(tmp_path / "topics.jsonl"),
        "max_retries": 2,
        **overrides,
    }
    return TopicsConfig.model_validate(settings)


@pytest.mark.parametrize(("depth", "degree"), [(1, 4), (2, 3), (3, 2), (3, 4)])
def test_degree_and_depth_are_respected(tmp_path: Path, depth: int, degree: int) -> None:
    model = TopicModel()
    cfg = config(tmp_path, depth=depth, degree=degree)
    result = generate_topics(cfg, llm=model.llm())

    plan = plan_topics(cfg)
    topics = result.topics
    topics.check()
    assert result.stats.topics == plan.topics == degree**depth
    assert len(topics) == plan.nodes
    assert len(model.asks) == plan.expansions  # one call per node: nothing was wasted
    for node in topics.nodes.values():
        if node.depth < depth:
            assert len(node.children) == degree, node
        else:
            assert node.children == []
    assert {len(t.path) for t in topics.topics()} == {depth + 1}
    assert all(t.path[0] == "Python file handling" for t in topics.topics())

    lines = Path(cfg.save_as).read_text().splitlines()  # type: ignore[arg-type]
    assert len(lines) == degree**depth
    assert {tuple(json.loads(line)["path"]) for line in lines} == {t.path for t in topics.topics()}
    assert not Path(str(cfg.save_as) + ".partial.jsonl").exists()  # the journal is gone once done


def test_exact_and_near_duplicates_are_removed_and_regenerated(tmp_path: Path) -> None:
    """Siblings repeating each other, rewordings, and repeats of topics elsewhere in the tree."""
    model = TopicModel()
    seen: set[str] = set()

    def answer(node: str, count: int, ask: Ask) -> dict[str, list[str]]:
        first_time = node not in seen
        seen.add(node)
        if node == "Python file handling" and first_time:
            # an exact sibling repeat, a reworded one (same words), and two usable names
            names = [
                "Reading text files",
                "reading  TEXT files!",
                "Text files reading",
                "Writing binary files",
            ]
            return {"subtopics": names}
        if node != "Python file handling" and first_time and len(seen) == 2:
            # the first child re-proposes a first-level topic (exact), a rewording of another
            # (near) and itself (exact), then fresh names (5 items: the schema's cap for 3)
            dups = ["Reading text files", "Binary files writing", node]
            return {"subtopics": [*dups, *model.fresh(count - 1)]}
        return {"subtopics": model.fresh(count)}

    model.answer = answer
    cfg = config(tmp_path, depth=2, degree=3)
    result = generate_topics(cfg, llm=model.llm())

    topics = result.topics
    topics.check()
    stats = result.stats
    assert stats.topics == 9 and stats.failed == 0 and stats.underfilled == 0
    assert stats.duplicates_exact == 1 + 2
    assert stats.duplicates_near == 1 + 1
    assert stats.duplicates_removed == 5
    assert stats.llm_calls == 2 + 2 + 1 + 1  # root and first child needed one refill each
    names = [n.topic for n in topics.nodes.values()]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not is_duplicate(a, b, cfg.dedup.threshold), (a, b)
    # the root was short of one subtopic, so it was asked again for exactly one
    root_asks = [a for a in model.asks if a.node == "Python file handling"]
    assert [a.count for a in root_asks] == [3, 1]
    assert "Reading text files" in root_asks[1].prompt  # the retry is told what is taken
    assert root_asks[1].temperature > root_asks[0].temperature  # and is sampled warmer


def test_sibling_scope_allows_repeats_in_other_branches(tmp_path: Path) -> None:
    model = TopicModel()

    def answer(node: str, count: int, ask: Ask) -> dict[str, list[str]]:
        if node == "Python file handling":
            return {"subtopics": model.fresh(count)}
        return {"subtopics": ["Error handling", *model.fresh(count)]}

    model.answer = answer
    siblings = generate_topics(config(tmp_path, depth=2, dedup={"scope": "siblings"}), llm=model.llm())
    assert sum(1 for t in siblings.topics.topics() if t.text == "Error handling") == 3

    model.asks.clear()
    structure = generate_topics(config(tmp_path, depth=2, save_as=str(tmp_path / "s.jsonl")), llm=model.llm())
    assert sum(1 for t in structure.topics.topics() if t.text == "Error handling") == 1
    assert structure.stats.duplicates_exact == 2


def test_failed_nodes_become_leaves_are_logged_and_the_run_goes_on(tmp_path: Path) -> None:
    model = TopicModel()
    doomed: set[str] = set()

    def answer(node: str, count: int, ask: Ask) -> object:
        if node == "Python file handling":
            names = model.fresh(count)
            doomed.add(names[0])
            doomed.add(names[1])
            return {"subtopics": names}
        if node in doomed:
            # one node errors every time, the other answers garbage every time
            if sorted(doomed).index(node) == 0:
                return ProviderError("upstream 500", status=500)
            return "this is not JSON"
        return {"subtopics": model.fresh(count)}

    model.answer = answer
    cfg = config(tmp_path, depth=3, degree=3, max_retries=2)
    result = generate_topics(cfg, llm=model.llm())

    topics = result.topics
    topics.check()
    assert result.stats.failed == 2
    failed = [n for n in topics.nodes.values() if n.failed]
    assert {n.topic for n in failed} == doomed
    assert all(not n.children and n.depth == 1 for n in failed)
    # the run went on: the third branch is complete; the failed nodes are leaves (topics)
    assert result.stats.topics == 9 + 2
    assert result.stats.shortfall == 27 - 11
    assert sum(1 for a in model.asks if a.node in doomed) == 2 * (1 + 2)  # 1 call + 2 retries each

    lines = [json.loads(line) for line in result.failures_path.read_text().splitlines()]
    assert result.failures_path == tmp_path / "topics_failed.jsonl"
    assert len(lines) == 2
    for line in lines:
        record = line["failed_generation"]
        assert record["node_path"][0] == "Python file handling" and record["node_path"][1] in doomed
        assert record["error"] and isinstance(record["timestamp"], float) and record["attempts"] == 3
    errors = " ".join(line["failed_generation"]["error"] for line in lines)
    assert "upstream 500" in errors and ValidationFailed.__name__ in errors

    reloaded = load_topics(result.path)  # failed nodes stay in the file as leaves
    assert {t.path for t in reloaded.topics()} == {t.path for t in topics.topics()}


def test_concurrency_is_bounded_globally(tmp_path: Path) -> None:
    model = TopicModel(latency=0.02)
    cfg = config(tmp_path, depth=3, degree=4, max_concurrency=3)
    result = generate_topics(cfg, llm=model.llm())
    assert result.stats.topics == 64
    assert model.max_in_flight == 3  # never more than the bound, and the bound is used


def test_prompts_carry_domain_path_siblings_and_instructions(tmp_path: Path) -> None:
    model = TopicModel()
    cfg = config(
        tmp_path,
        depth=2,
        degree=2,
        system_prompt="You are a careful curriculum designer.",
        instructions="Prefer tasks an agent would do with files.",
    )
    llm = model.llm()
    generate_topics(cfg, llm=llm)
    requests = llm.provider.requests  # type: ignore[attr-defined]
    assert all(r.messages[0]["content"] == "You are a careful curriculum designer." for r in requests)
    second = next(a for a in model.asks if a.node != "Python file handling")
    root_children = [a for a in model.asks if a.node == "Python file handling"]
    assert root_children and "Domain: Python file handling" in second.prompt
    assert f"Topic path: {second.node}" in second.prompt
    assert "Prefer tasks an agent would do with files." in second.prompt
    sibling = next(a.node for a in model.asks if a.node not in ("Python file handling", second.node))
    assert sibling in second.prompt  # told which neighbouring topic not to cover
    assert requests[0].json_schema is not None  # constrained to the small answer schema


def test_fatal_errors_stop_the_run_and_keep_progress(tmp_path: Path) -> None:
    model = TopicModel()
    calls = {"n": 0}

    def answer(node: str, count: int, ask: Ask) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            return BudgetExceeded("token budget reached")
        return {"subtopics": model.fresh(count)}

    model.answer = answer
    cfg = config(tmp_path, depth=2, degree=2, max_concurrency=1)
    with pytest.raises(BudgetExceeded):
        generate_topics(cfg, llm=model.llm())
    assert not Path(cfg.save_as).exists()  # type: ignore[arg-type]
    assert Path(str(cfg.save_as) + ".partial.jsonl").exists()

    model.answer = None
    result = generate_topics(cfg, llm=model.llm())
    assert result.stats.topics == 4 and result.stats.resumed_steps >= 2
    assert len(model.asks) == 3 + 1  # only the unfinished child is asked again


def test_auth_errors_are_fatal_not_per_node_failures(tmp_path: Path) -> None:
    model = TopicModel(answer=lambda node, count, ask: ProviderError("bad key", status=401))
    with pytest.raises(ProviderError, match="bad key"):
        generate_topics(config(tmp_path), llm=model.llm())
    assert len(model.asks) == 1


def test_dedup_off_still_never_repeats_a_child(tmp_path: Path) -> None:
    model = TopicModel()
    answers = iter([["Alpha topic", "Beta topic"], ["Alpha topic", "Gamma topic"]])
    model.answer = lambda node, count, ask: {"subtopics": next(answers, model.fresh(count))}
    cfg = config(tmp_path, depth=1, degree=3, dedup={"scope": "off"})
    result = generate_topics(cfg, llm=model.llm())
    assert [t.text for t in result.topics.topics()] == ["Alpha topic", "Beta topic", "Gamma topic"]
    assert result.stats.duplicates_exact == 1

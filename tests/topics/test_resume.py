"""Crash safety: a run killed mid-way resumes from its partial structure; outputs are reused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tracefabric.errors import ConfigError
from tracefabric.topics import TopicsConfig, generate_topics, load_topics
from tracefabric.topics.files import partial_path_for
from tracefabric.topics.journal import Journal

from .helpers import TopicModel

WORKER = textwrap.dedent(
    """
    import itertools, re, sys
    from tracefabric.llm import LLM, LLMConfig, ScriptedProvider
    from tracefabric.topics import TopicsConfig, generate_topics

    names = itertools.count()

    def answer(request):
        count = int(re.search(r"List (\\d+)", request.messages[-1]["content"]).group(1))
        return {"subtopics": [f"Subject w{next(names)}x" for _ in range(count)]}

    config = TopicsConfig.model_validate_json(sys.argv[1])
    llm = LLM(LLMConfig(provider="scripted", max_retries=0), provider=ScriptedProvider(answer, latency=0.05))
    generate_topics(config, llm=llm)
    print("finished", flush=True)
    """
)


def complete_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_a_killed_run_resumes_from_its_partial_structure(tmp_path: Path) -> None:
    output = tmp_path / "topics.jsonl"
    cfg = TopicsConfig(prompt="Shell scripting", depth=3, degree=4, save_as=str(output), max_concurrency=2)
    worker = tmp_path / "worker.py"
    worker.write_text(WORKER)
    journal_path = partial_path_for(output)
    process = subprocess.Popen(
        [sys.executable, str(worker), cfg.model_dump_json()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TRACEFABRIC_QUIET": "1"},
    )
    try:
        deadline = time.monotonic() + 120
        while complete_lines(journal_path) < 12 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGKILL)  # no cleanup, no finally blocks: a real crash
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
    assert not output.exists()
    assert journal_path.exists()
    with open(journal_path, "ab") as handle:  # as if the crash had torn the last line
        handle.write(b'{"event": "add", "node": 1, "new": ["Half wri')

    before = Journal(journal_path).replay(cfg)
    assert before.steps >= 11 and before.done
    finished_before = {before.topics.nodes[n].path for n in before.done}
    nodes_before = {node.path for node in before.topics.nodes.values()}

    model = TopicModel()
    result = generate_topics(cfg, llm=model.llm())

    topics = result.topics
    topics.check()
    assert result.stats.topics == 64 and len(topics) == 1 + 4 + 16 + 64
    assert result.stats.resumed_steps == before.steps
    finished_paths = {node.path for node in topics.nodes.values()}
    assert nodes_before <= finished_paths  # nothing written before the crash was lost
    asked = {node.path for node in topics.nodes.values() if node.topic in set(model.nodes_asked())}
    assert not asked & finished_before  # finished nodes were not expanded again
    # only nodes still short of subtopics are asked (one killed between "add" and "done" is not)
    short = [
        n
        for n in before.topics.nodes.values()
        if n.depth < 3 and n.id not in before.done and len(before.topics.path_children(n)) < 4
    ]
    assert len(model.asks) == len(short)
    assert not journal_path.exists()
    assert {t.path for t in load_topics(output).topics()} == {t.path for t in topics.topics()}


def test_resume_refuses_other_settings_and_force_starts_over(tmp_path: Path) -> None:
    output = tmp_path / "g.json"
    cfg = TopicsConfig(prompt="SQL", mode="graph", depth=2, degree=2, save_as=str(output))
    journal = Journal(partial_path_for(output))
    journal.start(cfg)
    changed = cfg.model_copy(update={"degree": 3})
    with pytest.raises(ConfigError, match="started with degree=2, the config now says 3"):
        generate_topics(changed, llm=TopicModel().llm())

    model = TopicModel()
    result = generate_topics(changed, llm=model.llm(), force=True)
    assert result.stats.topics == 9 and not journal.exists()


def test_a_finished_output_is_reused_not_regenerated(tmp_path: Path) -> None:
    output = tmp_path / "g.json"
    cfg = TopicsConfig(prompt="SQL", mode="graph", depth=2, degree=2, save_as=str(output))
    first = generate_topics(cfg, llm=TopicModel().llm())
    model = TopicModel()
    again = generate_topics(cfg, llm=model.llm())
    assert again.reused and model.asks == []
    assert [t.path for t in again.topics.topics()] == [t.path for t in first.topics.topics()]

    with pytest.raises(ConfigError, match="generated with degree=2 but the config says 3"):
        generate_topics(cfg.model_copy(update={"degree": 3}), llm=model.llm())
    regenerated = generate_topics(cfg, llm=model.llm(), force=True)
    assert not regenerated.reused and len(model.asks) == 3


def test_a_corrupt_partial_file_is_a_config_error(tmp_path: Path) -> None:
    output = tmp_path / "t.jsonl"
    cfg = TopicsConfig(prompt="SQL", depth=2, degree=2, save_as=str(output))
    partial_path_for(output).write_text('{"event": "start"}\nnot json\n')
    with pytest.raises(ConfigError, match=r"t\.jsonl\.partial\.jsonl:2: not valid JSON"):
        generate_topics(cfg, llm=TopicModel().llm())

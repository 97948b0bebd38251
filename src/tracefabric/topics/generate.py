"""`generate_topics(config)`: run the topic stage end to end, resumable.

    from tracefabric.topics import TopicsConfig, generate_topics
    result = generate_topics(TopicsConfig(prompt="Python file handling", depth=2, degree=4))
    result.stats.topics          # 16 when every expansion succeeded
    result.topics.topics()       # [Topic(id=..., path=(...)), ...]

While it runs, `<output>.partial.jsonl` holds the structure so far; running again with the
same settings resumes from it. The output file is written atomically at the end.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tracefabric.errors import ConfigError
from tracefabric.llm import LLM, LLMConfig

from .builder import ProgressCallback, TopicBuilder
from .config import TopicsConfig
from .config_file import describe_validation_error
from .files import failures_path_for, load_topics, partial_path_for, save_topics
from .journal import Journal, ReplayState
from .model import TopicSet
from .plan import TopicPlan, plan_topics


@dataclass
class TopicsStats:
    planned: TopicPlan
    topics: int = 0
    nodes: int = 0
    links: int = 0
    expanded: int = 0
    failed: int = 0
    underfilled: int = 0  # expanded nodes left with fewer than `degree` distinct subtopics
    duplicates_exact: int = 0
    duplicates_near: int = 0
    invalid: int = 0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    resumed_steps: int = 0  # journal steps restored instead of regenerated
    elapsed_s: float = 0.0

    @property
    def duplicates_removed(self) -> int:
        return self.duplicates_exact + self.duplicates_near

    @property
    def shortfall(self) -> int:
        return max(0, self.planned.topics - self.topics)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["planned"] = self.planned.to_json()
        data["duplicates_removed"] = self.duplicates_removed
        data["shortfall"] = self.shortfall
        return data

    def describe(self) -> str:
        lines = [
            f"{self.topics:,} topics of {self.planned.topics:,} planned ({self.planned.mode}, "
            f"degree {self.planned.degree}, depth {self.planned.depth}); {self.nodes:,} nodes"
            + (f", {self.links:,} cross-links" if self.links else "")
        ]
        lines.append(
            f"duplicates removed: {self.duplicates_removed} ({self.duplicates_exact} exact, "
            f"{self.duplicates_near} near); failed nodes: {self.failed}; "
            f"underfilled nodes: {self.underfilled}"
        )
        lines.append(
            f"LLM calls: {self.llm_calls} ({self.prompt_tokens:,} prompt + {self.completion_tokens:,} "
            f"completion tokens)"
            + (f"; resumed {self.resumed_steps} steps" if self.resumed_steps else "")
            + f"; {self.elapsed_s:.1f} s"
        )
        if self.shortfall:
            lines.append(
                f"{self.shortfall:,} topics short of the plan: failed expansions become leaves, and "
                "underfilled nodes ran out of distinct subtopics"
            )
        return "\n".join(lines)


@dataclass
class TopicsResult:
    topics: TopicSet
    path: Path
    failures_path: Path
    stats: TopicsStats
    reused: bool = False  # the output already existed: nothing was generated


def coerce_config(config: TopicsConfig | Mapping[str, Any]) -> TopicsConfig:
    if isinstance(config, TopicsConfig):
        return config
    try:
        return TopicsConfig.model_validate(dict(config))
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, "topics", TopicsConfig)) from None


def stats_of(topics: TopicSet, config: TopicsConfig, state: ReplayState | None = None) -> TopicsStats:
    stats = TopicsStats(planned=plan_topics(config))
    stats.topics = len(topics.leaves())
    stats.nodes = len(topics)
    stats.links = topics.links
    stats.failed = sum(1 for node in topics.nodes.values() if node.failed)
    stats.expanded = sum(1 for node in topics.nodes.values() if node.children)
    stats.underfilled = sum(
        1
        for node in topics.nodes.values()
        if node.children and len(topics.path_children(node)) < config.degree
    )
    if state is not None:
        for name in ("duplicates_exact", "duplicates_near", "invalid", "prompt_tokens", "completion_tokens"):
            setattr(stats, name, getattr(state.counters, name))
        stats.llm_calls = state.counters.calls
    return stats


def _check_existing(topics: TopicSet, config: TopicsConfig, path: Path) -> None:
    """Refuse to reuse an output made from other settings (what the file lets us check)."""
    saved = topics.metadata.get("tracefabric", {}).get("config")
    if isinstance(saved, dict):
        for key, value in config.fingerprint().items():
            if key in saved and saved[key] != value:
                raise ConfigError(
                    f"{path} was generated with {key}={saved[key]!r} but the config says {value!r}; "
                    "pass --force to regenerate it"
                )
        return
    if topics.root.topic != config.prompt:
        raise ConfigError(f"{path} has another root topic than topics.prompt; pass --force to regenerate it")


async def generate_topics_async(
    config: TopicsConfig | Mapping[str, Any],
    *,
    llm: LLM | None = None,
    llm_config: LLMConfig | None = None,
    output: str | Path | None = None,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
) -> TopicsResult:
    """Generate (or resume, or reuse) the topics a config describes.

    `llm` is used as given; otherwise one is built from `llm_config` (the run's default
    `llm:` section) overridden by `topics.llm`. `force` starts over even when a finished
    output or a partial run exists (the old output stays until the new one is complete).
    """
    config = coerce_config(config)
    out = Path(output or config.output_path)
    journal = Journal(partial_path_for(out))
    failures = failures_path_for(out)
    if force:
        journal.remove()
    elif not journal.exists() and out.exists():
        topics = load_topics(out)
        _check_existing(topics, config, out)
        return TopicsResult(topics, out, failures, stats_of(topics, config), reused=True)

    started = time.perf_counter()
    if journal.exists():
        state = journal.replay(config)
        resumed = state.steps
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        failures.unlink(missing_ok=True)
        journal.start(config)
        state = ReplayState(topics=TopicSet(config.prompt, mode=config.mode))
        resumed = 0

    own_llm = llm is None
    if llm is None:
        llm = LLM((llm_config or LLMConfig()).merged(config.llm))
    try:
        builder = TopicBuilder(config, llm, state, journal, failures, on_progress=on_progress)
        await builder.run()
    finally:
        if own_llm:
            await llm.aclose()

    topics = state.topics
    stats = stats_of(topics, config, state)
    stats.resumed_steps = resumed
    stats.elapsed_s = time.perf_counter() - started
    topics.metadata = {
        "provider": llm.config.provider,
        "model": llm.config.model,
        "temperature": llm.config.temperature,
        "created_at": datetime.now(UTC).isoformat(),
        "tracefabric": {"config": config.fingerprint(), "stats": stats.to_json()},
    }
    save_topics(topics, out)
    journal.remove()
    return TopicsResult(topics, out, failures, stats)


def generate_topics(config: TopicsConfig | Mapping[str, Any], **options: Any) -> TopicsResult:
    """Synchronous `generate_topics_async` (for scripts; inside an event loop, await that)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(generate_topics_async(config, **options))
    raise RuntimeError("generate_topics() cannot run inside an event loop; await generate_topics_async()")

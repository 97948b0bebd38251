"""`tracefabric validate`: what a config will do, computed before any LLM call."""

from __future__ import annotations

from typing import Any

from tracefabric.config import LoadedConfig


def plan_run(loaded: LoadedConfig, *, num_samples: int | None = None) -> dict[str, Any]:
    from tracefabric.samples.agent.environment import check_tools
    from tracefabric.topics import plan_topics

    config = loaded.config
    check_tools(config, loaded.base_dir)  # the manifest and its component sources (exit 2 if bad)
    topics = plan_topics(config.topics)
    output = config.output
    samples = num_samples or output.resolve_num_samples(topics.topics)
    generation_llm = config.generation_llm()
    topics_llm = config.topics_llm()
    estimate = _sample_estimate(config)
    sample_calls = round(samples * estimate["llm_calls"])
    sample_tokens = samples * (estimate["prompt_tokens"] + estimate["completion_tokens"])
    topic_calls = topics.expansions
    topic_tokens = topic_calls * 400
    lines = [
        f"topics: {config.topics.mode}, degree {config.topics.degree}, depth {config.topics.depth} "
        f"→ {topics.topics:,} topics ({topic_calls:,} LLM calls, {topics_llm.provider}/{topics_llm.resolved_model})",
        f"samples: {samples:,} {config.generation.kind} samples → {output.path} "
        f"({output.concurrency} in flight, seed {output.seed})",
        f"estimated LLM calls: ~{topic_calls + sample_calls:,}; tokens: ~{topic_tokens + sample_tokens:,} "
        f"(samples on {generation_llm.provider}/{generation_llm.resolved_model})",
    ]
    if samples > topics.topics:
        lines.append(f"each topic is used {samples // topics.topics}-{-(-samples // topics.topics)} times")
    if config.generation.kind == "agent" and config.generation.tools is not None:
        tools = config.generation.tools
        where = tools.endpoint or f"in-process ({tools.manifest or 'built-in manifest'})"
        components = ", ".join(tools.component_filter())
        lines.append(f"tools: {components} via {where}; up to {tools.max_agent_steps} steps per sample")
    for stage, llm in (("topics", topics_llm), ("generation", generation_llm)):
        problem = _missing_key(llm)
        if problem:
            lines.append(f"warning ({stage}): {problem}")
    if output.max_tokens_total or output.max_cost_usd:
        lines.append(f"budget: {output.max_tokens_total or '-'} tokens, ${output.max_cost_usd or '-'}")
    return {
        "topics": topics.to_json(),
        "samples": samples,
        "llm_calls": topic_calls + sample_calls,
        "tokens": topic_tokens + sample_tokens,
        "lines": lines,
    }


def _sample_estimate(config: Any) -> dict[str, float]:
    kind = config.generation.kind
    instructions = len(config.generation.instructions) // 4
    if kind == "agent":
        tools = config.generation.tools
        steps = min(tools.max_agent_steps, max(2, tools.min_tool_calls + 1))
        return {
            "llm_calls": 1 + steps,
            "prompt_tokens": (1 + steps) * (900 + instructions),
            "completion_tokens": (1 + steps) * 120,
        }
    return {
        "llm_calls": 1,
        "prompt_tokens": 200 + instructions,
        "completion_tokens": 350 if kind == "cot" else 250,
    }


def _missing_key(llm: Any) -> str | None:
    if llm.provider in ("local", "scripted"):
        return None
    from tracefabric.errors import ConfigError
    from tracefabric.llm.providers.keys import resolve_api_key

    try:
        resolve_api_key(llm)
    except ConfigError as exc:
        return str(exc).split("; ", 1)[0].removeprefix("llm.api_key_env: ")
    return None

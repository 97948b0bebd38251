"""Translate a DeepFabric 4.x config into ours, so users switch with the files they have.

Keys with an equivalent are mapped; keys without one are reported (never silently kept or
dropped). `components: {builtin: [...]}` means our VFS; `spin_endpoint` becomes a remote
tool server; tools configured means agent samples, as in DeepFabric.
"""

from __future__ import annotations

import copy
from typing import Any

# Keys only DeepFabric configs have: any of them marks a file as DeepFabric's.
_MARKERS = {
    ("output", "save_as"),
    ("output", "batch_size"),
    ("output", "checkpoint"),
    ("generation", "conversation"),
    ("generation", "sample_retries"),
    ("generation", "rate_limit"),
    ("generation", "max_tokens"),
    ("generation", "save_as"),
}
_TOP_LEVEL_ONLY_THEIRS = ("huggingface", "kaggle", "evaluation", "deepfabric_cloud")
_TRANSLATED_TOP_LEVEL = ("huggingface",)
_LLM_KEYS = {"provider", "model", "temperature", "base_url"}


def looks_like_deepfabric(data: dict[str, Any]) -> bool:
    if any(key in data for key in _TOP_LEVEL_ONLY_THEIRS):
        return True
    for section, key in _MARKERS:
        block = data.get(section)
        if isinstance(block, dict) and key in block:
            return True
    tools = (data.get("generation") or {}).get("tools") if isinstance(data.get("generation"), dict) else None
    return isinstance(tools, dict) and any(
        k in tools for k in ("spin_endpoint", "tools_endpoint", "max_per_query")
    )


def translate_deepfabric(source: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(our config dict, dotted keys that have no equivalent)."""
    data = copy.deepcopy(source)
    dropped: list[str] = []
    out: dict[str, Any] = {}

    for key in _TOP_LEVEL_ONLY_THEIRS:
        if key in data and key not in _TRANSLATED_TOP_LEVEL:
            dropped.append(key)
    if "huggingface" in data:
        hub, hub_dropped = _translate_huggingface(data["huggingface"])
        dropped += hub_dropped
        if hub:
            out["hub"] = hub
    for key in set(data) - {"llm", "topics", "generation", "output", *_TOP_LEVEL_ONLY_THEIRS}:
        out[key] = data[key]  # unknown either way: our validation names it

    if "llm" in data:
        out["llm"] = data["llm"]
    else:
        # DeepFabric's built-in default was OpenAI: the same file asks for the same provider.
        out["llm"] = {"provider": "openai"}
        dropped.append("(no llm section: DeepFabric's default provider, openai, is used)")
    if "topics" in data:
        out["topics"] = data["topics"]

    generation = dict(data.get("generation") or {})
    gen_out: dict[str, Any] = {}
    conversation = generation.pop("conversation", None) or {}
    kind = conversation.get("type", "basic") if isinstance(conversation, dict) else "basic"
    gen_out["kind"] = "cot" if kind == "cot" else "basic"
    if isinstance(conversation, dict) and conversation.get("reasoning_style") not in (
        None,
        "freetext",
        "agent",
    ):
        dropped.append("generation.conversation.reasoning_style")
    for key in ("system_prompt", "instructions", "llm", "max_retries"):
        if key in generation:
            gen_out[key] = generation.pop(key)
    if "max_tokens" in generation:
        gen_out.setdefault("llm", {})
        gen_out["llm"] = {**(gen_out["llm"] or {}), "max_tokens": generation.pop("max_tokens")}
    for key in ("sample_retries", "rate_limit", "save_as"):
        if key in generation:
            generation.pop(key)
            dropped.append(f"generation.{key}")
    tools = generation.pop("tools", None)
    if isinstance(tools, dict):
        tools_out, tools_dropped = _translate_tools(tools)
        dropped += tools_dropped
        if tools_out.get("components"):
            gen_out["kind"] = "agent"
            gen_out["tools"] = tools_out
    gen_out.update(generation)  # anything left is unknown: our validation names it
    out["generation"] = gen_out

    output = dict(data.get("output") or {})
    out_out: dict[str, Any] = {}
    if "save_as" in output:
        out_out["path"] = output.pop("save_as")
    if "batch_size" in output:
        out_out["concurrency"] = output.pop("batch_size")
    for key in ("system_prompt", "include_system_message", "num_samples"):
        if key in output:
            out_out[key] = output.pop(key)
    if "checkpoint" in output:
        output.pop("checkpoint")
        dropped.append("output.checkpoint (tracefabric always checkpoints)")
    out_out.update(output)
    out["output"] = out_out
    return out, dropped


def _translate_huggingface(section: Any) -> tuple[dict[str, Any], list[str]]:
    """`huggingface: {repository, tags}` → `hub: {repo_id, tags}`: pushed after the run, as
    DeepFabric does (with a generated dataset card; the token from HF_TOKEN as there)."""
    if not isinstance(section, dict) or not section.get("repository"):
        return {}, ["huggingface (no repository)"]
    hub: dict[str, Any] = {"repo_id": section["repository"]}
    if section.get("tags"):
        hub["tags"] = list(section["tags"])
    dropped = [f"huggingface.{key}" for key in section if key not in ("repository", "tags")]
    return hub, dropped


def _translate_tools(tools: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    out: dict[str, Any] = {}
    dropped: list[str] = []
    if tools.get("spin_endpoint"):
        out["endpoint"] = tools["spin_endpoint"]
    components = tools.get("components") or {}
    if isinstance(components, dict):
        out["components"] = {
            ("vfs" if name == "builtin" else name): list(names or []) for name, names in components.items()
        }
    for ours, theirs in (
        ("scenario_seed", "scenario_seed"),
        ("max_agent_steps", "max_agent_steps"),
        ("max_tool_calls", "max_per_query"),
        ("strict_tool_calls", "strict"),
    ):
        if theirs in tools:
            out[ours] = tools[theirs]
    for key in ("tools_endpoint", "tool_execute_path"):
        if key in tools:
            dropped.append(f"generation.tools.{key} (tool schemas come from the tool server itself)")
    if tools.get("custom"):
        dropped.append(
            "generation.tools.custom (package custom tools as a component: tracefabric component new)"
        )
    known = {
        "spin_endpoint",
        "components",
        "scenario_seed",
        "max_agent_steps",
        "max_per_query",
        "strict",
        "tools_endpoint",
        "tool_execute_path",
        "custom",
    }
    for key in set(tools) - known:
        out[key] = tools[key]
    return out, dropped

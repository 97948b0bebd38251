"""The dataset card (`README.md` of an `hf` export): YAML front matter the Hub reads (configs,
splits, features, licence, tags) and a body saying how the data was made, from `run.json`:
generator version, config hash, models and weights, topics, counts, verify and gate results,
statistics, and how to load it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tracefabric import __version__
from tracefabric.stats.collect import DatasetStats

REPO_PLACEHOLDER = "<user>/<dataset>"


def size_category(records: int) -> str:
    for limit, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
    ):
        if records < limit:
            return label
    return "10M<n<100M"


def _features(schema: Any, splits: dict[str, int], split_bytes: dict[str, int]) -> dict[str, Any] | None:
    """`dataset_info` as the installed `datasets` writes it (features and split sizes)."""
    try:
        import datasets
        from datasets.splits import SplitDict, SplitInfo
    except ImportError:
        return None
    split_dict = SplitDict()
    for name, count in splits.items():
        split_dict.add(SplitInfo(name=name, num_examples=count, num_bytes=split_bytes.get(name, 0)))
    info = datasets.DatasetInfo(
        features=datasets.Features.from_arrow_schema(schema),
        splits=split_dict,
        dataset_size=sum(split_bytes.values()),
    )
    return info._to_yaml_dict()


def front_matter(
    stats: DatasetStats,
    schema: Any,
    splits: dict[str, int],
    split_bytes: dict[str, int],
    *,
    license: str | None,
    tags: tuple[str, ...],
    pretty_name: str,
) -> dict[str, Any]:
    all_tags = ["synthetic", "tracefabric"]
    if stats.kinds.get("agent"):
        all_tags[:0] = ["tool-calling", "agent"]
    if stats.kinds.get("cot"):
        all_tags.append("reasoning")
    all_tags += [t for t in tags if t not in all_tags]
    matter: dict[str, Any] = {
        "license": license or "unknown",
        "pretty_name": pretty_name,
        "tags": all_tags,
        "task_categories": ["text-generation"],
        "size_categories": [size_category(stats.records)],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": name, "path": f"data/{name}-*"} for name in splits],
            }
        ],
    }
    info = _features(schema, splits, split_bytes)
    if info:
        matter["dataset_info"] = info
    return matter


def _row(label: str, value: Any) -> str:
    return f"| {label} | {value} |"


def _made_with(run: dict[str, Any] | None, stats: DatasetStats) -> list[str]:
    if not run:
        return ["No `run.json` was found next to the dataset, so how it was made is not recorded here."]
    config = run.get("config") or {}
    llm = run.get("llm") or {}
    generation = llm.get("generation") or {}
    topics = run.get("topics") or {}
    topics_config = config.get("topics") or {}
    failures = run.get("failures") or {}
    given_up = failures.get("given_up_by_reason") or {}
    usage = ((run.get("usage") or {}).get("totals")) or {}
    lines = ["| | |", "|---|---|"]
    lines.append(_row("generator", f"tracefabric {run.get('tracefabric', '?')}"))
    lines.append(_row("config hash", f"`{run.get('config_hash', '?')}`"))
    if run.get("translated_from"):
        lines.append(_row("config", f"translated from {run['translated_from']}"))
    lines.append(_row("sample kind", (config.get("generation") or {}).get("kind", "?")))
    lines.append(_row("model", f"{generation.get('provider', '?')} / `{generation.get('model', '?')}`"))
    if llm.get("weights_sha256"):
        lines.append(_row("model weights sha256", f"`{llm['weights_sha256']}`"))
    if topics_config:
        lines.append(
            _row(
                "topics",
                f'{topics.get("count", "?")} from "{topics_config.get("prompt", "")}" '
                f"({topics_config.get('mode', 'tree')}, degree {topics_config.get('degree', '?')}, "
                f"depth {topics_config.get('depth', '?')})",
            )
        )
    lines.append(
        _row("records", f"{run.get('records', '?')} of {run.get('target', '?')} ({run.get('status', '?')})")
    )
    lines.append(_row("seed", (config.get("output") or {}).get("seed", "?")))
    gates = ", ".join(f"{reason} {n}" for reason, n in given_up.items()) or "none"
    lines.append(_row("failed attempts (retried)", failures.get("failed_attempts", 0)))
    lines.append(_row("slots given up, by gate/reason", gates))
    if stats.failures:
        reasons = ", ".join(f"{r} {n}" for r, n in stats.failures["attempts_by_reason"].items()) or "none"
        lines.append(_row("rejections by reason (failures file)", reasons))
    if usage:
        lines.append(
            _row(
                "LLM calls / tokens",
                f"{usage.get('calls', 0):,} / {usage.get('total_tokens', usage.get('tokens', 0)):,}",
            )
        )
    lines.append(_row("generated", f"{run.get('started_at', '?')} – {run.get('updated_at', '?')}"))
    return lines


def _statistics(stats: DatasetStats) -> list[str]:
    data = stats.to_json()
    hist = data["histograms"]
    lines = ["| | |", "|---|---|"]
    lines.append(_row("records", f"{stats.records:,}"))
    lines.append(_row("splits", ", ".join(f"{k} {v:,}" for k, v in stats.splits.items())))
    lines.append(_row("kinds", ", ".join(f"{k} {v:,}" for k, v in data["kinds"].items())))
    for name, label in (
        ("turns", "turns per record"),
        ("tool_calls", "tool calls per record"),
        ("steps", "tool steps per record"),
    ):
        h = hist[name]
        lines.append(_row(label, f"mean {h['mean']:g}, p50 {h['p50']}, p90 {h['p90']}, max {h['max']}"))
    t = hist["tokens"]
    lines.append(
        _row(
            f"tokens per record ({stats.token_method})",
            f"p50 {t['p50']:,}, p90 {t['p90']:,}, max {t['max']:,}",
        )
    )
    if data["tools"]["called"]:
        lines.append(
            _row(
                "tools called",
                ", ".join(f"`{k}` {v:,}" for k, v in list(data["tools"]["called"].items())[:12]),
            )
        )
    lines.append(
        _row("tool errors seen", ", ".join(f"{k} {v:,}" for k, v in data["errors"].items()) or "none")
    )
    lines.append(
        _row("injected faults", ", ".join(f"{k} {v:,}" for k, v in data["injected_faults"].items()) or "none")
    )
    lines.append(_row("quality", f"{stats.accepted:,} accepted, {stats.rejected:,} rejected"))
    topics = stats.topics or {}
    if topics.get("total") is not None:
        lines.append(
            _row("topic coverage", f"{topics['with_samples']:,} of {topics['total']:,} topics have samples")
        )
    verify = stats.verify
    lines.append(
        _row(
            "verify (replayed tool calls)",
            f"{verify['ok']:,} ok, {verify['mismatch']:,} mismatched, {verify['skipped']:,} skipped, {verify['invalid']:,} invalid"
            if verify
            else "not given (run `tracefabric verify DATASET --json`)",
        )
    )
    return lines


def _summary(stats: DatasetStats) -> str:
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in stats.kinds.most_common())
    text = f"Synthetic training data made with tracefabric {__version__}: {kinds or 'no'} records."
    if stats.kinds.get("agent"):
        text += (
            " Agent samples come from a ReAct loop whose every tool call ran for real in a WebAssembly "
            "sandbox; each keeps the exact trace of its calls, so `tracefabric verify` can replay it."
        )
    return text


def dataset_card(
    *,
    source: Any,
    stats: DatasetStats,
    schema: Any,
    splits: dict[str, int],
    split_bytes: dict[str, int],
    options: Any,
    bad_records: int = 0,
    repo_id: str | None = None,
) -> str:
    name = repo_id.split("/")[-1] if repo_id else Path(str(source.origin)).stem
    matter = front_matter(
        stats,
        schema,
        splits,
        split_bytes,
        license=options.license,
        tags=tuple(options.tags),
        pretty_name=name,
    )
    repo = repo_id or REPO_PLACEHOLDER
    body = [
        f"# {name}",
        "",
        _summary(stats),
        "",
        "## How it was made",
        "",
        *_made_with(source.run_info, stats),
        "",
    ]
    if source.split_info:
        info = source.split_info
        body += [
            f"Splits are grouped by {', '.join(info.get('by', []))} (seed {info.get('seed')}): all records of a "
            f"group are in one split, so no topic or near-duplicate request is in two. "
            f"{info.get('leakage', {}).get('merged_groups', 0)} groups were joined to avoid leakage.",
            "",
        ]
    if bad_records:
        body += [f"{bad_records} records that did not fit the schema were left out of this export.", ""]
    body += [
        "## Statistics",
        "",
        *_statistics(stats),
        "",
        "## Fields",
        "",
        "- `messages`: the conversation, OpenAI chat format; tool-call `arguments` are JSON text.",
        "- `tools`: the tool definitions offered, as one JSON string (records with different tools "
        "never share a merged schema).",
        "- `reasoning`: the model's reasoning per step (`step`, `thought`, `action`).",
        "- `metadata`: sample id, topic, kind, model, counts (`steps`, `tool_calls`, `errors_seen`, "
        "`injected_faults`), `accepted`; anything else as JSON text in `extra`.",
        "- `trace`: every tool call's request, response, timing and state digest, as JSON text (null "
        "for basic and cot records).",
        "",
        "## Usage",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        f'dataset = load_dataset("{repo}")',
        "",
        "# Messages and tools as chat templates expect them (arguments and tools decoded):",
        "from tracefabric.training import chat_example",
        "",
        'example = chat_example(dataset["train"][0])  # {"messages": [...], "tools": [...]}',
        "```",
        "",
    ]
    yaml_text = yaml.safe_dump(matter, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{yaml_text}---\n\n" + "\n".join(body)

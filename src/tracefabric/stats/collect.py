"""Statistics of a dataset, gathered in one pass (memory flat in the number of records).

Counts by kind; histograms of turns (messages other than the system prompt), steps (assistant
turns with tool calls), tool calls and tokens; tool usage; errors by `error_type`; injected
faults; quality (accepted / rejected, the failures file's reasons); topic coverage against
the run's topics file; verify results when a `verify --json` report is given.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tracefabric.dataset.reader import BadRecord, read_records
from tracefabric.dataset.source import DatasetSource, open_dataset

from .histogram import Histogram
from .tokens import CharacterEstimate, TokenCounter, estimate_tokens, token_counter

MAX_LISTED = 50  # topics without samples, bad lines: the first ones are listed, all are counted


def accepted(record: dict[str, Any]) -> bool:
    """`metadata.quality.accepted`; a record without quality results is accepted (every record
    in a dataset file passed the run's gates)."""
    quality = (record.get("metadata") or {}).get("quality")
    return not (isinstance(quality, dict) and quality.get("accepted") is False)


@dataclass
class DatasetStats:
    dataset: str
    records: int = 0
    splits: dict[str, int] = field(default_factory=dict)
    kinds: Counter[str] = field(default_factory=Counter)
    turns: Histogram = field(default_factory=Histogram)
    steps: Histogram = field(default_factory=Histogram)
    tool_calls: Histogram = field(default_factory=Histogram)
    tokens: Histogram = field(default_factory=Histogram)
    token_method: str = CharacterEstimate.method
    tools_called: Counter[str] = field(default_factory=Counter)
    tools_offered: Counter[str] = field(default_factory=Counter)  # records offering each tool
    errors: Counter[str] = field(default_factory=Counter)
    injected_faults: Counter[str] = field(default_factory=Counter)
    accepted: int = 0
    rejected: int = 0
    bad_records: int = 0
    bad_examples: list[str] = field(default_factory=list)
    topics: dict[str, Any] | None = None
    failures: dict[str, Any] | None = None
    verify: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "records": self.records,
            "splits": self.splits,
            "kinds": dict(self.kinds.most_common()),
            "histograms": {
                "turns": self.turns.to_json(),
                "steps": self.steps.to_json(),
                "tool_calls": self.tool_calls.to_json(),
                "tokens": self.tokens.to_json(),
            },
            "token_method": self.token_method,
            "tools": {
                "called": dict(self.tools_called.most_common()),
                "offered": dict(self.tools_offered.most_common()),
            },
            "errors": dict(self.errors.most_common()),
            "injected_faults": dict(self.injected_faults.most_common()),
            "quality": {"accepted": self.accepted, "rejected": self.rejected},
            "bad_records": {"count": self.bad_records, "first": self.bad_examples},
            "topics": self.topics,
            "failures": self.failures,
            "verify": self.verify,
        }


_COUNTERS = ("kinds", "tools_called", "tools_offered", "errors", "injected_faults")
_HISTOGRAMS = ("turns", "steps", "tool_calls", "tokens")


class StatsCollector:
    """Feed records (from any reader, e.g. an export's) and get `DatasetStats`."""

    def __init__(self, dataset: str, tokens: TokenCounter | None = None) -> None:
        self.stats = DatasetStats(dataset)
        self.tokens = tokens or CharacterEstimate()
        self.stats.token_method = self.tokens.method
        self._estimate = isinstance(self.tokens, CharacterEstimate)
        self._topic_counts: Counter[str] = Counter()
        self._topic_paths: dict[str, list[str]] = {}

    def add(self, record: dict[str, Any], split: str = "train") -> None:
        """Count one record. Everything is computed first and committed last, so a record of an
        unexpected shape raises (AttributeError, TypeError, ...) without leaving half its counts."""
        metadata = record["metadata"]
        kind = str(metadata.get("kind", "unknown"))
        # One pass over the messages for every count (stats must keep up with large files).
        turns = steps = calls = chars = 0
        called: list[str] = []
        for message in record["messages"]:
            content = message.get("content")
            if content:
                chars += len(content)
            if message.get("role") != "system":
                turns += 1
            tool_calls = message.get("tool_calls")
            if tool_calls:
                steps += 1
                calls += len(tool_calls)
                for call in tool_calls:
                    function = call["function"]
                    name = str(function.get("name"))
                    called.append(name)
                    chars += len(name) + len(str(function.get("arguments") or ""))
        tools = record.get("tools") or []
        offered = [str((tool.get("function") or {}).get("name")) for tool in tools]
        if self._estimate:
            if tools:
                chars += len(orjson.dumps(tools))
            tokens = estimate_tokens(chars)
        else:
            tokens = self.tokens.count(record)
        errors = [str(e) for e in metadata.get("errors_seen") or ()]
        faults = [str(f) for f in metadata.get("injected_faults") or ()]
        topic = metadata.get("topic_id")
        path = [str(p) for p in metadata.get("topic_path") or ()] if isinstance(topic, str) else None
        ok = accepted(record)

        stats = self.stats
        stats.records += 1
        stats.splits[split] = stats.splits.get(split, 0) + 1
        stats.kinds[kind] += 1
        stats.turns.add(turns)
        stats.steps.add(steps)
        stats.tool_calls.add(calls)
        stats.tokens.add(tokens)
        stats.tools_called.update(called)
        stats.tools_offered.update(offered)
        if errors:
            stats.errors.update(errors)
        if faults:
            stats.injected_faults.update(faults)
        if ok:
            stats.accepted += 1
        else:
            stats.rejected += 1
        if path is not None:
            self._topic_counts[topic] += 1
            self._topic_paths.setdefault(topic, path)

    def state(self) -> dict[str, Any]:
        """What `add` and `bad` have gathered so far, as JSON; `from_state` continues from it
        (the viewer keeps it in its index, so a file that grew only needs its new records)."""
        stats = self.stats
        return {
            "token_method": stats.token_method,
            "records": stats.records,
            "splits": dict(stats.splits),
            "counters": {name: dict(getattr(stats, name)) for name in _COUNTERS},
            "histograms": {
                name: {str(v): n for v, n in getattr(stats, name).counts.items()} for name in _HISTOGRAMS
            },
            "accepted": stats.accepted,
            "rejected": stats.rejected,
            "bad_records": stats.bad_records,
            "bad_examples": list(stats.bad_examples),
            "topic_counts": dict(self._topic_counts),
            "topic_paths": dict(self._topic_paths),
        }

    @classmethod
    def from_state(
        cls, dataset: str, state: dict[str, Any], tokens: TokenCounter | None = None
    ) -> StatsCollector:
        """A collector holding `state` (from `state()`), counting tokens the same way."""
        collector = cls(dataset, tokens)
        collector.merge_state(state)
        return collector

    def merge_state(self, state: dict[str, Any]) -> None:
        """Add what another collector gathered (`state()`: e.g. of another part of the file)."""
        stats = self.stats
        if state.get("token_method") != stats.token_method:
            raise ValueError(
                f"the state counted tokens {state.get('token_method')!r}, not {stats.token_method!r}"
            )
        stats.records += int(state["records"])
        for split, count in state["splits"].items():
            stats.splits[split] = stats.splits.get(split, 0) + count
        for name in _COUNTERS:
            getattr(stats, name).update(state["counters"][name])
        for name in _HISTOGRAMS:
            getattr(stats, name).counts.update({int(v): n for v, n in state["histograms"][name].items()})
        stats.accepted += int(state["accepted"])
        stats.rejected += int(state["rejected"])
        stats.bad_records += int(state["bad_records"])
        stats.bad_examples = (stats.bad_examples + list(state["bad_examples"]))[:MAX_LISTED]
        self._topic_counts.update(state["topic_counts"])
        for topic, path in state["topic_paths"].items():
            self._topic_paths.setdefault(topic, path)

    def bad(self, bad: BadRecord) -> None:
        self.stats.bad_records += 1
        if len(self.stats.bad_examples) < MAX_LISTED:
            self.stats.bad_examples.append(str(bad))

    def finish(
        self,
        *,
        topics_file: Path | None = None,
        failures_file: Path | None = None,
        verify_report: str | Path | dict[str, Any] | None = None,
    ) -> DatasetStats:
        self.stats.topics = self._coverage(topics_file)
        self.stats.failures = _failures(failures_file) if failures_file else None
        self.stats.verify = _verify(verify_report) if verify_report is not None else None
        return self.stats

    def _coverage(self, topics_file: Path | None) -> dict[str, Any]:
        paths = dict(self._topic_paths)
        known: set[str] | None = None
        if topics_file is not None:
            from tracefabric.topics import load_topics

            topics = load_topics(topics_file).topics()
            known = {t.id for t in topics}
            for topic in topics:
                paths.setdefault(topic.id, list(topic.path))
        per_topic = Histogram()
        for topic_id in known if known is not None else self._topic_counts:
            per_topic.add(self._topic_counts.get(topic_id, 0))
        without = sorted(" > ".join(paths[t]) for t in (known or set()) if not self._topic_counts.get(t))
        return {
            "file": str(topics_file) if topics_file else None,
            "total": len(known) if known is not None else None,
            "with_samples": sum(1 for t in self._topic_counts if known is None or t in known),
            "samples_per_topic": per_topic.to_json(),
            "without_samples": len(without),
            "without_samples_first": without[:MAX_LISTED],
            "most_sampled": [
                {"topic": " > ".join(paths.get(t, [t])), "records": n}
                for t, n in self._topic_counts.most_common(10)
            ],
            "outside_topics_file": sum(1 for t in self._topic_counts if known is not None and t not in known),
        }


def _failures(path: Path) -> dict[str, Any]:
    """The failures file: every failed attempt, and the slots given up, by reason."""
    attempts: Counter[str] = Counter()
    given_up: Counter[str] = Counter()
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            reason = str(entry.get("reason", "unknown"))
            attempts[reason] += 1
            if entry.get("final"):
                given_up[reason] += 1
    return {
        "file": str(path),
        "failed_attempts": sum(attempts.values()),
        "attempts_by_reason": dict(attempts.most_common()),
        "given_up": sum(given_up.values()),
        "given_up_by_reason": dict(given_up.most_common()),
    }


def _verify(report: str | Path | dict[str, Any]) -> dict[str, Any]:
    from tracefabric.dataset.reader import DatasetError

    if not isinstance(report, dict):
        try:
            report = json.loads(Path(report).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DatasetError(f"{report}: not a 'tracefabric verify --json' report ({exc})") from None
    counts = report.get("counts") if isinstance(report, dict) else None
    if not isinstance(counts, dict):
        raise DatasetError("verify report: expected the output of 'tracefabric verify --json'")
    from tracefabric.verify.report import Status

    return {str(status): int(counts.get(str(status), 0)) for status in Status}


def dataset_stats(
    dataset: str | Path | DatasetSource,
    *,
    template: Any = None,
    tokenizer: Any = None,
    verify_report: str | Path | dict[str, Any] | None = None,
    topics: str | Path | None = None,
    validate: bool = False,
) -> DatasetStats:
    """Statistics of a dataset file or split folder. `validate=True` checks every record
    against the schema (slower); by default only the shape the counts rely on."""
    source = dataset if isinstance(dataset, DatasetSource) else open_dataset(dataset)
    collector = StatsCollector(str(source.path), token_counter(template, tokenizer))
    for split, path in source.splits.items():
        # Without --validate, no separate shape check: a record `add` cannot count is reported
        # like any bad record (its line and the problem), and nothing of it is counted.
        for line, record in read_records(path, validate=validate, shape=validate, on_bad=collector.bad):
            try:
                collector.add(record, split)
            except (AttributeError, TypeError, KeyError, ValueError) as exc:
                collector.bad(BadRecord(str(path), line, f"unexpected shape ({type(exc).__name__}: {exc})"))
    return collector.finish(
        topics_file=Path(topics) if topics else source.topics_file,
        failures_file=source.failures_file,
        verify_report=verify_report,
    )

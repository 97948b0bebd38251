"""The terminal view of `DatasetStats`: rich tables with bar charts (`tracefabric stats`)."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from .collect import DatasetStats

BAR_WIDTH = 30


def _bar(value: int, largest: int) -> Text:
    cells = round(BAR_WIDTH * value / largest) if largest else 0
    return Text("█" * cells + ("▏" if value and not cells else ""), style="cyan")


def _counts(title: str, counts: dict[str, int], label: str, limit: int = 15) -> Table | None:
    if not counts:
        return None
    table = Table(title=title, title_justify="left", show_edge=False)
    table.add_column(label)
    table.add_column("count", justify="right")
    table.add_column("", no_wrap=True)
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    largest = items[0][1]
    for name, count in items[:limit]:
        table.add_row(name, f"{count:,}", _bar(count, largest))
    if len(items) > limit:
        table.add_row(f"… {len(items) - limit} more", "", "")
    return table


def _histogram(title: str, data: dict[str, Any]) -> Table:
    table = Table(
        title=f"{title}  (mean {data['mean']:g}, p50 {data['p50']:,}, p90 {data['p90']:,}, max {data['max']:,})",
        title_justify="left",
        show_edge=False,
    )
    table.add_column("range", justify="right")
    table.add_column("records", justify="right")
    table.add_column("", no_wrap=True)
    largest = max((b["count"] for b in data["bins"]), default=0)
    for b in data["bins"]:
        span = f"{b['lo']:,}" if b["lo"] == b["hi"] else f"{b['lo']:,}–{b['hi']:,}"
        table.add_row(span, f"{b['count']:,}", _bar(b["count"], largest))
    return table


def render_stats(stats: DatasetStats, console: Console | None = None) -> None:
    console = console or Console()
    data = stats.to_json()
    summary = Table(show_header=False, show_edge=False)
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("records", f"{stats.records:,}")
    summary.add_row("splits", ", ".join(f"{k} {v:,}" for k, v in stats.splits.items()) or "-")
    summary.add_row("kinds", ", ".join(f"{k} {v:,}" for k, v in data["kinds"].items()) or "-")
    summary.add_row("quality", f"{stats.accepted:,} accepted, {stats.rejected:,} rejected")
    summary.add_row("tokens", stats.token_method)
    if stats.bad_records:
        summary.add_row(
            "bad lines", Text(f"{stats.bad_records:,} skipped (first: {stats.bad_examples[0]})", style="red")
        )
    if stats.verify:
        v = stats.verify
        summary.add_row(
            "verify",
            f"{v['ok']:,} ok, {v['mismatch']:,} mismatched, {v['skipped']:,} skipped, {v['invalid']:,} invalid",
        )
    if stats.failures:
        f = stats.failures
        reasons = ", ".join(f"{k} {n}" for k, n in f["attempts_by_reason"].items())
        summary.add_row(
            "failed attempts",
            f"{f['failed_attempts']:,} ({reasons or '-'}); {f['given_up']:,} slots given up",
        )
    parts: list[Any] = [Text(stats.dataset, style="bold"), summary, Text("")]
    histograms = data["histograms"]
    for name, title in (
        ("turns", "turns per record"),
        ("steps", "tool steps per record"),
        ("tool_calls", "tool calls per record"),
        ("tokens", f"tokens per record ({stats.token_method})"),
    ):
        if histograms[name]["count"]:
            parts += [_histogram(title, histograms[name]), Text("")]
    for table in (
        _counts("tools called", data["tools"]["called"], "tool"),
        _counts("errors seen (error_type)", data["errors"], "error_type"),
        _counts("injected faults", data["injected_faults"], "fault"),
    ):
        if table is not None:
            parts += [table, Text("")]
    topics = stats.topics or {}
    if topics:
        total = topics["total"]
        line = f"topics: {topics['with_samples']:,} with samples"
        line += (
            f" of {total:,} ({topics['without_samples']:,} without)"
            if total is not None
            else " (no topics file found)"
        )
        parts.append(Text(line, style="bold"))
        per = topics["samples_per_topic"]
        if per["count"]:
            parts.append(Text(f"  samples per topic: min {per['min']}, p50 {per['p50']}, max {per['max']}"))
        for path in topics["without_samples_first"][:10]:
            parts.append(Text(f"  no samples: {path}", style="yellow"))
    console.print(Group(*parts))

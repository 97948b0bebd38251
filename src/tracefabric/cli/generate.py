"""`tracefabric generate CONFIG` and `tracefabric validate CONFIG`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130


def _load(config: str) -> Any:
    from tracefabric.config import load_config

    loaded = load_config(config)
    for notice in loaded.notices:
        click.echo(f"notice: {notice}", err=True)
    return loaded


@click.command("generate")
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--num-samples", "-n", type=int, default=None, help="Override output.num_samples.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="Override output.path.")
@click.option(
    "--resume/--no-resume",
    default=None,
    help="Continue an existing dataset (default: automatic when its run.json matches this config).",
)
@click.option(
    "--overwrite", is_flag=True, help="Delete an existing dataset (and its run files) and start over."
)
@click.option(
    "--topics-load", type=click.Path(dir_okay=False), default=None, help="Use this topic tree/graph file."
)
@click.option(
    "--progress",
    type=click.Choice(["auto", "rich", "plain", "none"]),
    default="auto",
    show_default=True,
    help="rich: a live bar; plain: log lines (CI, pipes).",
)
def generate_command(
    config: str,
    num_samples: int | None,
    output: str | None,
    resume: bool | None,
    overwrite: bool,
    topics_load: str | None,
    progress: str,
) -> None:
    """Generate a dataset from CONFIG (YAML): topics, then samples, written as they finish.

    Kill it at any moment and run it again: it resumes where it stopped, and ends with
    exactly num_samples records. Ctrl+C stops gracefully (Ctrl+C again stops at once).

    Exit status: 0 complete; 2 config error; 3 stopped before the end (budget, too many
    failures, or the LLM endpoint cannot be reached: "error: cannot reach the LLM endpoint:
    connection refused at URL"; records written are kept, run again to resume); 130 interrupted.

    \b
    Examples:
      tracefabric generate examples/quickstart.yaml
      tracefabric generate my.yaml --num-samples 500 --progress plain
      tracefabric generate my.yaml --topics-load topics.jsonl -o out/run2.jsonl
    """
    from tracefabric.run import generate

    loaded = _load(config)
    summary = generate(
        loaded,
        num_samples=num_samples,
        output=output,
        resume=resume,
        overwrite=overwrite,
        topics_load=topics_load,
        progress=progress,
    )
    _print_summary(summary)
    if summary.status == "completed":
        return
    sys.exit(EXIT_INTERRUPTED if summary.status == "interrupted" else EXIT_INCOMPLETE)


def _print_summary(summary: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    table = Table(title=f"tracefabric run: {summary.status}", show_header=False, box=None, padding=(0, 2))
    table.add_row(
        "records",
        f"{summary.written} of {summary.target}"
        + (f" ({summary.resumed_from} from before)" if summary.resumed_from else ""),
    )
    table.add_row("topics", str(summary.topics))
    failed = ", ".join(f"{reason}: {n}" for reason, n in sorted(summary.failures_by_reason.items())) or "none"
    table.add_row("given up", failed)
    table.add_row("failed attempts", str(summary.failed_attempts))
    totals = summary.usage.get("totals", {})
    tokens = int(totals.get("prompt_tokens", 0)) + int(totals.get("completion_tokens", 0))
    llm_line = f"{totals.get('calls', 0)} calls, {tokens:,} tokens, {totals.get('cache_hits', 0)} cache hits"
    if totals.get("cost_usd"):
        llm_line += f", ${totals['cost_usd']:.4f}"
    table.add_row("LLM", llm_line)
    rate = (summary.written - summary.resumed_from) / summary.elapsed_s if summary.elapsed_s else 0
    table.add_row("time", f"{summary.elapsed_s:.1f} s ({rate:.2f} samples/s)")
    table.add_row("dataset", str(summary.dataset))
    table.add_row("run info", str(summary.run_json))
    if summary.failed_attempts:
        table.add_row("failures", str(summary.failures_path))
    console.print(table)
    for note in summary.notes:
        console.print(f"note: {note}")
    if summary.status != "completed":
        reason = f" ({summary.stop_reason})" if summary.stop_reason else ""
        console.print(f"[yellow]stopped before the end{reason}; run the same command again to resume[/]")
    else:
        console.print(f"look at it: tracefabric view {summary.dataset}")
        if summary.dataset.exists() and _has_traces(summary.dataset):
            console.print(f"replay it:  tracefabric verify {summary.dataset}")


def _has_traces(path: Path) -> bool:
    with open(path, encoding="utf-8") as handle:
        first = handle.readline()
    return '"trace"' in first


@click.command("validate")
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--num-samples", "-n", type=int, default=None, help="Override output.num_samples.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def validate_command(config: str, num_samples: int | None, as_json: bool) -> None:
    """Check CONFIG and print the plan: topics, samples, estimated LLM calls and tokens.

    \b
    Example:
      tracefabric validate examples/quickstart.yaml
    """
    import json

    from tracefabric.run.plan import plan_run

    loaded = _load(config)
    plan = plan_run(loaded, num_samples=num_samples)
    if as_json:
        click.echo(json.dumps(plan, indent=2))
        return
    click.echo(f"config OK: {config}")
    for line in plan["lines"]:
        click.echo(f"  {line}")

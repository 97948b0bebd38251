"""`tracefabric topics generate|inspect|prune|render`: the topic stage on its own."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

FILE_ARGUMENT = click.argument("file", type=click.Path(dir_okay=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def topics() -> None:
    """Generate, look at, prune and draw topic trees and graphs."""


def _progress_bar() -> tuple[Any, Any]:
    """A progress callback on stderr (only on a terminal), and the context that owns it."""
    from tracefabric.progress import quiet

    if quiet() or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("topics"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("expansions"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("topics", total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return update, progress


@topics.command("generate")
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default=None, help="Output file (default: topics.save_as).")
@click.option("--force", is_flag=True, help="Start over, ignoring a finished output or a partial run.")
@click.option(
    "--plan", "plan_only", is_flag=True, help="Print how many topics the config makes; no LLM calls."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Log every failed call on stderr.")
def generate(
    config: str, output: str | None, force: bool, plan_only: bool, as_json: bool, verbose: bool
) -> None:
    """Grow the topic tree or graph that CONFIG's `topics:` section describes (no samples).

    An interrupted run resumes from OUTPUT.partial.jsonl when started again; a finished
    OUTPUT is reused unless --force. Failed expansions are listed in OUTPUT_failed.jsonl.

    \b
    Example:
      tracefabric topics generate config.yaml --plan
      tracefabric topics generate config.yaml -o topics.jsonl
    """
    import logging

    from tracefabric.llm import EndpointUnreachable, LLMError
    from tracefabric.topics import generate_topics, load_config_file, plan_topics
    from tracefabric.topics.files import partial_path_for

    base_llm, topics_config = load_config_file(config)
    plan = plan_topics(topics_config)
    if plan_only:
        click.echo(json.dumps(plan.to_json(), indent=2) if as_json else plan.describe())
        return
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out = output or topics_config.output_path
    if not as_json:
        click.echo(f"planned: {plan.describe()}", err=True)
    update, progress = _progress_bar()
    try:
        if progress is not None:
            with progress:
                result = generate_topics(
                    topics_config, llm_config=base_llm, output=out, force=force, on_progress=update
                )
        else:
            result = generate_topics(topics_config, llm_config=base_llm, output=out, force=force)
    except KeyboardInterrupt:
        click.echo(
            f"Stopped; progress is kept in {partial_path_for(out)}: run the same command to resume.", err=True
        )
        raise
    except LLMError as exc:
        raise LLMError(f"{exc} (progress is kept in {partial_path_for(out)}: run again to resume)") from exc
    except EndpointUnreachable as exc:
        raise EndpointUnreachable(f"{exc.detail} (progress is kept in {partial_path_for(out)})") from exc

    stats = result.stats
    if as_json:
        report = {"output": str(result.path), "reused": result.reused, **stats.to_json()}
        if result.failures_path.exists():
            report["failures"] = str(result.failures_path)
        click.echo(json.dumps(report, indent=2))
        return
    if result.reused:
        click.echo(f"{result.path} already exists: {stats.topics:,} topics (pass --force to regenerate)")
        return
    click.echo(stats.describe())
    click.echo(f"wrote {result.path}")
    if result.failures_path.exists() and stats.failed:
        click.echo(f"failed expansions: {result.failures_path}")


@topics.command("inspect")
@FILE_ARGUMENT
@click.option("--level", type=click.IntRange(min=0), default=None, help="Show nodes down to this level only.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tree", "table", "json"]),
    default="tree",
    show_default=True,
    help="An outline, a table of nodes, or JSON (summary and nodes).",
)
def inspect(file: str, level: int | None, fmt: str) -> None:
    """Summarise a topic file (ours or DeepFabric's) and show its structure.

    \b
    Example:
      tracefabric topics inspect topic_tree.jsonl --level 1
      tracefabric topics inspect topic_graph.json --format json | jq .summary
    """
    from tracefabric.topics import inspect_topics, load_topics
    from tracefabric.topics.inspect import outline_lines

    topic_set = load_topics(file)
    report = inspect_topics(topic_set, level)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    summary = report["summary"]
    header = (
        f"{summary['mode']}: {summary['topics']:,} topics, {summary['nodes']:,} nodes, "
        f"depth {summary['depth']}"
        + (f", {summary['links']} cross-links" if summary["links"] else "")
        + (f", {summary['failed']} failed" if summary["failed"] else "")
        + f"; degree {summary['degree']['min']}–{summary['degree']['max']}"
    )
    click.echo(header)
    if fmt == "tree":
        for line in outline_lines(topic_set, level):
            click.echo(line)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, padding=(0, 2), header_style="bold")
    for column in ("topic id", "node", "level", "children", "parents", "topic"):
        table.add_column(column, overflow="fold" if column == "topic" else None)
    for node in report["nodes"]:
        table.add_row(
            node["topic_id"],
            str(node["id"]),
            str(node["depth"]),
            str(len(node["children"])) if node["children"] else ("failed" if "failed" in node else "leaf"),
            ",".join(map(str, node["parents"])),
            node["topic"],
        )
    Console(width=max(100, Console().width)).print(table)


@topics.command("prune")
@FILE_ARGUMENT
@click.option("--level", type=int, default=None, help="Drop every node below this level.")
@click.option(
    "--id", "node_ref", default=None, help="Drop this node (topic id, prefix or node id) and its subtree."
)
@click.option("-o", "--output", default=None, help="Write here instead of rewriting FILE.")
def prune(file: str, level: int | None, node_ref: str | None, output: str | None) -> None:
    """Cut a topic file down to a level, or remove one subtree. Kept ids do not change.

    The format follows OUTPUT's extension (.jsonl: tree paths, .json: graph).

    \b
    Example:
      tracefabric topics prune topic_graph.json --level 2 -o smaller.json
      tracefabric topics prune topic_tree.jsonl --id 3f2a9c1e
    """
    from tracefabric.topics import load_topics, prune_topics, save_topics

    pruned, report = prune_topics(load_topics(file), level=level, node=node_ref)
    target = save_topics(pruned, output or file)
    click.echo(f"{report.describe()}; wrote {target}")


@topics.command("render")
@FILE_ARGUMENT
@click.option("-o", "--output", required=True, help="graph.html (interactive page) or graph.svg (drawing).")
@click.option(
    "--level",
    type=click.IntRange(min=1),
    default=None,
    help="SVG: draw down to this level; HTML: fold there.",
)
def render(file: str, output: str, level: int | None) -> None:
    """Draw a topic tree or graph as a self-contained HTML page or an SVG file.

    The HTML page works offline (no CDN): fold and unfold nodes, search, hover for paths
    and topic ids, drag to pan, scroll to zoom. Cross-links are dashed.

    \b
    Example:
      tracefabric topics render topic_graph.json -o graph.html
      tracefabric topics render topic_tree.jsonl -o tree.svg --level 2
    """
    from tracefabric.topics import render_topics

    target = render_topics(file, output, level=level)
    click.echo(f"wrote {target}")

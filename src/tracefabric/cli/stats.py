"""`tracefabric stats DATASET`."""

from __future__ import annotations

import json

import click


@click.command("stats")
@click.argument("dataset", type=click.Path(exists=True))
@click.option(
    "--template",
    type=click.Path(exists=True),
    default=None,
    help="Count tokens of the conversation rendered with this chat template (tokenizer_config.json, .gguf, .jinja).",
)
@click.option(
    "--tokenizer",
    type=click.Path(exists=True),
    default=None,
    help="Count tokens with this tokenizer.json (else characters / 4).",
)
@click.option(
    "--verify-report",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A 'tracefabric verify --json' report to include.",
)
@click.option(
    "--topics",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="The topics file for coverage (default: the run's).",
)
@click.option("--validate", is_flag=True, help="Check every record against the schema (slower).")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats_command(
    dataset: str,
    template: str | None,
    tokenizer: str | None,
    verify_report: str | None,
    topics: str | None,
    validate: bool,
    as_json: bool,
) -> None:
    """Statistics of DATASET (a JSONL file or a split folder): kinds, turns, steps, tool calls,
    tokens, tool usage, errors, injected faults, quality, topic coverage, verify results.

    \b
    Examples:
      tracefabric stats out/dataset.jsonl
      tracefabric stats out/dataset.jsonl --template model.gguf --tokenizer tokenizer.json --json
    """
    from tracefabric.stats import dataset_stats, render_stats

    stats = dataset_stats(
        dataset,
        template=template,
        tokenizer=tokenizer,
        verify_report=verify_report,
        topics=topics,
        validate=validate,
    )
    if as_json:
        click.echo(json.dumps(stats.to_json(), indent=2))
    else:
        render_stats(stats)

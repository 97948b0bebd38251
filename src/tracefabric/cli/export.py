"""`tracefabric export DATASET --format F -o OUT`."""

from __future__ import annotations

import json

import click

from tracefabric.export.formats import FORMATS
from tracefabric.export.options import DROPPABLE


def _fields(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def export_options(function):
    """The options every export shares (also `push`'s)."""
    for option in reversed(
        [
            click.option(
                "--tools",
                type=click.Choice(["all", "used"]),
                default="all",
                show_default=True,
                help="'used': keep only the tools a record calls (null fields removed from their schemas).",
            ),
            click.option(
                "--drop",
                default=None,
                metavar="FIELDS",
                help=f"Comma-separated fields to leave out: {', '.join(DROPPABLE)}.",
            ),
            click.option(
                "--only",
                type=click.Choice(["accepted"]),
                default=None,
                help="Only records whose metadata.quality.accepted is not false.",
            ),
            click.option(
                "--strict", is_flag=True, help="Stop at the first record that does not fit the schema."
            ),
        ]
    ):
        function = option(function)
    return function


@click.command("export")
@click.argument("dataset", type=click.Path(exists=True))
@click.option(
    "--format", "-f", "format_", type=click.Choice(list(FORMATS)), required=True, help="Output format."
)
@click.option(
    "--out", "-o", required=True, type=click.Path(), help="Output file (a folder for hf or several splits)."
)
@export_options
@click.option(
    "--arguments",
    type=click.Choice(["string", "object"]),
    default="string",
    show_default=True,
    help="openai: tool-call arguments as JSON text (OpenAI) or as objects.",
)
@click.option(
    "--template",
    type=click.Path(exists=True),
    default=None,
    help="text: a tokenizer_config.json, a .gguf model or a .jinja chat template.",
)
@click.option(
    "--license", "license_", default=None, help="hf: the dataset card's licence id (e.g. apache-2.0)."
)
@click.option("--tag", "tags", multiple=True, help="hf: an extra tag for the dataset card (repeatable).")
@click.option(
    "--verify-report",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="hf: a 'tracefabric verify --json' report to cite in the card.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def export_command(
    dataset: str,
    format_: str,
    out: str,
    tools: str,
    drop: str | None,
    only: str | None,
    strict: bool,
    arguments: str,
    template: str | None,
    license_: str | None,
    tags: tuple[str, ...],
    verify_report: str | None,
    as_json: bool,
) -> None:
    """Export DATASET (a JSONL file, or a folder made by 'tracefabric split') for training.

    \b
    Formats:
      openai    chat JSONL: messages, tools, reasoning, metadata, trace
      hf        a folder datasets.load_dataset(OUT) loads: Parquet per split + README.md card
      sharegpt  conversations with function_call / observation turns (LLaMA-Factory)
      text      rendered with a real chat template, with the assistant turns' spans

    \b
    Examples:
      tracefabric export out/dataset.jsonl -f hf -o out/hf
      tracefabric export out/dataset.splits -f hf -o out/hf --tools used --drop trace
      tracefabric export out/dataset.jsonl -f text -o out/text.jsonl --template tokenizer_config.json
      tracefabric export out/dataset.jsonl -f openai -o out/chat.jsonl --arguments object
    """
    from tracefabric.export import export

    report = export(
        dataset,
        format=format_,
        out=out,
        tools=tools,
        drop=_fields(drop),
        only=only,
        strict=strict,
        arguments=arguments,
        template=template,
        license=license_,
        tags=tags,
        verify_report=verify_report,
    )
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
        return
    splits = ", ".join(f"{name} {count:,}" for name, count in report.splits.items())
    click.echo(
        f"exported {report.written:,} records ({splits}) as {format_} to {report.out} in {report.elapsed_s:.1f}s"
    )
    if report.left_out:
        click.echo(f"left out {report.left_out:,} records (--only {only})")
    if report.bad:
        click.echo(
            f"skipped {report.bad:,} records that do not fit the schema; first: {report.bad_first[0]}",
            err=True,
        )

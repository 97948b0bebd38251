"""`tracefabric split DATASET`."""

from __future__ import annotations

import json

import click


@click.command("split")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--val", "validation", type=float, default=0.05, show_default=True, help="Fraction for validation."
)
@click.option("--test", type=float, default=0.1, show_default=True, help="Fraction for test.")
@click.option(
    "--by",
    default="topic,request",
    show_default=True,
    help="Groups kept in one split: topic, request (near-duplicate requests), sample (none).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the assignment.")
@click.option(
    "--out", "-o", type=click.Path(), default=None, help="Output folder (default: <dataset>.splits)."
)
@click.option("--strict", is_flag=True, help="Stop at the first record that does not fit the schema.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def split_command(
    dataset: str,
    validation: float,
    test: float,
    by: str,
    seed: int,
    out: str | None,
    strict: bool,
    as_json: bool,
) -> None:
    """Split DATASET into train / validation / test, deterministically and without leakage:
    all records of a group (a topic, near-duplicate requests) go to the same split.

    Writes OUT/train.jsonl, validation.jsonl, test.jsonl and splits.json; 'tracefabric
    export OUT -f hf' and 'tracefabric push OUT ...' then write these splits.

    \b
    Examples:
      tracefabric split out/dataset.jsonl --val 0.05 --test 0.1 --seed 7
      tracefabric split out/dataset.jsonl --by topic -o out/splits
    """
    from tracefabric.split import split_dataset

    report = split_dataset(
        dataset,
        out,
        validation=validation,
        test=test,
        by=[b.strip() for b in by.split(",") if b.strip()],
        seed=seed,
        strict=strict,
    )
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
        return
    sizes = ", ".join(
        f"{name} {report.sizes[name]:,} ({report.groups.get(name, 0):,} groups)" for name in report.sizes
    )
    click.echo(f"{sizes} -> {report.out}")
    if report.merged_groups:
        click.echo(
            f"leakage avoided: {report.merged_groups:,} groups joined because they share a near-duplicate "
            f"request ({report.records_in_merged_groups:,} records kept together)"
        )
    else:
        click.echo("no leakage to avoid: no request is shared across groups")
    if report.bad:
        click.echo(
            f"skipped {report.bad:,} records that do not fit the schema; first: {report.bad_first[0]}",
            err=True,
        )

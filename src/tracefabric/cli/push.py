"""`tracefabric push DATASET REPO_ID`."""

from __future__ import annotations

import json

import click

from .export import _fields, export_options


@click.command("push")
@click.argument("dataset", type=click.Path(exists=True))
@click.argument("repo_id")
@click.option("--private", is_flag=True, help="Create the repository private (if it does not exist).")
@click.option("--token", default=None, help="Hub token (default: HF_TOKEN or the saved login).")
@click.option("--revision", default=None, help="Branch to commit to (created if needed; default main).")
@click.option(
    "--dry-run", is_flag=True, help="Write the export folder (default <dataset>.hf) and upload nothing."
)
@click.option("--out", "-o", type=click.Path(), default=None, help="Keep the export folder here.")
@click.option("--message", "-m", default=None, help="Commit message.")
@export_options
@click.option("--license", "license_", default=None, help="The dataset card's licence id (e.g. apache-2.0).")
@click.option("--tag", "tags", multiple=True, help="An extra tag for the dataset card (repeatable).")
@click.option(
    "--verify-report",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A 'tracefabric verify --json' report to cite in the card.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def push_command(
    dataset: str,
    repo_id: str,
    private: bool,
    token: str | None,
    revision: str | None,
    dry_run: bool,
    out: str | None,
    message: str | None,
    tools: str,
    drop: str | None,
    only: str | None,
    strict: bool,
    license_: str | None,
    tags: tuple[str, ...],
    verify_report: str | None,
    as_json: bool,
) -> None:
    """Export DATASET as 'hf' (Parquet per split + a generated dataset card) and upload it to
    the Hugging Face Hub dataset REPO_ID in one commit (the repository is created if needed).

    \b
    Examples:
      tracefabric push out/dataset.splits alice/agent-traces --private --license apache-2.0
      tracefabric push out/dataset.jsonl alice/agent-traces --dry-run -o out/hf
    """
    from tracefabric.hub import push

    report = push(
        dataset,
        repo_id,
        private=private,
        token=token,
        revision=revision,
        dry_run=dry_run,
        out=out,
        commit_message=message,
        tools=tools,
        drop=_fields(drop),
        only=only,
        strict=strict,
        license=license_,
        tags=tags,
        verify_report=verify_report,
    )
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    elif dry_run:
        click.echo(f"dry run: {report.export.written:,} records written to {report.folder}; nothing uploaded")
    else:
        click.echo(f"pushed {report.export.written:,} records to {repo_id}: {report.url}")

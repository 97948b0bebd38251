"""`tracefabric verify DATASET`."""

from __future__ import annotations

import json
import sys

import click


@click.command("verify")
@click.argument("dataset", type=click.Path(dir_okay=False))
@click.option(
    "--run-json",
    type=click.Path(dir_okay=False),
    default=None,
    help="The run's run.json (default: next to the dataset).",
)
@click.option("--manifest", default=None, help="Replay against this manifest instead of the run's.")
@click.option("--endpoint", default=None, help="Replay against this tool server instead of the run's.")
@click.option("--limit", type=int, default=None, help="Only the first N records.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary line.")
def verify_command(
    dataset: str,
    run_json: str | None,
    manifest: str | None,
    endpoint: str | None,
    limit: int | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Re-execute every recorded tool call of DATASET in a fresh session and check each
    observation is reproduced exactly. Exit 1 if any sample does not reproduce.

    \b
    Example:
      tracefabric verify output/quickstart/dataset.jsonl
    """
    from tracefabric.verify import verify_dataset

    def show(sample: object) -> None:
        if quiet or as_json:
            return
        mark = {"reproduced": "ok", "mismatch": "MISMATCH", "skipped": "skipped"}[sample.status]  # type: ignore[attr-defined]
        detail = f"  {sample.detail}" if sample.detail else ""  # type: ignore[attr-defined]
        click.echo(f"line {sample.line:>5}  {sample.sample_id}  {sample.calls:>3} calls  {mark}{detail}")  # type: ignore[attr-defined]

    report = verify_dataset(
        dataset, run_json=run_json, manifest=manifest, endpoint=endpoint, limit=limit, on_sample=show
    )
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        total = len(report.samples)
        click.echo(
            f"{report.count('reproduced')}/{total} samples reproduced exactly, "
            f"{report.count('mismatch')} mismatched, {report.count('skipped')} skipped"
        )
    sys.exit(0 if report.ok else 1)

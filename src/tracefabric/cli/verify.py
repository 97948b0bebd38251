"""`tracefabric verify DATASET`."""

from __future__ import annotations

import json
import sys

import click

_MARK = {"ok": "ok", "mismatch": "MISMATCH", "skipped": "skipped", "invalid": "INVALID"}


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
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (status per record).")
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
    """Check what DATASET trains on, then replay what really ran.

    For every record: the messages must agree with the trace one to one (each tool call's
    name and arguments, each tool message exactly the recorded response as the generator
    rendered it); then every recorded call is re-executed in a fresh session and must give
    the same response and session state. Each line is reported as ok, mismatch (where,
    expected vs found), skipped (no trace, or a non-deterministic component) or invalid
    (bad JSON, torn line, missing fields...); a bad line never stops the run.

    Exit status: 0 every record passed or was skipped, 1 something failed (or there were
    no records), 2 the dataset or the run's run.json could not be read.

    \b
    Examples:
      tracefabric verify output/quickstart/dataset.jsonl
      tracefabric verify data.jsonl --json | jq '.records[] | select(.status != "ok")'
      tracefabric verify data.jsonl --run-json runs/data.run.json --limit 100 -q
      tracefabric verify deepfabric.jsonl      # no traces: says there is nothing to replay
    """
    from tracefabric.verify import SampleReport, verify_dataset

    def show(sample: SampleReport) -> None:
        if quiet or as_json:
            return
        detail = f"  {sample.detail}" if sample.detail else ""
        calls = f"{sample.calls:>3} calls" if sample.sample_id != "-" else " " * 9  # "-": not a record
        click.echo(f"line {sample.line:>5}  {sample.sample_id:<16}  {calls}  {_MARK[sample.status]}{detail}")

    report = verify_dataset(
        dataset, run_json=run_json, manifest=manifest, endpoint=endpoint, limit=limit, on_sample=show
    )
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.summary())
    sys.exit(0 if report.passed else 1)

"""`tracefabric view PATH...`: the trace viewer in the browser."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("view")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--port",
    "-p",
    type=int,
    default=None,
    help="Port on 127.0.0.1 [default: 8765, or the next free one]; 0 picks any free port.",
)
@click.option("--no-open", is_flag=True, help="Print the URL only; don't open a browser.")
@click.option(
    "--index-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to keep the indexes [default: beside each file, or ~/.cache/tracefabric/view "
    "when that folder is read-only].",
)
def view_command(paths: tuple[str, ...], port: int | None, no_open: bool, index_dir: str | None) -> None:
    """Browse datasets, failures files, run.json files and evaluation reports in a local web app.

    Each PATH is a dataset (JSONL or a split folder; its run.json, failures file, topics
    file and <name>.verify.json come along), a failures file, a run.json, a
    'tracefabric verify --json' report (gives its dataset's records their verify status) or
    an evaluation report. The first open builds an index beside the file (<name>.view.sqlite),
    reused while the file is unchanged; a file still being written is followed as it grows.

    Served on 127.0.0.1 only, with a random access token in the printed URL; requests with
    another Host or Origin are refused. Every view has its own URL: links copied from the
    page work for anyone running the same command.

    \b
    Examples:
      tracefabric view output/quickstart/dataset.jsonl
      tracefabric view data.jsonl data.verify.json --port 9000 --no-open
      tracefabric verify data.jsonl --json > data.verify.json && tracefabric view data.jsonl
      tracefabric view out/split/ runs/old.failures.jsonl
    """
    from tracefabric.viewer.server import serve

    serve(
        list(paths),
        port=port,
        open_browser=not no_open,
        index_dir=Path(index_dir) if index_dir else None,
        say=lambda line: click.echo(line, err=True),
        show_url=click.echo,
    )

"""`tracefabric serve`: the sandbox as an HTTP tool server (DeepFabric Spin tools-sdk compatible)."""

from __future__ import annotations

import logging

import click

DEFAULT_TTL = "1h"


@click.command("serve")
@click.option(
    "--manifest",
    "-m",
    type=click.Path(dir_okay=False),
    default=None,
    help="Manifest file (default: built-in).",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind; non-loopback needs a token."
)
@click.option("--port", "-p", type=int, default=3000, show_default=True, help="Port (0 picks a free one).")
@click.option("--enable", "-e", multiple=True, help="Turn on a component that ships disabled (repeatable).")
@click.option(
    "--token",
    default=None,
    help="Bearer token every request must carry (default: $TRACEFABRIC_SERVER_TOKEN). "
    "Required when --host is not a loopback address.",
)
@click.option(
    "--data-dir", type=click.Path(file_okay=False), default=None, help="Where key-value stores live."
)
@click.option("--workers", type=int, default=None, help="Threads running tool calls [default: 8 per core].")
@click.option(
    "--session-ttl",
    default=DEFAULT_TTL,
    show_default=True,
    help="End sessions idle this long (instances and data), e.g. 90s, 30m, 2h; 0 turns it off.",
)
@click.option(
    "--max-body-bytes", type=int, default=None, help="Largest request body accepted [default: 8 MiB]."
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="warning",
    show_default=True,
    help="Server log verbosity (stderr).",
)
@click.option("--access-log", is_flag=True, help="Log every request.")
def serve(
    manifest: str | None,
    host: str,
    port: int,
    enable: tuple[str, ...],
    token: str | None,
    data_dir: str | None,
    workers: int | None,
    session_ttl: str,
    max_body_bytes: int | None,
    log_level: str,
    access_log: bool,
) -> None:
    """Serve the manifest's tool components over HTTP until Ctrl-C.

    Every component is served under its manifest route (/vfs/..., /mock/...) with
    POST {prefix}/execute, GET {prefix}/tools, GET {prefix}/health, DELETE
    {prefix}/session/{id} and its own management operations; the root has /health,
    /components, DELETE /session/{id} and /openapi.json. DeepFabric's Spin client
    and `Sandbox.connect(URL)` work against it unchanged.

    \b
    Example:
      tracefabric serve
      tracefabric serve --port 3000 --enable github --session-ttl 30m
      TRACEFABRIC_SERVER_TOKEN=... tracefabric serve --host 0.0.0.0
      curl -s localhost:3000/vfs/execute -d '{"session_id":"s1","tool":"list_files","args":{}}'
    """
    from tracefabric.server import ServerConfig, ToolServer, parse_duration
    from tracefabric.server.config import MAX_BODY_BYTES

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = ServerConfig(
        host=host,
        port=port,
        manifest=manifest,
        enable=enable,
        data_dir=data_dir,
        token=token,
        workers=workers,
        session_ttl_s=parse_duration(session_ttl),
        max_body_bytes=max_body_bytes if max_body_bytes is not None else MAX_BODY_BYTES,
        log_level=log_level,
        access_log=access_log,
    )
    ToolServer(config, announce=click.echo).run()

"""`tracefabric serve`: the sandbox as an HTTP tool server (DeepFabric Spin tools-sdk compatible)."""

from __future__ import annotations

import logging

import click

DEFAULT_TTL = "1h"
DEFAULT_MAX_INSTANCES = (
    64  # tracefabric.server.config.DEFAULT_MAX_INSTANCES (not imported: --help stays fast)
)


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
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME[:PORT]",
    help="Another name clients use for this server in the Host header (repeatable; '*': any). "
    "Loopback names and the bound address are always allowed.",
)
@click.option(
    "--allowed-origin",
    "allowed_origins",
    multiple=True,
    metavar="ORIGIN",
    help="A browser origin allowed to call the server, e.g. http://localhost:5173 (repeatable; none by default).",
)
@click.option(
    "--max-instances",
    type=int,
    default=DEFAULT_MAX_INSTANCES,
    show_default=True,
    help="Live session instances kept in memory; the least recently used beyond it are rebuilt "
    "from the store when next used (0: no limit).",
)
@click.option(
    "--max-session-bytes",
    default="64MiB",
    show_default=True,
    help="Stored bytes per session (keys and values, all stores); 0: no limit.",
)
@click.option(
    "--max-store-bytes",
    default="2GiB",
    show_default=True,
    help="Stored bytes in the whole data directory; 0: no limit.",
)
@click.option(
    "--header-timeout",
    default="10s",
    show_default=True,
    help="A request's headers must arrive within this long (else 408 and the connection closed).",
)
@click.option(
    "--body-timeout",
    default="60s",
    show_default=True,
    help="A request's body must arrive within this long after its headers.",
)
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
    allowed_hosts: tuple[str, ...],
    allowed_origins: tuple[str, ...],
    max_instances: int,
    max_session_bytes: str,
    max_store_bytes: str,
    header_timeout: str,
    body_timeout: str,
) -> None:
    """Serve the manifest's tool components over HTTP until Ctrl-C.

    Every component is served under its manifest route (/vfs/..., /mock/...) with
    POST {prefix}/execute, GET {prefix}/tools, GET {prefix}/health, DELETE
    {prefix}/session/{id} and its own management operations; the root has /health,
    /components, DELETE /session/{id} and /openapi.json. DeepFabric's Spin client
    and `Sandbox.connect(URL)` work against it unchanged.

    Web pages can't use it: requests with a foreign Host (DNS rebinding) or a browser Origin
    that is not allowed, and POSTs that are not JSON, get a JSON 403.

    \b
    Example:
      tracefabric serve
      tracefabric serve --port 3000 --enable github --session-ttl 30m
      tracefabric serve --max-instances 256 --max-session-bytes 256MiB
      TRACEFABRIC_SERVER_TOKEN=... tracefabric serve --host 0.0.0.0 --allowed-host tools.lan
      curl -s localhost:3000/vfs/execute --json '{"session_id":"s1","tool":"list_files","args":{}}'
    """
    from tracefabric.sandbox.host.logs import redact_handlers
    from tracefabric.server import ServerConfig, ToolServer, parse_duration
    from tracefabric.server.config import MAX_BODY_BYTES, parse_size

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
        allowed_hosts=allowed_hosts,
        allowed_origins=allowed_origins,
        max_instances=max_instances or None,
        max_session_bytes=parse_size(max_session_bytes, "--max-session-bytes"),
        max_store_bytes=parse_size(max_store_bytes, "--max-store-bytes"),
        header_timeout_s=parse_duration(header_timeout, "--header-timeout"),
        body_timeout_s=parse_duration(body_timeout, "--body-timeout"),
    )
    server = ToolServer(config, announce=click.echo)
    redact_handlers(server.host.scrub)  # secret values never reach the log, in any encoding
    server.run()

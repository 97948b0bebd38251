"""Running the viewer: index the sources, bind 127.0.0.1, print the URL with its token, serve.

The socket is bound before anything is printed, so the port in the URL is the one served
(`--port 0` picks a free one; the default port moves up when it is taken, so two viewers
can run side by side).
"""

from __future__ import annotations

import errno
import secrets
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracefabric.errors import ConfigError

from .sources import Source, open_sources

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
PORT_TRIES = 20


def bind(port: int | None) -> socket.socket:
    """A listening socket on 127.0.0.1: `port`, or the first free one from the default."""
    candidates = [port] if port is not None else list(range(DEFAULT_PORT, DEFAULT_PORT + PORT_TRIES))
    for candidate in candidates:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, candidate))
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE and port is None:
                continue
            raise ConfigError(
                f"--port {candidate}: cannot listen on {HOST}:{candidate} ({exc.strerror})"
            ) from None
        sock.listen(128)
        sock.set_inheritable(True)
        return sock
    raise ConfigError(
        f"ports {candidates[0]}-{candidates[-1]} are all taken: pass --port (0 picks a free one)"
    )


def prepare(paths: list[str], index_dir: Path | None, say: Callable[[str], None]) -> list[Source]:
    sources = open_sources(paths)
    for source in sources:
        started = time.perf_counter()
        source.open(index_dir, say)
        elapsed = time.perf_counter() - started
        if elapsed > 1:
            say(f"  ({elapsed:.1f} s)")
    return sources


def uvicorn_config(app: Any) -> Any:
    """uvicorn with the tool server's protocol: deadlines for slow clients, JSON errors."""
    import uvicorn

    from tracefabric.asgi.protocol import guarded_protocol
    from tracefabric.server.config import DEFAULT_BODY_TIMEOUT_S, DEFAULT_HEADER_TIMEOUT_S

    return uvicorn.Config(
        app,
        http=guarded_protocol(DEFAULT_HEADER_TIMEOUT_S, DEFAULT_BODY_TIMEOUT_S),
        lifespan="on",
        ws="none",
        log_level="warning",
        access_log=False,
        server_header=False,
    )


def landing_path(sources: list[Source]) -> str:
    """Where the printed URL opens: the only source's main view, else the list of sources."""
    return sources[0].home() if len(sources) == 1 else "/"


def serve(
    paths: list[str],
    *,
    port: int | None = None,
    open_browser: bool = True,
    index_dir: Path | None = None,
    say: Callable[[str], None] = print,
    show_url: Callable[[str], None] = print,
) -> None:
    import uvicorn

    from .app import create_app

    sources = prepare(paths, index_dir, say)
    sock = bind(port)
    bound = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    url = f"http://{HOST}:{bound}{landing_path(sources)}?token={token}"
    app = create_app(sources, token=token, port=bound, host=HOST)
    server = uvicorn.Server(uvicorn_config(app))
    show_url(url)
    say("(the token in the URL is the key; links copied from the page carry none. Ctrl-C stops.)")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    server.run(sockets=[sock])

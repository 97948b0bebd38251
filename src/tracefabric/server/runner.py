"""`ToolServer`: the sandbox served over HTTP (uvicorn), in the foreground or a background thread.

    server = ToolServer(ServerConfig(port=3000))
    server.run()                               # foreground: Ctrl-C / SIGTERM shut down gracefully

    with ToolServer(ServerConfig(port=0)) as server:   # background thread (tests, notebooks)
        Sandbox.connect(server.url).call(...)

Startup order: check the bind policy, bind the port (fail fast if it is taken), load every
enabled component (builds and compiles are cached), then listen and announce. Every request
passes the browser guard (`tracefabric.asgi.guard`: Host, Origin, Content-Type) and the
slow-client deadlines (`tracefabric.asgi.protocol`) before the app sees it. Shutdown:
stop accepting, let requests in flight finish (each tool call ends by its own deadline at
the latest), stop the sweeper, then release the worker pool and the stores.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tracefabric.asgi.guard import GuardMiddleware, RequestGuard
from tracefabric.errors import ConfigError

from .auth import TOKEN_ENV, check_bind_policy, is_loopback
from .config import ServerConfig, format_size

log = logging.getLogger("tracefabric.server")
STARTUP_TIMEOUT_S = 60.0
# The mock's load-schema takes YAML as well as JSON (none of these is a type a browser may
# send cross-site without a preflight).
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def _resolve(host: str, port: int) -> tuple[int, int, tuple[Any, ...]]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigError(f"--host {host}: cannot resolve ({exc.strerror})") from None
    family, _, proto, _, address = infos[0]
    return family, proto, address


def _bind(family: int, proto: int, address: tuple[Any, ...], shown: str) -> socket.socket:
    # proto must be IPPROTO_TCP (not 0): asyncio only sets TCP_NODELAY on accepted sockets
    # whose proto says TCP, and without it small responses wait ~40 ms for delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, proto or socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {shown}: {exc.strerror or exc}") from None
    return sock


def _url(address: str, port: int) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:{port}"


def _duration(seconds: float) -> str:
    if seconds <= 0:
        return "off"
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


class ToolServer:
    def __init__(
        self,
        config: ServerConfig | None = None,
        *,
        host: Any = None,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        """`host`: an existing SandboxHost to serve (default: one built from `config`); the
        server closes it on shutdown. `announce` receives the startup and shutdown lines."""
        self.config = config or ServerConfig()
        self._announce = announce or _print
        explicit = self.config.token
        self.token: str | None = (explicit if explicit is not None else os.environ.get(TOKEN_ENV)) or None
        family, proto, address = _resolve(self.config.host, self.config.port)
        check_bind_policy(address[0], self.token, shown=self.config.host)
        self._socket = _bind(family, proto, address, f"{self.config.host}:{self.config.port}")
        try:
            self._setup(host)
        except BaseException:
            self._socket.close()
            raise
        bound = self._socket.getsockname()
        self.address, self.port = bound[0], bound[1]
        self.url = _url(self.address, self.port)
        self.guard = self._guard()
        self.asgi = GuardMiddleware(self.app, self.guard)
        self._uvicorn: Any = None
        self._thread: threading.Thread | None = None
        self._closed = False

    def _setup(self, host: Any) -> None:
        from tracefabric.sandbox.api.router import Router
        from tracefabric.sandbox.host import SandboxHost
        from tracefabric.sandbox.kv import KVQuota

        from .app import ToolServerApp
        from .pool import WorkerPool
        from .sessions import SessionTracker

        config = self.config
        self.host = host or SandboxHost(
            config.manifest,
            data_dir=config.data_dir,
            enable=config.enable,
            pool_size=config.instance_pool,
            max_instances=config.max_instances,
            kv_quota=KVQuota(config.max_session_bytes, config.max_store_bytes),
        )
        try:
            for name in self.host.component_names():
                self.host.describe(name)  # build, compile and instantiate now, not on the first request
            self.sessions = (
                SessionTracker(self.host, config.session_ttl_s) if config.session_ttl_s > 0 else None
            )
            if self.sessions is not None:
                self.sessions.adopt_stored()
            self.router = Router(
                self.host,
                max_body_bytes=config.max_body_bytes,
                sessions=self.sessions,
                bearer_auth=bool(self.token),
                limits=self.limits(),
            )
            self.pool = WorkerPool(config.workers)
        except BaseException:
            self.host.close()
            raise
        self.app = ToolServerApp(self.router, self.pool, token=self.token, sessions=self.sessions)

    def _guard(self) -> RequestGuard:
        config = self.config
        # The name the user bound (e.g. a LAN host name) is one clients will use.
        named = [] if config.host in ("", self.address) else [f"{config.host}:{self.port}"]
        return RequestGuard(
            self.address,
            self.port,
            allowed_hosts=[*named, *config.allowed_hosts],
            allowed_origins=config.allowed_origins,
            body_types=YAML_TYPES,
        )

    def limits(self) -> dict[str, Any]:
        """The limits this server enforces (published in its OpenAPI document)."""
        config = self.config
        return {
            "max_body_bytes": config.max_body_bytes,
            "max_instances": config.max_instances,
            "max_session_bytes": config.max_session_bytes,
            "max_store_bytes": config.max_store_bytes,
            "header_timeout_s": config.header_timeout_s,
            "body_timeout_s": config.body_timeout_s,
            "session_ttl_s": config.session_ttl_s or None,
        }

    # -- description ------------------------------------------------------------------
    def startup_line(self) -> str:
        components = ", ".join(f"{i.name} ({i.route or '/'})" for i in self.host.components()) or "none"
        data = getattr(self.host.kv, "directory", None)
        if self.token:
            auth = "bearer token required"
        elif is_loopback(self.address):
            auth = "none (loopback only)"
        else:  # unreachable: the bind policy refuses it
            auth = "NONE"
        return (
            f"tracefabric tool server on {self.url} · components: {components} · "
            f"data: {Path(data) if data else 'custom store'} · auth: {auth} · workers: {self.pool.workers} · "
            f"session TTL: {_duration(self.config.session_ttl_s)} · "
            f"limits: {self._limits_line()} · OpenAPI: {self.url}/openapi.json"
        )

    def _limits_line(self) -> str:
        config = self.config
        instances, session, total = config.max_instances, config.max_session_bytes, config.max_store_bytes
        return ", ".join(
            (
                f"{instances} live instances" if instances else "no instance limit",
                f"{format_size(session)} per session" if session else "no per-session limit",
                f"{format_size(total)} in all" if total else "no total storage limit",
            )
        )

    # -- running ----------------------------------------------------------------------
    def _uvicorn_server(self) -> Any:
        import uvicorn

        from tracefabric.asgi.protocol import guarded_protocol

        config = uvicorn.Config(
            self.asgi,
            http=guarded_protocol(self.config.header_timeout_s, self.config.body_timeout_s),
            lifespan="on",
            ws="none",
            log_config=None,
            log_level=self.config.log_level,
            access_log=self.config.access_log,
            timeout_graceful_shutdown=int(self.config.graceful_timeout_s),
            server_header=False,
        )
        return _server_class()(config)

    def _listen(self) -> None:
        # Listening before uvicorn starts: a client that connects right after the
        # announcement waits in the backlog instead of being refused.
        self._socket.listen(2048)

    def run(self) -> None:
        """Serve in the foreground until SIGINT/SIGTERM, then shut down gracefully."""
        self._uvicorn = self._uvicorn_server()
        self._listen()
        self._announce(self.startup_line())
        try:
            self._uvicorn.run(sockets=[self._socket])
        finally:
            self.close()

    def start(self) -> ToolServer:
        """Serve from a background thread; returns once the server accepts requests."""
        self._uvicorn = self._uvicorn_server()
        self._listen()
        self._thread = threading.Thread(
            target=self._uvicorn.run,
            kwargs={"sockets": [self._socket]},
            name="tracefabric-server",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("the tool server did not start (see the log)")
            time.sleep(0.005)
        self._announce(self.startup_line())
        return self

    def stop(self) -> None:
        """Graceful shutdown of a server started with `start()`."""
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(self.config.graceful_timeout_s + 5)
            self._thread = None
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.pool.shutdown(wait=True)
        live = self.host.live_sessions()
        self.host.close()
        self._socket.close()
        if self._uvicorn is not None and self._uvicorn.started:
            self._announce(f"tracefabric tool server stopped ({live} session(s) had live instances)")

    def __enter__(self) -> ToolServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _print(line: str) -> None:
    print(line, file=sys.stdout, flush=True)


@functools.cache
def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, minus re-raising the signal after shutdown (which would kill the
        process by SIGTERM before our cleanup runs): we exit normally instead."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            handled = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server

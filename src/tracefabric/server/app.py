"""The ASGI app: a thin HTTP layer over `Router`.

It does only what HTTP adds: the bearer-token check, reading the body under a size limit,
moving sandbox calls off the event loop (worker pool), and encoding the answer. Everything
else (routes, validation, errors) is the router's, shared with the in-process transport,
so the two behave the same by construction. Every answer is JSON, errors included.

Before a request gets here, `tracefabric.asgi` has checked it (the browser guard: Host,
Origin, Content-Type) and bounded how long its headers and body may take (see `runner`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, quote

from tracefabric.errors import ErrorType
from tracefabric.sandbox.api.router import Router, encode_response, error_body

from .auth import BearerToken
from .pool import WorkerPool
from .sessions import SessionTracker

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("tracefabric.server")

# Root routes that never run guest code: answered on the event loop, without a thread hop.
INLINE = {(b"GET", b"/health"), (b"GET", b"/components"), (b"GET", b"/openapi.json")}
JSON_HEADER = (b"content-type", b"application/json")


class _BodyTooLarge(Exception):
    pass


class ToolServerApp:
    def __init__(
        self,
        router: Router,
        pool: WorkerPool,
        *,
        token: str | None = None,
        sessions: SessionTracker | None = None,
    ) -> None:
        self.router = router
        self.pool = pool
        self.max_body_bytes = router.max_body_bytes
        self._auth = BearerToken(token) if token else None
        self.sessions = sessions
        self._sweeper: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    # -- HTTP ---------------------------------------------------------------------------
    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers: list[tuple[bytes, bytes]] = []
        try:
            if self._auth is not None and not self._auth.accepts(_header(scope, b"authorization")):
                headers.append((b"www-authenticate", b'Bearer realm="tracefabric"'))
                status, payload = 401, error_body(ErrorType.UNAUTHORIZED, "missing or wrong bearer token")
            else:
                try:
                    body = await self._read_body(scope, receive)
                except _BodyTooLarge:
                    # The rest of the body is not read: this connection can't be reused.
                    headers.append((b"connection", b"close"))
                    message = f"Invalid request: body exceeds the limit of {self.max_body_bytes} bytes"
                    status, payload = 400, error_body(ErrorType.INVALID_REQUEST, message)
                else:
                    if body is None:
                        return  # the client went away
                    status, payload = await self._dispatch(scope, body)
        except Exception:
            log.exception("internal error while serving %s %s", scope.get("method"), scope.get("path"))
            message = "internal error while serving the request (see the server log)"
            status, payload = 500, error_body("InternalError", message)
        status, content = encode_response(status, payload)
        if status == 405 and isinstance(payload, dict) and isinstance(payload.get("allow"), list):
            headers.append((b"allow", ", ".join(payload["allow"]).encode("ascii")))
        headers += [JSON_HEADER, (b"content-length", str(len(content)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise _BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _dispatch(self, scope: Scope, body: bytes) -> tuple[int, Any]:
        method = scope["method"]
        raw_path: bytes = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
        path = raw_path.decode("latin-1")
        query_string = scope.get("query_string", b"")
        query = (
            dict(parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True))
            if query_string
            else {}
        )
        if (method.encode(), raw_path) in INLINE:
            return self.router.handle(method, path, body, query)
        log.debug("started %s %s", method, path)
        return await self.pool.run(self.router.handle, method, path, body, query)

    # -- lifespan -----------------------------------------------------------------------
    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.sessions is not None:
                    self._sweeper = asyncio.create_task(self._sweep_forever(self.sessions))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._sweeper is not None:
                    self._sweeper.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._sweeper
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _sweep_forever(self, sessions: SessionTracker) -> None:
        while True:
            await asyncio.sleep(sessions.interval_s)
            try:
                swept = await self.pool.run(sessions.sweep)
            except Exception:
                log.exception("session sweep failed")
                continue
            if swept:
                log.info(
                    "ended %d idle session(s) after %ss: %s",
                    len(swept),
                    sessions.ttl_s,
                    ", ".join(swept[:10]),
                )


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value
    return None

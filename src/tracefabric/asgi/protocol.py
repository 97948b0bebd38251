"""uvicorn's HTTP protocol (httptools) plus what it lacks: deadlines for slow clients, JSON errors.

uvicorn times out idle keep-alive connections, but a client that connects and then sends
its request headers (or its body) a byte at a time holds the connection, and its memory,
for as long as it likes: a handful of such clients exhaust the server ("slow loris"). Here
a request's headers must be complete within `header_timeout_s` of the connection opening
(or of the request's first byte on a kept-alive connection), and its body within
`body_timeout_s` of the headers. A late request gets a JSON 408 and the connection closed.

Malformed HTTP is rejected by the parser before any app sees it; uvicorn answers that with a
text/plain 400, this protocol with the same JSON error body as every other answer.

    uvicorn.Config(app, http=guarded_protocol(header_timeout_s=10, body_timeout_s=60))
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tracefabric.errors import error_body

from .responses import http_response

REQUEST_TIMEOUT = "RequestTimeout"
log = logging.getLogger("tracefabric.server")


class GuardedProtocol(HttpToolsProtocol):
    header_timeout_s: float = 10.0
    body_timeout_s: float = 60.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm("headers")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # -- parser callbacks ---------------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # not re-armed by the first byte of the connection's first request
            self._arm("headers")

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm("body")  # a request without a body completes at once, which disarms it

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def send_400_response(self, msg: str) -> None:
        message = f"Invalid request: malformed HTTP ({msg.rstrip('.').lower()})"
        self.transport.write(http_response(400, error_body("InvalidRequest", message)))
        self.transport.close()

    # -- deadlines ----------------------------------------------------------------------
    def _arm(self, phase: str) -> None:
        self._disarm()
        timeout = self.header_timeout_s if phase == "headers" else self.body_timeout_s
        if timeout > 0:
            self._deadline = self.loop.call_later(timeout, self._expired, phase, timeout)

    def _disarm(self) -> None:
        deadline = getattr(self, "_deadline", None)
        if deadline is not None:
            deadline.cancel()
            self._deadline = None

    def _expired(self, phase: str, timeout: float) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if phase == "body" and self.pipeline:
            self._arm("body")  # a queued (pipelined) request: its body is not being read yet
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        log.info("closing the connection of %s: its request %s took longer than %g s", client, phase, timeout)
        cycle: Any = self.cycle
        if phase == "headers" or cycle is None or not cycle.response_started:
            message = f"the request's {phase} did not arrive within {timeout:g} s"
            self.transport.write(http_response(408, error_body(REQUEST_TIMEOUT, message)))
        self.transport.close()


@functools.cache
def guarded_protocol(header_timeout_s: float, body_timeout_s: float) -> type[GuardedProtocol]:
    """The protocol class with these deadlines (0 turns one off), for `uvicorn.Config(http=...)`."""
    return type(
        "GuardedProtocol",
        (GuardedProtocol,),
        {"header_timeout_s": header_timeout_s, "body_timeout_s": body_timeout_s},
    )

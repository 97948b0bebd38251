"""JSON answers: through ASGI `send`, or as raw HTTP/1.1 bytes for answers written by the
protocol itself (before or outside any ASGI app)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from http import HTTPStatus
from typing import Any

Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
JSON_HEADER = (b"content-type", b"application/json")


def encode(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def send_json(
    send: Send,
    status: int,
    payload: Any,
    headers: Iterable[tuple[bytes, bytes]] = (),
    *,
    close: bool = False,
) -> None:
    """`close`: ask the server to drop the connection afterwards (e.g. a body left unread)."""
    content = encode(payload)
    extra = list(headers)
    if close:
        extra.append((b"connection", b"close"))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*extra, JSON_HEADER, (b"content-length", str(len(content)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": content})


def http_response(status: int, payload: Any) -> bytes:
    """A complete `Connection: close` HTTP/1.1 response with a JSON body."""
    content = encode(payload)
    reason = HTTPStatus(status).phrase
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(content)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + content

"""JSON answers for the viewer's middleware (every error is `{"error", "error_type"}`)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"error": message, "error_type": error_type}


async def send_json(send: Send, status: int, payload: Any) -> None:
    content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})

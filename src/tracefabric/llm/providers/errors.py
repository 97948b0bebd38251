"""Turn HTTP failures of any SDK into one `ProviderError` shape: one line, retryable or not."""

from __future__ import annotations

import email.utils
import errno
import re
import socket
import time
from collections.abc import Mapping
from typing import Any

from tracefabric.llm.types import ProviderError

# 408 timeout, 409 conflict (OpenAI: retry), 425 too early, 429 rate limited, 5xx, 529 overloaded.
RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
OVERLOAD_STATUS = frozenset({429, 529})
MAX_MESSAGE = 400


def one_line(text: object, limit: int = MAX_MESSAGE) -> str:
    flat = re.sub(r"\s+", " ", str(text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from `retry-after-ms`, or `retry-after` as seconds or an HTTP date."""
    if not headers:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def body_message(body: Any) -> str | None:
    """The human message inside the usual error bodies: {"error": {"message": ...}} and kin."""
    if isinstance(body, list) and body:
        body = body[0]
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
        if body.get("message"):
            return str(body["message"])
    return None


def status_error(
    who: str,
    status: int,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    key_hint: str | None = None,
    retry_after: float | None = None,
) -> ProviderError:
    reason = {401: "authentication failed", 403: "permission denied", 404: "not found", 429: "rate limited"}
    label = reason.get(status, "server error" if status >= 500 else "request rejected")
    text = f"{who}: HTTP {status} {label}: {one_line(message)}"
    if status in (401, 403) and key_hint:
        text += f" (the key comes from {key_hint})"
    return ProviderError(
        text,
        status=status,
        retryable=status in RETRYABLE_STATUS,
        retry_after=retry_after if retry_after is not None else parse_retry_after(headers),
    )


def transport_error(
    who: str, exc: BaseException, *, timeout: float | None = None, endpoint: str | None = None
) -> ProviderError:
    """Timeouts, refused or reset connections: worth another try. A connection that could
    not be made at all is marked `unreachable` (the client gives up on it quickly), whatever
    the SDK called it: the OpenAI SDK reports a refused connection as a timeout."""
    reason = unreachable_reason(exc)
    if reason is not None:
        where = f"{reason} at {endpoint}" if endpoint else reason
        return ProviderError(f"{who}: {where}", retryable=True, unreachable=where)
    if timeout is not None:
        return ProviderError(f"{who}: no answer within {timeout:g} s (timeout)", retryable=True)
    detail = one_line(exc) or type(exc).__name__
    return ProviderError(f"{who}: connection failed: {detail}", retryable=True)


_UNREACHABLE_ERRNO = {
    errno.ECONNREFUSED: "connection refused",
    errno.ENETUNREACH: "network unreachable",
    errno.EHOSTUNREACH: "no route to host",
}


def unreachable_reason(exc: BaseException) -> str | None:
    """Why no connection could be made ("connection refused", "host name not found", ...),
    from the chain of causes the SDKs wrap around the socket error; None for anything else
    (a timeout after connecting, a reset, a TLS failure)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return "host name not found"
        if isinstance(current, OSError) and current.errno in _UNREACHABLE_ERRNO:
            return _UNREACHABLE_ERRNO[current.errno]
        # aiohttp keeps the socket error on the exception rather than in the chain.
        pending.extend([current.__cause__, current.__context__, getattr(current, "os_error", None)])
    return None

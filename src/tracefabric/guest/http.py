"""Outbound HTTP through the host, which checks the manifest's `allowed_outbound_hosts`.

A URL (or redirect target) outside the allowlist raises `CapabilityDenied`; the request is
never sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import CapabilityDenied, InvalidArguments, ResourceExhausted, ServiceUnavailable, Timeout


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


def request(
    method: str,
    url: str,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
) -> Response:
    from componentize_py_types import Err
    from wit_world.imports import outbound_http

    payload = body.encode("utf-8") if isinstance(body, str) else body
    req = outbound_http.Request(
        method=method.upper(),
        url=url,
        headers=[(k, v) for k, v in (headers or {}).items()],
        body=payload,
    )
    try:
        resp = outbound_http.send(req)
    except Err as exc:
        error = exc.value
        kind = type(error).__name__
        message = getattr(error, "value", "") or kind
        if kind.endswith("Denied"):
            raise CapabilityDenied(message) from None
        if kind.endswith("InvalidUrl"):
            raise InvalidArguments(message) from None
        if kind.endswith("Timeout"):
            raise Timeout(message) from None
        if kind.endswith("TooLarge"):
            raise ResourceExhausted(message) from None
        raise ServiceUnavailable(message) from None
    return Response(resp.status, {k.lower(): v for k, v in resp.headers}, bytes(resp.body))


def get(url: str, headers: dict[str, str] | None = None) -> Response:
    return request("GET", url, headers)


def post_json(url: str, data: Any, headers: dict[str, str] | None = None) -> Response:
    merged = {"content-type": "application/json", **(headers or {})}
    return request("POST", url, merged, json.dumps(data))

"""HTTP transport: a tool server (tracefabric's `serve`, or a DeepFabric Spin tools-sdk).

Requests are encoded exactly as the in-process transport encodes them (`api.wire`), so the
server's router sees the same bytes either way. Connections are kept alive and reused.
The bearer token comes from `token=` or, when that is not given, `TRACEFABRIC_SERVER_TOKEN`;
it is sent only to the server named by `base_url` (redirects are not followed).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

import httpx

from tracefabric.errors import ErrorType, SandboxError
from tracefabric.sandbox.api.wire import JSON_CONTENT_TYPE, encode_json, encode_query

TOKEN_ENV = "TRACEFABRIC_SERVER_TOKEN"


class HTTPTransport:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 60.0,
        max_connections: int = 256,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise SandboxError(
                ErrorType.INVALID_REQUEST,
                f"tool server URL must start with http:// or https://: {base_url!r}",
            )
        self.base_url = base_url.rstrip("/")
        token = token if token is not None else os.environ.get(TOKEN_ENV) or None
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._timeout = timeout
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=64)
        self._sync: httpx.Client | None = None
        self._async: httpx.AsyncClient | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None

    # -- plumbing ---------------------------------------------------------------------
    def _client_kwargs(self) -> dict[str, Any]:
        # trust_env=False: a proxy from the environment must not see tool calls (or the token).
        return {
            "base_url": self.base_url,
            "headers": self._headers,
            "timeout": self._timeout,
            "trust_env": False,
            "follow_redirects": False,
            "limits": self._limits,
        }

    def _build(self, method: str, body: Any) -> tuple[bytes | None, dict[str, str]]:
        if body is None:
            # A tool server refuses a POST that is not declared JSON (browsers can send those
            # cross-site), even an empty one.
            return None, ({"Content-Type": JSON_CONTENT_TYPE} if method.upper() == "POST" else {})
        return encode_json(body), {"Content-Type": JSON_CONTENT_TYPE}

    def _decode(self, response: httpx.Response) -> tuple[int, Any]:
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, {"error": response.text[:500] or f"HTTP {response.status_code}"}

    def _failed(self, exc: httpx.HTTPError) -> SandboxError:
        if isinstance(exc, httpx.TimeoutException):
            return SandboxError(ErrorType.TIMEOUT, f"tool server at {self.base_url} timed out", status=504)
        return SandboxError(
            ErrorType.SERVICE_UNAVAILABLE, f"tool server at {self.base_url}: {exc}", status=503
        )

    # -- the transport interface ------------------------------------------------------
    def request(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        content, headers = self._build(method, body)
        if self._sync is None:
            self._sync = httpx.Client(**self._client_kwargs())
        try:
            response = self._sync.request(
                method, path, content=content, headers=headers, params=encode_query(query) or None
            )
        except httpx.HTTPError as exc:
            raise self._failed(exc) from None
        return self._decode(response)

    async def arequest(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        content, headers = self._build(method, body)
        loop = asyncio.get_running_loop()
        if self._async is None or self._async_loop is not loop:
            # Pooled connections belong to the loop that opened them: a new loop gets its own.
            self._async = httpx.AsyncClient(**self._client_kwargs())
            self._async_loop = loop
        try:
            response = await self._async.request(
                method, path, content=content, headers=headers, params=encode_query(query) or None
            )
        except httpx.HTTPError as exc:
            raise self._failed(exc) from None
        return self._decode(response)

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        self.close()
        if self._async is not None:
            if self._async_loop is asyncio.get_running_loop():
                await self._async.aclose()
            self._async = None

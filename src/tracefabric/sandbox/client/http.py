"""HTTP transport: a tool server (tracefabric's `serve`, or a DeepFabric Spin tools-sdk)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from tracefabric.errors import SandboxError


class HTTPTransport:
    def __init__(self, base_url: str, *, token: str | None = None, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._sync = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout, trust_env=False)
        self._async: httpx.AsyncClient | None = None
        self._headers = headers
        self._timeout = timeout

    def _decode(self, response: httpx.Response) -> tuple[int, Any]:
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, {"error": response.text[:500] or f"HTTP {response.status_code}"}

    def request(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        try:
            response = self._sync.request(method, path, json=body, params=query)
        except httpx.TimeoutException:
            raise SandboxError("Timeout", f"tool server at {self.base_url} timed out", status=504) from None
        except httpx.HTTPError as exc:
            raise SandboxError("ServiceUnavailable", f"tool server at {self.base_url}: {exc}", status=503) from None
        return self._decode(response)

    async def arequest(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        if self._async is None:
            self._async = httpx.AsyncClient(
                base_url=self.base_url,
                headers=self._headers,
                timeout=self._timeout,
                trust_env=False,
                limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
            )
        try:
            response = await self._async.request(method, path, json=body, params=query)
        except httpx.TimeoutException:
            raise SandboxError("Timeout", f"tool server at {self.base_url} timed out", status=504) from None
        except httpx.HTTPError as exc:
            raise SandboxError("ServiceUnavailable", f"tool server at {self.base_url}: {exc}", status=503) from None
        return self._decode(response)

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        self._sync.close()
        if self._async is not None:
            await self._async.aclose()
            self._async = None

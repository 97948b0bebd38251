"""Outbound HTTP done by the host for a guest, after checking the component's allowlist.

Every URL, including each redirect target, must match `allowed_outbound_hosts`; redirects
are followed here (never by the HTTP library) so an allowed host cannot bounce a guest to
a host it was not granted. There is deliberately no `wasi:http` linked: it has no allowlist.

At debug level every exchange is logged (method, URL, status, both sides' headers) with
credential headers masked and secret values redacted, in any common encoding, by `scrub`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from tracefabric.sandbox.manifest import HostAllowlist

MAX_REDIRECTS = 5
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
MAX_REQUEST_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT_S = 30.0
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# Hop-by-hop or host-controlled headers a guest may not set.
FORBIDDEN_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer"}
# Headers whose whole value is a credential: never logged, whatever the secrets are.
CREDENTIAL_HEADERS = {
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
    "private-token",
}

log = logging.getLogger("tracefabric.sandbox.http")


def loggable_headers(headers: Iterable[tuple[str, str]], scrub: Callable[[str], str]) -> str:
    """Headers as one log line: credential headers masked, secrets redacted from the rest."""
    return ", ".join(
        f"{name}: {'[REDACTED]' if name.lower() in CREDENTIAL_HEADERS else scrub(value)}"
        for name, value in headers
    )


@dataclass
class OutboundResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class OutboundError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # "denied", "invalid-url", "timeout", "too-large", "transport"
        self.message = message


class OutboundHTTP:
    def __init__(self, scrub: Callable[[str], str] | None = None) -> None:
        self.scrub = scrub or (lambda text: text)
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    follow_redirects=False,
                    trust_env=False,  # no proxies from the environment: the allowlist is the truth
                    limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
                )
            return self._client

    def send(
        self,
        allowlist: HostAllowlist,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> OutboundResponse:
        method = method.upper()
        if not method.isalpha() or len(method) > 16:
            raise OutboundError("invalid-url", f"invalid HTTP method {method!r}")
        if body is not None and len(body) > MAX_REQUEST_BYTES:
            raise OutboundError("too-large", "request body exceeds 10 MiB")
        clean_headers = [(k, v) for k, v in headers if k.lower() not in FORBIDDEN_HEADERS]
        for _ in range(MAX_REDIRECTS + 1):
            reason = allowlist.check(url)
            if reason is not None:
                raise OutboundError("denied", f"outbound request denied: {reason}")
            response = self._once(method, url, clean_headers, body, timeout)
            if response.status not in REDIRECT_STATUSES:
                return response
            location = next((v for k, v in response.headers if k.lower() == "location"), None)
            if not location:
                return response
            url = urljoin(url, location)
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, body = "GET", None
        raise OutboundError("transport", f"too many redirects (more than {MAX_REDIRECTS})")

    def _once(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes | None, timeout: float
    ) -> OutboundResponse:
        try:
            request = self.client.build_request(method, url, headers=headers, content=body, timeout=timeout)
            response = self.client.send(request, stream=True)
        except httpx.InvalidURL as exc:
            raise OutboundError("invalid-url", str(exc)) from None
        except httpx.TimeoutException:
            raise OutboundError("timeout", f"request to {url} timed out after {timeout:.0f} s") from None
        except httpx.HTTPError as exc:
            raise OutboundError("transport", f"request to {url} failed: {exc}") from None
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise OutboundError("too-large", f"response from {url} exceeds 10 MiB")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise OutboundError("timeout", f"reading the response from {url} timed out") from None
        except httpx.HTTPError as exc:
            raise OutboundError("transport", f"reading the response from {url} failed: {exc}") from None
        finally:
            response.close()
        received = list(response.headers.multi_items())
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s -> %d; sent headers: %s; received headers: %s",
                method,
                self.scrub(url),
                response.status_code,
                loggable_headers(headers, self.scrub),
                loggable_headers(received, self.scrub),
            )
        return OutboundResponse(response.status_code, received, b"".join(chunks))

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

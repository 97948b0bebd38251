"""Host and Origin checks for the viewer — a STAND-IN, to be replaced by the shared guard.

The server-hardening work (`tracefabric serve`) is writing the reusable version
(`tracefabric.asgi.guard.RequestGuard`); it was not merged when the viewer was written.
This module has the same interface (`RequestGuard(bound_host, port)`, `.check(method,
headers)`, `.check_host(value)`, `Refusal`), so swapping it is changing one import in
`access.py` and deleting this file.

Why: a page on any site can make the browser send requests to 127.0.0.1. `Host` must name
this server (a DNS-rebinding page sends its own name), and a browser's `Origin`, when it
sends one, must be this server's own (a cross-site request); a request the browser marks
as cross-site (`Sec-Fetch-Site`) without an Origin is refused as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

HOST_NOT_ALLOWED = "HostNotAllowed"
ORIGIN_NOT_ALLOWED = "OriginNotAllowed"
CONTENT_TYPE_NOT_ALLOWED = "ContentTypeNotAllowed"
LOOPBACK_NAMES = ("localhost", "127.0.0.1")
_CROSS_SITE = ("cross-site", "same-site")


@dataclass(frozen=True)
class Refusal:
    error_type: str
    message: str
    status: int = 403


class RequestGuard:
    """For a server bound to loopback `bound_host`:`port`."""

    def __init__(self, bound_host: str, port: int) -> None:
        self.port = port
        self.names = {bound_host.lower(), *LOOPBACK_NAMES}

    def host_allowed(self, value: str) -> bool:
        name, colon, port = value.strip().lower().rpartition(":")
        if not colon or not port.isdigit():
            return False
        return name in self.names and int(port) == self.port

    def check_host(self, value: str) -> Refusal | None:
        if self.host_allowed(value):
            return None
        return Refusal(HOST_NOT_ALLOWED, f"Host {value!r} is not this server (127.0.0.1:{self.port})")

    def origin_allowed(self, value: str) -> bool:
        try:
            parts = urlsplit(value.strip())
            port = parts.port
        except ValueError:
            return False
        return parts.scheme == "http" and (parts.hostname or "") in self.names and port == self.port

    def check_origin(self, origins: list[str], host: str, fetch_site: list[str]) -> Refusal | None:
        if not origins:
            if any(v.strip().lower() in _CROSS_SITE for v in fetch_site):
                return Refusal(ORIGIN_NOT_ALLOWED, "a browser request from another site (Sec-Fetch-Site)")
            return None
        if len(origins) == 1 and self.origin_allowed(origins[0]):
            return None
        return Refusal(ORIGIN_NOT_ALLOWED, f"Origin {origins[0]!r} may not call this server")

    def check(self, method: str, headers: Iterable[tuple[bytes, bytes]]) -> Refusal | None:
        seen: dict[bytes, list[str]] = {}
        for name, value in headers:
            if name in (b"host", b"origin", b"content-type", b"sec-fetch-site"):
                seen.setdefault(name, []).append(value.decode("latin-1"))
        hosts = seen.get(b"host", [])
        if len(hosts) != 1:
            return Refusal(HOST_NOT_ALLOWED, "the request must carry exactly one Host header")
        refusal = self.check_host(hosts[0]) or self.check_origin(
            seen.get(b"origin", []), hosts[0], seen.get(b"sec-fetch-site", [])
        )
        if refusal is None and method.upper() == "POST":
            types = seen.get(b"content-type", [])
            if len(types) != 1 or types[0].split(";", 1)[0].strip().lower() != "application/json":
                return Refusal(CONTENT_TYPE_NOT_ALLOWED, "POST needs Content-Type: application/json")
        return refusal

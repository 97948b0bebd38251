"""Keeping browsers out of a local HTTP server: the Host, Origin and Content-Type checks.

A server on 127.0.0.1 without a token trusts whoever can connect, and any web page the user
visits can make the browser connect to it, two ways:

- a cross-site request: `fetch("http://127.0.0.1:3000/vfs/execute", {method: "POST",
  mode: "no-cors", body: "..."})` is sent without asking the server first when its content
  type is one a form could send (`text/plain`, form-urlencoded, multipart);
- DNS rebinding: `attacker.example` resolves first to the attacker, then to 127.0.0.1, so
  the attacker's page becomes "same-origin" with the server and can read its answers.

`RequestGuard` refuses both:

- `Host` must name this server: a loopback name (`localhost`, `127.0.0.1`, `[::1]`) when it
  is bound to loopback, the bound address, or a configured extra name, with the bound port.
  A rebinding page sends `Host: attacker.example:3000`.
- A browser's `Origin` must be this server's own origin or a configured one. Without an
  `Origin`, a request the browser marks as coming from another site (`Sec-Fetch-Site:
  cross-site` or `same-site`) is refused too (e.g. an `<img>` pointing at the server).
- POST bodies must be JSON (`application/json`, `application/*+json`) or another configured
  type. A browser sends any of these cross-site only after a CORS preflight, which these
  servers never grant.

Clients that are not browsers (httpx, curl, DeepFabric) send no `Origin` and a `Host` built
from the URL they were given, so they pass. `GuardMiddleware` wraps any ASGI app with the
checks and answers a refusal with JSON 403 and an `error_type`.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tracefabric.errors import error_body

from .responses import send_json

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HOST_NOT_ALLOWED = "HostNotAllowed"
ORIGIN_NOT_ALLOWED = "OriginNotAllowed"
CONTENT_TYPE_NOT_ALLOWED = "ContentTypeNotAllowed"

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")
JSON_TYPES = ("application/json",)
ANY = "*"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CROSS_SITE = ("cross-site", "same-site")


@dataclass(frozen=True)
class Refusal:
    error_type: str
    message: str
    status: int = 403


def _normal_name(name: str) -> str:
    return name.strip().lower().rstrip(".")


def split_host(value: str) -> tuple[str, int | None] | None:
    """A `Host` header value → (name, port); None when it is not `name[:port]`.
    IPv6 literals come bracketed (`[::1]:3000`) and are returned without brackets."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else None
        try:
            ipaddress.IPv6Address(name.split("%", 1)[0])
        except ValueError:
            return None
    else:
        name, colon, port_text_ = value.partition(":")
        port_text = port_text_ if colon else None
        if ":" in port_text_ or not name:
            return None  # an unbracketed IPv6 literal, or no name at all
    port: int | None = None
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) <= 65535:
            return None
        port = int(port_text)
    name = _normal_name(name)
    if not name or any(c in name for c in "/\\@ \t"):
        return None
    return name, port


def normal_origin(value: str) -> str | None:
    """`scheme://host:port` with the default port made explicit; 'null' stays 'null'.
    None when `value` is no origin (no scheme or host, or a path)."""
    value = value.strip()
    if value.lower() == "null":
        return "null"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username is not None:
        return None
    host = _normal_name(parts.hostname)
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port or _DEFAULT_PORTS[scheme]}"


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


class RequestGuard:
    """The checks, configured for one listening socket.

    `bound_host`: the address the server listens on (as bound, e.g. '127.0.0.1', '::1',
    '0.0.0.0'); `port`: its port. `allowed_hosts`: more names clients may use, each
    `name` (any port) or `name:port`; '*' turns the Host check off. `allowed_origins`:
    browser origins (`http://localhost:5173`) that may call the server; the server's own
    origin always may. `body_types`: media types a POST may carry besides JSON.
    """

    def __init__(
        self,
        bound_host: str,
        port: int,
        *,
        allowed_hosts: Iterable[str] = (),
        allowed_origins: Iterable[str] = (),
        body_types: Iterable[str] = (),
    ) -> None:
        self.port = port
        bound = _normal_name(bound_host.strip("[]"))
        self._any_ip = bound in WILDCARD_ADDRESSES
        names = {bound} - {""}
        if _is_loopback(bound) or self._any_ip:
            names.update(LOOPBACK_NAMES)
        if self._any_ip:
            names.add(_normal_name(socket.gethostname()))
        self._names = names
        self._any_host = False
        self._extra: dict[str, set[int] | None] = {}
        for entry in allowed_hosts:
            if entry.strip() == ANY:
                self._any_host = True
                continue
            parsed = split_host(entry)
            if parsed is None:
                raise ValueError(f"{entry!r} is not a host name (name or name:port)")
            name, entry_port = parsed
            if entry_port is None:
                self._extra[name] = None  # any port
                continue
            ports = self._extra.setdefault(name, set())
            if ports is not None:
                ports.add(entry_port)
        self._origins: set[str] = set()
        for entry in allowed_origins:
            origin = normal_origin(entry)
            if origin is None:
                raise ValueError(
                    f"{entry!r} is not an origin (scheme://host[:port], e.g. http://localhost:5173)"
                )
            self._origins.add(origin)
        self._body_types = {*JSON_TYPES, *(t.strip().lower() for t in body_types)}

    # -- the checks -------------------------------------------------------------------
    def check(self, method: str, headers: Iterable[tuple[bytes, bytes]]) -> Refusal | None:
        """None when the request may proceed; the refusal otherwise. `headers`: as in an ASGI
        scope (lower-case names, latin-1 bytes)."""
        seen: dict[bytes, list[str]] = {}
        for name, value in headers:
            if name in (b"host", b"origin", b"content-type", b"sec-fetch-site"):
                seen.setdefault(name, []).append(value.decode("latin-1"))
        hosts = seen.get(b"host", [])
        if len(hosts) != 1:
            return Refusal(HOST_NOT_ALLOWED, "the request must carry exactly one Host header")
        refusal = self.check_host(hosts[0])
        if refusal is None:
            refusal = self.check_origin(seen.get(b"origin", []), hosts[0], seen.get(b"sec-fetch-site", []))
        if refusal is None and method.upper() == "POST":
            refusal = self.check_content_type(seen.get(b"content-type", []))
        return refusal

    def host_allowed(self, value: str) -> bool:
        parsed = split_host(value)
        if parsed is None:
            return False
        if self._any_host:
            return True
        name, port = parsed
        effective_port = port if port is not None else _DEFAULT_PORTS["http"]
        if name in self._extra:
            ports = self._extra[name]
            if ports is None or effective_port in ports:
                return True
        if effective_port != self.port:
            return False
        return name in self._names or (self._any_ip and _is_ip(name))

    def check_host(self, value: str) -> Refusal | None:
        if self.host_allowed(value):
            return None
        names = ", ".join(f"[{n}]" if ":" in n else n for n in sorted(self._names))
        return Refusal(
            HOST_NOT_ALLOWED,
            f"Host {value!r} is not this server (it answers to {names} on port {self.port}, "
            "and to names allowed with --allowed-host); a page using DNS rebinding sends a foreign Host",
        )

    def check_origin(self, origins: list[str], host: str, fetch_site: list[str]) -> Refusal | None:
        if not origins:
            if any(value.strip().lower() in _CROSS_SITE for value in fetch_site):
                return Refusal(
                    ORIGIN_NOT_ALLOWED,
                    "a browser request from another site (Sec-Fetch-Site) without an allowed Origin",
                )
            return None
        if len(origins) > 1:
            return Refusal(ORIGIN_NOT_ALLOWED, "the request carries more than one Origin header")
        origin = normal_origin(origins[0])
        if origin is not None and (origin in self._origins or origin == normal_origin(f"http://{host}")):
            return None
        return Refusal(
            ORIGIN_NOT_ALLOWED,
            f"Origin {origins[0]!r} is not allowed to call this server "
            "(allow a browser origin with --allowed-origin)",
        )

    def check_content_type(self, values: list[str]) -> Refusal | None:
        if len(values) == 1:
            media_type = values[0].split(";", 1)[0].strip().lower()
            if media_type in self._body_types or (
                media_type.startswith("application/") and media_type.endswith("+json")
            ):
                return None
        shown = values[0] if len(values) == 1 else ("none" if not values else "several")
        return Refusal(
            CONTENT_TYPE_NOT_ALLOWED,
            f"POST needs Content-Type: application/json (got {shown}): any web page can make a "
            "browser send form and text bodies, so they are refused",
        )


class GuardMiddleware:
    """ASGI middleware: `guard.check` on every HTTP request; a refusal is answered as JSON 403
    (`{"success": false, "error", "error_type"}`) and the connection closed, the body unread."""

    def __init__(self, app: ASGIApp, guard: RequestGuard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self.guard.check(scope["method"], scope.get("headers", ()))
            if refusal is not None:
                body = error_body(refusal.error_type, refusal.message)
                await send_json(send, refusal.status, body, close=True)
                return
        await self.app(scope, receive, send)

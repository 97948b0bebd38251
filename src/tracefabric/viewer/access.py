"""Who may use the viewer: the Host/Origin guard `tracefabric serve` uses, then the access token.

The token is random per start and printed in the URL (as Jupyter does). Opening that URL
sets a cookie (HttpOnly, SameSite=Lax, named after the port: cookies are not per-port) and
redirects to the same address without the token, so links copied from the address bar
carry no secret and work for anyone who has opened their own viewer's URL on that port.
API clients may send `Authorization: Bearer TOKEN` instead.

A top-level navigation (`Sec-Fetch-Mode: navigate`, `Sec-Fetch-Dest: document`, GET) from
another site is let past the Origin check — that is someone clicking a shared deep link —
but still needs the Host check and the token cookie; the page it loads can't be read by the
linking site, and framing is forbidden (CSP `frame-ancestors 'none'`).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from tracefabric.asgi.guard import RequestGuard
from tracefabric.asgi.responses import send_json
from tracefabric.errors import error_body

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UNAUTHORIZED = "Unauthorized"


def cookie_name(port: int) -> str:
    return f"tracefabric-view-{port}"


def _headers(scope: Scope) -> dict[bytes, list[bytes]]:
    found: dict[bytes, list[bytes]] = {}
    for name, value in scope.get("headers", ()):
        found.setdefault(name, []).append(value)
    return found


def _navigation(scope: Scope, headers: dict[bytes, list[bytes]]) -> bool:
    return (
        scope["method"] == "GET"
        and headers.get(b"sec-fetch-mode") == [b"navigate"]
        and headers.get(b"sec-fetch-dest") == [b"document"]
        and not scope["path"].startswith("/api/")
    )


class AccessMiddleware:
    def __init__(self, app: ASGIApp, *, guard: RequestGuard, token: str, port: int) -> None:
        self.app = app
        self.guard = guard
        self.token = token.encode()
        self.cookie = cookie_name(port)

    def _valid(self, value: str | bytes | None) -> bool:
        if not value:
            return False
        data = value.encode() if isinstance(value, str) else value
        return hmac.compare_digest(data, self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if _navigation(scope, headers):
            hosts = headers.get(b"host", [])
            refusal = (
                self.guard.check_host(hosts[0].decode("latin-1"))
                if len(hosts) == 1
                else self.guard.check(scope["method"], scope.get("headers", ()))
            )
        else:
            refusal = self.guard.check(scope["method"], scope.get("headers", ()))
        if refusal is not None:
            await send_json(send, refusal.status, error_body(refusal.error_type, refusal.message))
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = [value for name, value in query if name == "token"]
        if given:
            if not self._valid(given[-1]):
                await self._refuse(send, "wrong access token")
                return
            if scope["method"] == "GET" and not scope["path"].startswith("/api/"):
                await self._enter(scope, send, [(n, v) for n, v in query if n != "token"])
                return
        elif not (self._cookie_ok(headers) or self._bearer_ok(headers)):
            await self._refuse(
                send, "no access token: open the URL 'tracefabric view' printed (it carries the token)"
            )
            return
        await self.app(scope, receive, send)

    def _cookie_ok(self, headers: dict[bytes, list[bytes]]) -> bool:
        for raw in headers.get(b"cookie", []):
            cookies: SimpleCookie = SimpleCookie()
            try:
                cookies.load(raw.decode("latin-1"))
            except Exception:  # a malformed Cookie header is just no cookie
                continue
            morsel = cookies.get(self.cookie)
            if morsel is not None and self._valid(morsel.value):
                return True
        return False

    def _bearer_ok(self, headers: dict[bytes, list[bytes]]) -> bool:
        values = headers.get(b"authorization", [])
        if len(values) != 1:
            return False
        scheme, _, value = values[0].strip().partition(b" ")
        return scheme.lower() == b"bearer" and self._valid(value.strip())

    async def _enter(self, scope: Scope, send: Send, query: list[tuple[str, str]]) -> None:
        """Set the cookie and send the browser to the same page without the token."""
        location = scope["path"] + (f"?{urlencode(query)}" if query else "")
        cookie = f"{self.cookie}={self.token.decode()}; Path=/; HttpOnly; SameSite=Lax"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode("latin-1")),
                    (b"set-cookie", cookie.encode("latin-1")),
                    (b"cache-control", b"no-store"),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _refuse(self, send: Send, message: str) -> None:
        await send_json(send, 401, error_body(UNAUTHORIZED, message))

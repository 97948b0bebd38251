"""Who may talk to the tool server: the bind policy and the bearer-token check.

The sandbox runs code and stores data on behalf of whoever can reach it, so a server
reachable beyond this machine must be given a token, checked on every request in
constant time. On loopback without a token, there is no auth (the machine's users are
trusted, as with any local development server).
"""

from __future__ import annotations

import hmac
import ipaddress

from tracefabric.errors import ConfigError

TOKEN_ENV = "TRACEFABRIC_SERVER_TOKEN"
MIN_TOKEN_LENGTH = 16
TOKEN_HINT = "e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def is_loopback(address: str) -> bool:
    """True for 127.0.0.0/8, ::1 (and IPv4-mapped forms) and the name 'localhost'."""
    text = address.strip("[]").split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text.lower() == "localhost"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def check_bind_policy(address: str, token: str | None, *, shown: str | None = None) -> None:
    """Refuse (ConfigError) to serve a non-loopback address without a token, or with a weak one.
    `shown`: the host as the user wrote it (for the message), when `address` is its resolution."""
    if token and len(token) < MIN_TOKEN_LENGTH:
        raise ConfigError(f"--token: the token must be at least {MIN_TOKEN_LENGTH} characters ({TOKEN_HINT})")
    if not token and not is_loopback(address):
        raise ConfigError(
            f"--host {shown or address}: serving beyond this machine needs a token; pass --token or set {TOKEN_ENV} "
            f"({TOKEN_HINT})"
        )


class BearerToken:
    """Checks an `Authorization` header value against the expected token in constant time."""

    def __init__(self, token: str) -> None:
        self._expected = token.encode("utf-8")

    def accepts(self, header: bytes | None) -> bool:
        if not header:
            return False
        scheme, _, value = header.strip().partition(b" ")
        if scheme.lower() != b"bearer":
            return False
        return hmac.compare_digest(value.strip(), self._expected)

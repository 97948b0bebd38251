"""Spin's `allowed_outbound_hosts` patterns: parse them, and check a URL against them.

Syntax (as in Spin): ``scheme://host[:port]`` where scheme may be ``*``, host may be ``*``
or ``*.example.com`` (subdomains only, not the apex), and port may be ``*``, a number or a
range ``8000..9000``. Without a port, the scheme's default port is meant (80 for http,
443 for https). Paths are not allowed in patterns: a grant is for a whole origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tracefabric.errors import ConfigError

DEFAULT_PORTS = {"http": 80, "https": 443}
SCHEMES = ("http", "https")


@dataclass(frozen=True)
class HostPattern:
    scheme: str  # "http", "https" or "*"
    host: str  # lower-case name, "*" or "*.suffix"
    port_low: int | None  # None means any port
    port_high: int | None
    text: str

    def allows(self, scheme: str, host: str, port: int) -> bool:
        if self.scheme != "*" and self.scheme != scheme:
            return False
        if not _host_matches(self.host, host):
            return False
        if self.port_low is None:
            return True
        assert self.port_high is not None
        return self.port_low <= port <= self.port_high


def _host_matches(pattern: str, host: str) -> bool:
    host = host.lower().rstrip(".")
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        suffix = pattern[1:]  # ".example.com"
        return host.endswith(suffix) and len(host) > len(suffix)
    return host == pattern


def parse_host_pattern(text: str) -> HostPattern:
    raw = text.strip()
    if "://" not in raw:
        raise ConfigError(f"allowed_outbound_hosts entry {text!r} needs a scheme, e.g. 'https://{raw}'")
    scheme, rest = raw.split("://", 1)
    scheme = scheme.lower()
    if scheme != "*" and scheme not in SCHEMES:
        raise ConfigError(f"allowed_outbound_hosts entry {text!r}: scheme must be http, https or *")
    rest = rest.rstrip("/")
    if "/" in rest or "?" in rest or "#" in rest or "@" in rest:
        raise ConfigError(f"allowed_outbound_hosts entry {text!r}: a pattern names an origin, not a path")
    host, port_text = _split_host_port(rest, text)
    host = host.lower()
    if not host:
        raise ConfigError(f"allowed_outbound_hosts entry {text!r} has no host")
    if "*" in host and host != "*" and not (host.startswith("*.") and "*" not in host[2:]):
        raise ConfigError(
            f"allowed_outbound_hosts entry {text!r}: '*' may only be the whole host or '*.domain'"
        )
    if port_text is None:
        if scheme == "*":
            raise ConfigError(
                f"allowed_outbound_hosts entry {text!r}: with scheme '*', give a port (e.g. ':*')"
            )
        port = DEFAULT_PORTS[scheme]
        return HostPattern(scheme, host, port, port, text)
    if port_text == "*":
        return HostPattern(scheme, host, None, None, text)
    low, high = _parse_ports(port_text, text)
    return HostPattern(scheme, host, low, high, text)


def _split_host_port(rest: str, text: str) -> tuple[str, str | None]:
    if rest.startswith("["):  # IPv6 literal
        end = rest.find("]")
        if end < 0:
            raise ConfigError(f"allowed_outbound_hosts entry {text!r}: unterminated IPv6 address")
        host, tail = rest[1:end], rest[end + 1 :]
        if not tail:
            return host, None
        if not tail.startswith(":"):
            raise ConfigError(f"allowed_outbound_hosts entry {text!r}: bad port")
        return host, tail[1:]
    if ":" in rest:
        host, port = rest.rsplit(":", 1)
        return host, port
    return rest, None


def _parse_ports(port_text: str, text: str) -> tuple[int, int]:
    try:
        if ".." in port_text:
            low_text, high_text = port_text.split("..", 1)
            low, high = int(low_text), int(high_text)
        else:
            low = high = int(port_text)
    except ValueError:
        raise ConfigError(
            f"allowed_outbound_hosts entry {text!r}: port must be a number, a range or '*'"
        ) from None
    if not (0 < low <= high < 65536):
        raise ConfigError(f"allowed_outbound_hosts entry {text!r}: port out of range")
    return low, high


@dataclass(frozen=True)
class ParsedURL:
    scheme: str
    host: str
    port: int
    url: str


def parse_url(url: str) -> ParsedURL:
    """Parse a request URL the way the HTTP client will use it (so checks match reality)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"unsupported URL scheme {parts.scheme!r} (only http and https)")
    if parts.username is not None or parts.password is not None:
        raise ValueError("URLs with credentials (user@host) are not allowed")
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError("URL has no host")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise ValueError(f"bad port in URL: {exc}") from None
    return ParsedURL(scheme, host, port, url)


class HostAllowlist:
    """The parsed `allowed_outbound_hosts` of one component. Empty means no network at all."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = [parse_host_pattern(p) for p in patterns]

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def check(self, url: str) -> str | None:
        """Return None when `url` is allowed, else the reason it is refused."""
        try:
            parsed = parse_url(url)
        except ValueError as exc:
            return str(exc)
        for pattern in self.patterns:
            if pattern.allows(parsed.scheme, parsed.host, parsed.port):
                return None
        origin = f"{parsed.scheme}://{parsed.host}:{parsed.port}"
        if not self.patterns:
            return f"{origin} is not allowed: this component has no allowed_outbound_hosts"
        granted = ", ".join(p.text for p in self.patterns)
        return f"{origin} is not in allowed_outbound_hosts ({granted})"

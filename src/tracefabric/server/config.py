"""`ServerConfig`: everything `tracefabric serve` takes, as one value (CLI and Python API alike)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tracefabric.errors import ConfigError
from tracefabric.sandbox.api.router import MAX_BODY_BYTES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
DEFAULT_SESSION_TTL_S = 3600.0
# Live session instances (a few MB each for the built-in components, up to a component's
# memory_limit_mb for one that grew its heap); beyond it, the least recently used are rebuilt.
DEFAULT_MAX_INSTANCES = 64
DEFAULT_MAX_SESSION_BYTES = 64 * 1024**2
DEFAULT_MAX_STORE_BYTES = 2 * 1024**3
DEFAULT_HEADER_TIMEOUT_S = 10.0
DEFAULT_BODY_TIMEOUT_S = 60.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_duration(text: str | float, field: str = "--session-ttl") -> float:
    """'90', '90s', '30m', '2h', '1d' → seconds."""
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        match = _DURATION.match(text)
        if match is None:
            raise ConfigError(f"{field}: {text!r} is not a duration (e.g. 90, 90s, 30m, 2h)")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds < 0:
        raise ConfigError(f"{field}: must not be negative")
    return seconds


def parse_size(text: str | int, field: str) -> int | None:
    """'1048576', '512KiB', '64MiB', '2GB', '1.5G' → bytes (units are binary: 1 MB = 1 MiB);
    0 → None (no limit)."""
    if isinstance(text, int):
        size = text
    else:
        match = _SIZE.match(text)
        if match is None:
            raise ConfigError(f"{field}: {text!r} is not a size (e.g. 64MiB, 2GiB, 1048576)")
        unit = (match.group(2) or "").lower()
        size = int(float(match.group(1)) * _SIZE_UNITS[unit[:1]])
    if size < 0:
        raise ConfigError(f"{field}: must not be negative")
    return size or None


def format_size(size: int) -> str:
    for unit, factor in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"


@dataclass
class ServerConfig:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    manifest: str | Path | None = None
    enable: tuple[str, ...] = ()
    data_dir: str | Path | None = None
    # None: read TRACEFABRIC_SERVER_TOKEN. Required when `host` is not a loopback address.
    token: str | None = None
    # Worker threads for sandbox calls (None: 8 per core, 8-64).
    workers: int | None = None
    # Idle sessions are ended after this long; 0 turns the sweep off.
    session_ttl_s: float = DEFAULT_SESSION_TTL_S
    max_body_bytes: int = MAX_BODY_BYTES
    # Fresh, warmed-up instances kept ready per component: a new session's first call takes
    # ~1 ms instead of ~2.5 ms, but refilling costs CPU under load (off by default).
    instance_pool: int = 0
    log_level: str = "warning"
    access_log: bool = False
    # How long shutdown waits for requests in flight before cancelling them.
    graceful_timeout_s: float = 30.0
    # Browser protection (see tracefabric.asgi.guard): more names clients may use in `Host`
    # (name or name:port; '*' turns the check off) and browser origins that may call.
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    # A request's headers must arrive within header_timeout_s, its body within body_timeout_s.
    header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S
    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S
    # Resource limits; None: no limit.
    max_instances: int | None = DEFAULT_MAX_INSTANCES
    max_session_bytes: int | None = DEFAULT_MAX_SESSION_BYTES
    max_store_bytes: int | None = DEFAULT_MAX_STORE_BYTES

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"--port: {self.port} is not a port number (0-65535)")
        if self.workers is not None and self.workers < 1:
            raise ConfigError("--workers: must be at least 1")
        if self.max_body_bytes < 1024:
            raise ConfigError("--max-body-bytes: must be at least 1024")
        if self.session_ttl_s < 0:
            raise ConfigError("--session-ttl: must not be negative")
        if self.max_instances is not None and self.max_instances < 1:
            raise ConfigError("--max-instances: must be at least 1")
        for name, value in (
            ("--max-session-bytes", self.max_session_bytes),
            ("--max-store-bytes", self.max_store_bytes),
        ):
            if value is not None and value < 1024:
                raise ConfigError(f"{name}: must be at least 1024 bytes (or 0 for no limit)")
        for name, value in (
            ("--header-timeout", self.header_timeout_s),
            ("--body-timeout", self.body_timeout_s),
        ):
            if value <= 0:
                raise ConfigError(f"{name}: must be positive")
        from tracefabric.asgi.guard import normal_origin, split_host

        for entry in self.allowed_hosts:
            if entry.strip() != "*" and split_host(entry) is None:
                raise ConfigError(f"--allowed-host: {entry!r} is not a host name (NAME or NAME:PORT)")
        for entry in self.allowed_origins:
            if normal_origin(entry) is None:
                raise ConfigError(
                    f"--allowed-origin: {entry!r} is not an origin (scheme://host[:port], e.g. http://localhost:5173)"
                )

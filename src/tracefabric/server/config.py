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
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


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

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"--port: {self.port} is not a port number (0-65535)")
        if self.workers is not None and self.workers < 1:
            raise ConfigError("--workers: must be at least 1")
        if self.max_body_bytes < 1024:
            raise ConfigError("--max-body-bytes: must be at least 1024")
        if self.session_ttl_s < 0:
            raise ConfigError("--session-ttl: must not be negative")

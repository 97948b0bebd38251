"""The GitHub component: real GitHub REST API tools behind a repository allowlist and write protection.

Read tools (searches, contents, issues, pull requests, commits, branches, repositories) and
write tools (comments, issues, branches, files; refused unless ``allow_writes`` is true).
Variables: ``github_token``, ``allowed_repos``, ``allow_writes``, ``api_base``. The manifest
grants the ``api_base`` origin and nothing else, so the sandbox refuses any other host and
any redirect off it. See docs/github.md.
"""

from __future__ import annotations

from typing import Any

from . import reads, writes  # noqa: F401 - importing them declares the tools
from .allowlist import RepoAllowlist
from .base import component
from .client import Settings


@component.operation("status")
def status(body: Any, request: dict[str, Any]) -> dict[str, Any]:
    """`GET /github/status`: how the component is configured (never the token itself)."""
    settings = Settings.load()
    allowlist = RepoAllowlist.parse(settings.allowed_repos)
    return {
        "component": "github",
        "mode": "real_api",
        "api_base": settings.api_base,
        "token_configured": bool(settings.token),
        "allowed_repos": "all" if allowlist.unrestricted else sorted(allowlist.describe().split(", ")),
        "writes_enabled": settings.allow_writes and bool(allowlist.entries),
    }


WitWorld = component.export()

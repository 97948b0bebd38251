"""The component object, the input-schema vocabulary, and the per-call guard every tool goes through."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tracefabric.guest import Component, ToolError

from .allowlist import RepoAllowlist
from .client import GitHub, Settings
from .names import OWNER_PATTERN, REPO_PATTERN, repo_path

WRITE_NOT_ALLOWED = "WriteNotAllowed"

component = Component("github")


class WriteNotAllowed(ToolError):
    error_type = WRITE_NOT_ALLOWED


# -- schemas ---------------------------------------------------------------------------
OWNER = {
    "type": "string",
    "pattern": OWNER_PATTERN,
    "description": "Repository owner (user or organization), e.g. 'octocat'",
}
REPO = {
    "type": "string",
    "pattern": REPO_PATTERN,
    "description": "Repository name without the owner, e.g. 'hello-world'",
}
PAGE = {
    "type": "integer",
    "minimum": 1,
    "maximum": 1000,
    "default": 1,
    "description": "Page number (1-based)",
}
NUMBER = {"type": "integer", "minimum": 1, "maximum": 2_147_483_647}
DATE_TIME = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$",
    "description": "ISO 8601 timestamp, e.g. '2024-01-31T00:00:00Z'",
}
# Optional refs accept "" (models often send empty strings for "not given"); required ones don't.
REF = {"type": "string", "maxLength": 255}
REQUIRED_REF = {**REF, "minLength": 1}
DIRECTION = {"type": "string", "enum": ["asc", "desc"], "description": "Sort direction"}


def per_page(default: int) -> dict[str, Any]:
    return {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": default,
        "description": f"Results per page (1-100, default {default})",
    }


def text(description: str, max_length: int = 256, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "description": description, **extra}


def schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def repo_schema(extra: dict[str, Any] | None = None, required: list[str] | None = None) -> dict[str, Any]:
    return schema({"owner": OWNER, "repo": REPO, **(extra or {})}, ["owner", "repo", *(required or [])])


READ = {"readOnlyHint": True, "openWorldHint": True}
WRITE = {"readOnlyHint": False, "destructiveHint": False, "openWorldHint": True}


# -- the guard -------------------------------------------------------------------------
def connect() -> tuple[GitHub, RepoAllowlist]:
    """Settings read fresh for each call; `meta` (rate-limit figures) travels back with the result."""
    settings = Settings.load()
    allowlist = RepoAllowlist.parse(settings.allowed_repos)
    return GitHub(settings, component.context.meta), allowlist


def repository(owner: str, repo: str, *, write: bool = False) -> tuple[GitHub, str]:
    """Check names, write permission and the allowlist; return the client and '/repos/o/r'."""
    path = repo_path(owner, repo)
    github, allowlist = connect()
    if write:
        tool = component.context.tool or "this tool"
        if not github.settings.allow_writes:
            raise WriteNotAllowed(
                f"Write operation '{tool}' is disabled: the GitHub tools are read-only in this sandbox "
                "(allow_writes is false)"
            )
        if not allowlist.entries:  # empty: reads go anywhere, writes nowhere
            raise WriteNotAllowed(
                f"Write operation '{tool}' on '{owner}/{repo}' is refused: writes go only to repositories "
                "named in allowed_repos, and none are named"
            )
    allowlist.check(owner, repo)
    return github, path


def list_page(
    github: GitHub,
    url: str,
    *,
    key: str,
    shape: Callable[[dict[str, Any]], Any],
    query: dict[str, Any],
    page: int,
    per_page_: int,
    what: str,
) -> str:
    """One page of a list endpoint as JSON text: the items shaped, and whether more follow."""
    reply = github.get(url, query={**query, "per_page": per_page_, "page": page}, what=what)
    items = [shape(item) for item in reply.data or [] if isinstance(item, dict)]
    page_json = {key: items, "page": page, "per_page": per_page_, "has_next_page": reply.has_next_page}
    return json.dumps(page_json, ensure_ascii=False)

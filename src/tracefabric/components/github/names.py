"""Validate the names a model passes (owners, repositories, paths, refs) and build URL paths.

The host has already checked each argument against the tool's schema; these checks are
the component's own defence, so no argument can steer a request to another repository or
endpoint: every path segment is percent-encoded with no safe characters, and dot segments,
encoded separators and control characters are refused before any request is made.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from tracefabric.guest import InvalidArguments

# GitHub logins: letters, digits, single hyphens (managed users add '_shortcode').
OWNER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$"
# Repository names: letters, digits, '.', '_', '-' ('.' and '..' are not names).
REPO_PATTERN = r"^[A-Za-z0-9._-]{1,100}$"
OWNER_RE = re.compile(OWNER_PATTERN)
REPO_RE = re.compile(REPO_PATTERN)

MAX_PATH_CHARS = 1024
MAX_REF_CHARS = 255
# Percent-encoded '/', '\' and '.': a model never needs them in a plain path or ref, and they
# are how traversal is usually smuggled past naive checks.
ENCODED_SEPARATOR_RE = re.compile(r"%(2f|5c|2e)", re.IGNORECASE)
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# git check-ref-format: no '..', '@{', '//', control chars, space, ~ ^ : ? * [ \
BAD_REF_RE = re.compile(r"\.\.|@\{|//|[\x00-\x20\x7f~^:?*\[\\]")


def segment(value: str) -> str:
    """One URL path segment, with every reserved character encoded ('/' included)."""
    return quote(value, safe="")


def check_owner(owner: str) -> str:
    if not isinstance(owner, str) or not OWNER_RE.fullmatch(owner):
        raise InvalidArguments(
            f"owner {owner!r} is not a GitHub user or organization name "
            "(letters, digits and '-', e.g. 'octocat')"
        )
    return owner


def check_repo(repo: str) -> str:
    if not isinstance(repo, str) or not REPO_RE.fullmatch(repo) or repo in (".", ".."):
        raise InvalidArguments(
            f"repo {repo!r} is not a repository name (letters, digits, '.', '_' and '-'; "
            "give the owner separately, e.g. owner='octocat', repo='hello-world')"
        )
    return repo


def number(value: object, what: str) -> str:
    """An issue or pull request number as a path segment (never text that could add segments)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArguments(f"{what} must be a positive integer, not {value!r}")
    return str(value)


def repo_path(owner: str, repo: str) -> str:
    """'/repos/{owner}/{repo}' with both names checked and encoded."""
    return f"/repos/{segment(check_owner(owner))}/{segment(check_repo(repo))}"


def _check_text(value: str, what: str, limit: int) -> None:
    if len(value) > limit:
        raise InvalidArguments(f"{what} is too long (max {limit} characters)")
    if CONTROL_RE.search(value):
        raise InvalidArguments(f"{what} contains control characters")
    if ENCODED_SEPARATOR_RE.search(value):
        raise InvalidArguments(
            f"{what} {value!r} looks URL-encoded; give the plain text (e.g. 'src/main.py')"
        )


def file_path_segments(path: str) -> list[str]:
    """'src/app/main.py' → ['src', 'app', 'main.py']; '' or '/' → [] (the repository root)."""
    if not isinstance(path, str):
        raise InvalidArguments("path must be a string")
    _check_text(path, "path", MAX_PATH_CHARS)
    if "\\" in path:
        raise InvalidArguments(f"path {path!r} uses '\\'; repository paths use '/', e.g. 'src/main.py'")
    parts = [p for p in path.strip().strip("/").split("/")]
    if parts == [""]:
        return []
    for part in parts:
        if part in ("", ".", ".."):
            raise InvalidArguments(
                f"path {path!r} has an empty, '.' or '..' segment; give the path from the repository root, "
                "e.g. 'src/main.py'"
            )
    return parts


def encoded_file_path(path: str) -> str:
    return "/".join(segment(part) for part in file_path_segments(path))


def check_ref(ref: str, what: str = "ref") -> str:
    """A branch, tag or commit SHA, as git allows them (used in query strings, always encoded)."""
    if not isinstance(ref, str) or not ref:
        raise InvalidArguments(f"{what} must be a non-empty string")
    _check_text(ref, what, MAX_REF_CHARS)
    if BAD_REF_RE.search(ref) or ref.startswith(("/", "-", ".")) or ref.endswith(("/", ".", ".lock")):
        raise InvalidArguments(f"{what} {ref!r} is not a valid git branch, tag or commit name")
    return ref


def branch_path(branch: str, what: str = "branch") -> str:
    """A branch name as path segments ('feature/x' → 'feature/x', each part encoded)."""
    check_ref(branch, what)
    return "/".join(segment(part) for part in branch.split("/"))

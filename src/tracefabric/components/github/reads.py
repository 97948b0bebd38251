"""Read tools: searches, file contents, issues, pull requests, commits, branches, repositories."""

from __future__ import annotations

import base64
import json
from typing import Any

from tracefabric.guest import APIError, InvalidArguments

from . import shapes
from .base import (
    DATE_TIME,
    DIRECTION,
    NUMBER,
    PAGE,
    READ,
    REF,
    REQUIRED_REF,
    component,
    connect,
    list_page,
    per_page,
    repo_schema,
    repository,
    schema,
    text,
)
from .names import check_ref, encoded_file_path, file_path_segments, number, segment

MAX_FILE_CHARS = 50_000
MAX_QUERY_CHARS = 256
STATE = {
    "type": "string",
    "enum": ["open", "closed", "all"],
    "default": "open",
    "description": "Filter by state",
}


# -- searches ------------------------------------------------------------------------
def _search(
    kind: str, query: str, params: dict[str, Any], accept: str, full_name: Any, shape: Any, page: int
) -> str:
    """Run a search confined to the allowlist; drop (and count) any result outside it."""
    if not query.strip():
        raise InvalidArguments("query must not be empty")
    github, allowlist = connect()
    scoped = allowlist.scope_query(query.strip())
    reply = github.get(
        f"/search/{kind}", query={"q": scoped, **params}, what=f"search {kind} {query!r}", accept=accept
    )
    data = reply.data if isinstance(reply.data, dict) else {}
    items = [i for i in data.get("items") or [] if isinstance(i, dict)]
    kept = [shape(i) for i in items if allowlist.allows_full_name(str(full_name(i) or ""))]
    result: dict[str, Any] = {
        "query": scoped,
        "total_count": data.get("total_count"),
        "incomplete_results": data.get("incomplete_results"),
        "items": kept,
        "page": page,
        "per_page": params["per_page"],
        "has_next_page": reply.has_next_page,
    }
    if len(items) > len(kept):
        result["filtered_out"] = len(items) - len(kept)  # results outside the allowlist, dropped
    return json.dumps(result, ensure_ascii=False)


@component.tool(
    description="Search GitHub repositories. The query uses GitHub search syntax "
    "(e.g. 'http client language:python stars:>100'). Results are limited to the allowed repositories.",
    input_schema=schema(
        {
            "query": text("Search query in GitHub search syntax", MAX_QUERY_CHARS, minLength=1),
            "sort": {"type": "string", "enum": ["stars", "forks", "help-wanted-issues", "updated"]},
            "order": DIRECTION,
            "perPage": per_page(10),
            "page": PAGE,
        },
        ["query"],
    ),
    annotations=READ,
)
def gh_search_repositories(
    query: str, sort: str = "", order: str = "", perPage: int = 10, page: int = 1
) -> str:
    params = {"sort": sort, "order": order, "per_page": perPage, "page": page}
    return _search(
        "repositories",
        query,
        params,
        "application/vnd.github+json",
        lambda item: item.get("full_name"),
        shapes.repository_hit,
        page,
    )


@component.tool(
    description="Search code in GitHub repositories (default branches). The query uses GitHub code search "
    "syntax, e.g. 'parse_config language:python' or 'TODO path:src/'. Results are limited to the allowed "
    "repositories; each hit names the repository, the file path and matching fragments. Needs a token.",
    input_schema=schema(
        {
            "query": text("Code search query", MAX_QUERY_CHARS, minLength=1),
            "perPage": per_page(10),
            "page": PAGE,
        },
        ["query"],
    ),
    annotations=READ,
)
def gh_search_code(query: str, perPage: int = 10, page: int = 1) -> str:
    return _search(
        "code",
        query,
        {"per_page": perPage, "page": page},
        "application/vnd.github.text-match+json",
        lambda item: (item.get("repository") or {}).get("full_name"),
        shapes.code_hit,
        page,
    )


# -- contents ------------------------------------------------------------------------
@component.tool(
    description="Get a file's text, or a directory's entries, from a repository. Use path '' for the root. "
    "Large files are truncated: read them in parts with start_line/end_line.",
    input_schema=repo_schema(
        {
            "path": text(
                "Path from the repository root, e.g. 'src/main.py' ('' for the root)", 1024, default=""
            ),
            "ref": {**REF, "description": "Branch, tag or commit SHA (default: the default branch)"},
            "start_line": {"type": "integer", "minimum": 1, "description": "First line to return (1-based)"},
            "end_line": {"type": "integer", "minimum": 1, "description": "Last line to return (inclusive)"},
        }
    ),
    annotations=READ,
)
def gh_get_file_contents(
    owner: str,
    repo: str,
    path: str = "",
    ref: str = "",
    start_line: int | None = None,
    end_line: int | None = None,
) -> str:
    if ref:
        check_ref(ref)
    encoded = encoded_file_path(path)
    github, base = repository(owner, repo)
    url = f"{base}/contents/{encoded}" if encoded else f"{base}/contents"
    where = f"'{path.strip('/') or '/'}' in {owner}/{repo}" + (f" at ref '{ref}'" if ref else "")
    reply = github.get(url, query={"ref": ref}, what=where)
    data = reply.data
    if isinstance(data, list):
        entries = [shapes.directory_entry(e) for e in data if isinstance(e, dict)]
        return json.dumps(entries, ensure_ascii=False)
    if not isinstance(data, dict):
        raise APIError(f"GitHub returned an unexpected answer for {where}")
    kind = data.get("type")
    if kind == "symlink":
        return f"{data.get('path')} is a symbolic link to {data.get('target')}"
    if kind == "submodule":
        return json.dumps(
            {
                "type": "submodule",
                "path": data.get("path"),
                "url": data.get("submodule_git_url"),
                "sha": data.get("sha"),
            }
        )
    component.context.meta["file"] = {
        "path": data.get("path"),
        "sha": data.get("sha"),
        "size": data.get("size"),
    }
    raw = _file_bytes(github, url, ref, where, data)
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        content = None
    if content is None or "\x00" in content:
        return f"Binary file {data.get('path')} ({len(raw)} bytes); its content is not shown"
    return _lines(content, start_line, end_line, str(data.get("path")))


def _file_bytes(github: Any, url: str, ref: str, where: str, data: dict[str, Any]) -> bytes:
    if data.get("encoding") == "base64" and (data.get("content") or not data.get("size")):
        try:
            return base64.b64decode(data.get("content") or "")
        except ValueError:
            raise APIError(f"GitHub returned undecodable content for {where}") from None
    # Files over 1 MB come without inline content: fetch the raw bytes instead.
    return github.get(
        url, query={"ref": ref}, what=where, accept="application/vnd.github.raw+json", raw=True
    ).data


def _lines(content: str, start_line: int | None, end_line: int | None, path: str) -> str:
    if start_line is not None or end_line is not None:
        lines = content.splitlines(keepends=True)
        first = (start_line or 1) - 1
        last = end_line if end_line is not None else len(lines)
        if lines and first >= len(lines):
            raise InvalidArguments(f"start_line {start_line} is past the end of {path} ({len(lines)} lines)")
        if last <= first:
            raise InvalidArguments("end_line must not be before start_line")
        content = "".join(lines[first:last])
    if len(content) > MAX_FILE_CHARS:
        shown = content[:MAX_FILE_CHARS]
        line_count = shown.count("\n")
        return (
            shown + f"\n[... truncated: showing {MAX_FILE_CHARS} of {len(content)} characters "
            f"(about {line_count} lines); read further with start_line/end_line]"
        )
    return content


# -- issues --------------------------------------------------------------------------
@component.tool(
    description="List issues of a repository (pull requests are marked is_pull_request).",
    input_schema=repo_schema(
        {
            "state": STATE,
            "labels": text("Comma-separated label names, e.g. 'bug,ui'"),
            "sort": {
                "type": "string",
                "enum": ["created", "updated", "comments"],
                "description": "Sort field",
            },
            "direction": DIRECTION,
            "since": {**DATE_TIME, "description": "Only issues updated at or after this time (ISO 8601)"},
            "perPage": per_page(30),
            "page": PAGE,
        }
    ),
    annotations=READ,
)
def gh_list_issues(
    owner: str,
    repo: str,
    state: str = "open",
    labels: str = "",
    sort: str = "",
    direction: str = "",
    since: str = "",
    perPage: int = 30,
    page: int = 1,
) -> str:
    github, base = repository(owner, repo)
    query = {"state": state, "labels": labels, "sort": sort, "direction": direction, "since": since}
    return list_page(
        github,
        f"{base}/issues",
        key="issues",
        shape=shapes.issue_summary,
        query=query,
        page=page,
        per_page_=perPage,
        what=f"issues of {owner}/{repo}",
    )


@component.tool(
    description="Get one issue: title, state, labels, body; with include_comments, its first comments too.",
    input_schema=repo_schema(
        {
            "issue_number": {**NUMBER, "description": "The issue number"},
            "include_comments": {
                "type": "boolean",
                "default": False,
                "description": "Also return up to 30 comments",
            },
        },
        ["issue_number"],
    ),
    annotations=READ,
)
def gh_get_issue(owner: str, repo: str, issue_number: int, include_comments: bool = False) -> str:
    issue = number(issue_number, "issue_number")
    github, base = repository(owner, repo)
    what = f"issue #{issue} in {owner}/{repo}"
    reply = github.get(f"{base}/issues/{issue}", what=what)
    result = shapes.issue(reply.data if isinstance(reply.data, dict) else {})
    if include_comments and result.get("comments"):
        comments = github.get(
            f"{base}/issues/{issue}/comments",
            query={"per_page": 30},
            what=f"comments of {what}",
        )
        result["comment_list"] = [shapes.comment(c) for c in comments.data or [] if isinstance(c, dict)]
    return json.dumps(result, ensure_ascii=False)


# -- pull requests -------------------------------------------------------------------
@component.tool(
    description="List pull requests of a repository.",
    input_schema=repo_schema(
        {
            "state": STATE,
            "head": text("Filter by head, 'user:branch'", 200),
            "base": text("Filter by base branch name", 255),
            "sort": {"type": "string", "enum": ["created", "updated", "popularity", "long-running"]},
            "direction": DIRECTION,
            "perPage": per_page(30),
            "page": PAGE,
        }
    ),
    annotations=READ,
)
def gh_list_pull_requests(
    owner: str,
    repo: str,
    state: str = "open",
    head: str = "",
    base: str = "",
    sort: str = "",
    direction: str = "",
    perPage: int = 30,
    page: int = 1,
) -> str:
    github, path = repository(owner, repo)
    query = {"state": state, "head": head, "base": base, "sort": sort, "direction": direction}
    return list_page(
        github,
        f"{path}/pulls",
        key="pull_requests",
        shape=shapes.pull_summary,
        query=query,
        page=page,
        per_page_=perPage,
        what=f"pull requests of {owner}/{repo}",
    )


@component.tool(
    description="Get one pull request with its changed files (and their diffs, clipped).",
    input_schema=repo_schema(
        {
            "pullNumber": {**NUMBER, "description": "The pull request number"},
            "include_patch": {"type": "boolean", "default": True, "description": "Include each file's diff"},
        },
        ["pullNumber"],
    ),
    annotations=READ,
)
def gh_get_pull_request(owner: str, repo: str, pullNumber: int, include_patch: bool = True) -> str:
    pull = number(pullNumber, "pullNumber")
    github, base = repository(owner, repo)
    what = f"pull request #{pull} in {owner}/{repo}"
    reply = github.get(f"{base}/pulls/{pull}", what=what)
    result = shapes.pull(reply.data if isinstance(reply.data, dict) else {})
    files = github.get(f"{base}/pulls/{pull}/files", query={"per_page": 100}, what=f"files of {what}")
    file_list = [f for f in files.data or [] if isinstance(f, dict)]
    result["files"] = shapes.changed_files(file_list, include_patch)
    if files.has_next_page:
        result["files_note"] = (
            f"only the first {len(file_list)} of {result.get('changed_files')} files are listed"
        )
    return json.dumps(result, ensure_ascii=False)


# -- commits and branches ------------------------------------------------------------
@component.tool(
    description="List commits of a repository, newest first; optionally from a branch or SHA, "
    "or only those touching a path.",
    input_schema=repo_schema(
        {
            "sha": {
                **REF,
                "description": "Branch name or commit SHA to start from (default: the default branch)",
            },
            "path": text("Only commits touching this file path", 1024),
            "author": text("GitHub login or email of the author", 100),
            "since": {**DATE_TIME, "description": "Only commits after this time (ISO 8601)"},
            "until": {**DATE_TIME, "description": "Only commits before this time (ISO 8601)"},
            "perPage": per_page(30),
            "page": PAGE,
        }
    ),
    annotations=READ,
)
def gh_list_commits(
    owner: str,
    repo: str,
    sha: str = "",
    path: str = "",
    author: str = "",
    since: str = "",
    until: str = "",
    perPage: int = 30,
    page: int = 1,
) -> str:
    if sha:
        check_ref(sha, "sha")
    if path:
        path = "/".join(file_path_segments(path))  # checked; it travels as an encoded query value
    github, base = repository(owner, repo)
    query = {"sha": sha, "path": path, "author": author, "since": since, "until": until}
    return list_page(
        github,
        f"{base}/commits",
        key="commits",
        shape=shapes.commit_summary,
        query=query,
        page=page,
        per_page_=perPage,
        what=f"commits of {owner}/{repo}",
    )


@component.tool(
    description="Get one commit: message, author, parents, stats and changed files (with diffs, clipped).",
    input_schema=repo_schema(
        {
            "sha": {**REQUIRED_REF, "description": "Commit SHA (or a branch/tag name)"},
            "include_patch": {"type": "boolean", "default": True, "description": "Include each file's diff"},
        },
        ["sha"],
    ),
    annotations=READ,
)
def gh_get_commit(owner: str, repo: str, sha: str, include_patch: bool = True) -> str:
    check_ref(sha, "sha")
    github, base = repository(owner, repo)
    reply = github.get(f"{base}/commits/{segment(sha)}", what=f"commit {sha!r} in {owner}/{repo}")
    return json.dumps(
        shapes.commit(reply.data if isinstance(reply.data, dict) else {}, include_patch), ensure_ascii=False
    )


@component.tool(
    description="List branches of a repository.",
    input_schema=repo_schema(
        {
            "protected": {
                "type": "boolean",
                "description": "Only protected (true) or unprotected (false) branches",
            },
            "perPage": per_page(30),
            "page": PAGE,
        }
    ),
    annotations=READ,
)
def gh_list_branches(
    owner: str, repo: str, protected: bool | None = None, perPage: int = 30, page: int = 1
) -> str:
    github, base = repository(owner, repo)
    flag = None if protected is None else ("true" if protected else "false")
    return list_page(
        github,
        f"{base}/branches",
        key="branches",
        shape=shapes.branch,
        query={"protected": flag},
        page=page,
        per_page_=perPage,
        what=f"branches of {owner}/{repo}",
    )


@component.tool(
    description="Get a repository's details: description, default branch, language, topics, license, stars.",
    input_schema=repo_schema(),
    annotations=READ,
)
def gh_get_repository(owner: str, repo: str) -> str:
    github, base = repository(owner, repo)
    reply = github.get(base, what=f"repository {owner}/{repo}")
    return json.dumps(
        shapes.repository(reply.data if isinstance(reply.data, dict) else {}), ensure_ascii=False
    )

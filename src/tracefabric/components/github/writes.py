"""Write tools: refused with `WriteNotAllowed` unless `allow_writes` is true, and then only on
repositories the allowlist names explicitly (see allowlist.py)."""

from __future__ import annotations

import base64
import json

from tracefabric.guest import InvalidArguments, NotFound

from .base import NUMBER, REF, REQUIRED_REF, WRITE, component, repo_schema, repository, text
from .client import GitHub
from .names import branch_path, check_ref, encoded_file_path, file_path_segments, number

MAX_CONTENT_CHARS = 1_000_000
MAX_COMMENT_CHARS = 65_536  # GitHub's own limit for issue and comment bodies


@component.tool(
    description="Add a comment to an issue or pull request. Requires writes to be enabled.",
    input_schema=repo_schema(
        {
            "issue_number": {**NUMBER, "description": "Issue or pull request number"},
            "body": text("Comment text (Markdown)", MAX_COMMENT_CHARS, minLength=1),
        },
        ["issue_number", "body"],
    ),
    annotations=WRITE,
)
def gh_add_issue_comment(owner: str, repo: str, issue_number: int, body: str) -> str:
    issue = number(issue_number, "issue_number")
    github, base = repository(owner, repo, write=True)
    reply = github.request(
        "POST",
        f"{base}/issues/{issue}/comments",
        body={"body": body},
        what=f"issue #{issue_number} in {owner}/{repo}",
    )
    data = reply.data if isinstance(reply.data, dict) else {}
    return json.dumps(
        {
            "id": data.get("id"),
            "issue_number": issue_number,
            "created_at": data.get("created_at"),
            "html_url": data.get("html_url"),
        }
    )


@component.tool(
    description="Open a new issue. Requires writes to be enabled.",
    input_schema=repo_schema(
        {
            "title": text("Issue title", 256, minLength=1),
            "body": text("Issue description (Markdown)", MAX_COMMENT_CHARS),
            "labels": {"type": "array", "items": text("Label name", 50, minLength=1), "maxItems": 20},
            "assignees": {"type": "array", "items": text("GitHub login", 100, minLength=1), "maxItems": 10},
        },
        ["title"],
    ),
    annotations=WRITE,
)
def gh_create_issue(
    owner: str,
    repo: str,
    title: str,
    body: str = "",
    labels: list[str] | None = None,
    assignees: list[str] | None = None,
) -> str:
    github, base = repository(owner, repo, write=True)
    payload: dict[str, object] = {"title": title}
    if body:
        payload["body"] = body
    if labels:
        payload["labels"] = labels
    if assignees:
        payload["assignees"] = assignees
    reply = github.request("POST", f"{base}/issues", body=payload, what=f"issues of {owner}/{repo}")
    data = reply.data if isinstance(reply.data, dict) else {}
    return json.dumps(
        {
            "number": data.get("number"),
            "title": data.get("title"),
            "state": data.get("state"),
            "html_url": data.get("html_url"),
        },
        ensure_ascii=False,
    )


@component.tool(
    description="Create a branch from another branch (default: the repository's default branch). "
    "Requires writes to be enabled.",
    input_schema=repo_schema(
        {
            "branch": {**REQUIRED_REF, "description": "Name of the new branch, e.g. 'fix/readme-typo'"},
            "from_branch": {**REF, "description": "Branch to start from (default: the default branch)"},
        },
        ["branch"],
    ),
    annotations=WRITE,
)
def gh_create_branch(owner: str, repo: str, branch: str, from_branch: str = "") -> str:
    check_ref(branch, "branch")
    if from_branch:
        check_ref(from_branch, "from_branch")
    github, base = repository(owner, repo, write=True)
    if not from_branch:
        info = github.get(base, what=f"repository {owner}/{repo}").data or {}
        from_branch = str(info.get("default_branch") or "")
        if not from_branch:
            raise NotFound(f"{owner}/{repo} has no default branch (is it empty?)")
    what = f"branch '{from_branch}' in {owner}/{repo}"
    ref = github.get(f"{base}/git/ref/heads/{branch_path(from_branch, 'from_branch')}", what=what).data or {}
    sha = (ref.get("object") or {}).get("sha") if isinstance(ref, dict) else None
    if not sha:
        raise NotFound(f"Not found: {what}")
    github.request(
        "POST",
        f"{base}/git/refs",
        body={"ref": f"refs/heads/{branch}", "sha": sha},
        what=f"new branch '{branch}' in {owner}/{repo}",
    )
    return json.dumps({"branch": branch, "from_branch": from_branch, "sha": sha})


@component.tool(
    description="Create a file, or replace its content, in one commit. The current file's SHA is looked up "
    "when not given. Requires writes to be enabled.",
    input_schema=repo_schema(
        {
            "path": text("File path from the repository root, e.g. 'docs/notes.md'", 1024, minLength=1),
            "content": text("The complete new file content (text)", MAX_CONTENT_CHARS),
            "message": text("Commit message", 1000, minLength=1),
            "branch": {**REF, "description": "Branch to commit to (default: the default branch)"},
            "sha": {**REF, "description": "SHA of the file being replaced (looked up when omitted)"},
        },
        ["path", "content", "message"],
    ),
    annotations={**WRITE, "destructiveHint": True},
)
def gh_create_or_update_file(
    owner: str, repo: str, path: str, content: str, message: str, branch: str = "", sha: str = ""
) -> str:
    if not file_path_segments(path):
        raise InvalidArguments("path must name a file, e.g. 'docs/notes.md'")
    encoded = encoded_file_path(path)
    if branch:
        check_ref(branch, "branch")
    if sha:
        check_ref(sha, "sha")
    github, base = repository(owner, repo, write=True)
    url = f"{base}/contents/{encoded}"
    where = f"'{path}' in {owner}/{repo}" + (f" on branch '{branch}'" if branch else "")
    if not sha:
        sha = _current_sha(github, url, branch, where)
    payload = {"message": message, "content": base64.b64encode(content.encode("utf-8")).decode("ascii")}
    if branch:
        payload["branch"] = branch
    if sha:
        payload["sha"] = sha
    reply = github.request("PUT", url, body=payload, what=where)
    data = reply.data if isinstance(reply.data, dict) else {}
    commit = data.get("commit") or {}
    return json.dumps(
        {
            "path": (data.get("content") or {}).get("path") or path,
            "created": not sha,
            "sha": (data.get("content") or {}).get("sha"),
            "commit": {
                "sha": commit.get("sha"),
                "message": commit.get("message"),
                "html_url": commit.get("html_url"),
            },
        },
        ensure_ascii=False,
    )


def _current_sha(github: GitHub, url: str, branch: str, where: str) -> str:
    """The SHA of the file being replaced, or '' when the file is new."""
    try:
        reply = github.get(url, query={"ref": branch}, what=where)
    except NotFound:
        return ""
    if isinstance(reply.data, list):
        raise InvalidArguments(f"{where} is a directory; give the path of a file")
    return str((reply.data or {}).get("sha") or "")

"""Trim GitHub API payloads to what a model needs: names, numbers, text, links; no node ids,
avatar URLs or the dozens of *_url templates every object carries."""

from __future__ import annotations

from typing import Any

MAX_BODY_CHARS = 4000  # issue / pull request / comment bodies
MAX_PATCH_CHARS = 3000  # one file's diff
MAX_PATCH_TOTAL_CHARS = 40_000  # all diffs of one commit or pull request
MAX_FRAGMENT_CHARS = 400  # one code-search match fragment


def clip(text: Any, limit: int) -> str | None:
    if text is None:
        return None
    text = str(text)
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... truncated: {len(text) - limit} more characters]"


def _login(user: Any) -> str | None:
    return user.get("login") if isinstance(user, dict) else None


def _labels(labels: Any) -> list[str]:
    return [label.get("name") if isinstance(label, dict) else str(label) for label in labels or []]


def repository(data: dict[str, Any]) -> dict[str, Any]:
    license_ = data.get("license")
    return {
        "full_name": data.get("full_name"),
        "description": data.get("description"),
        "private": data.get("private"),
        "archived": data.get("archived"),
        "fork": data.get("fork"),
        "default_branch": data.get("default_branch"),
        "language": data.get("language"),
        "topics": data.get("topics") or [],
        "license": license_.get("spdx_id") if isinstance(license_, dict) else None,
        "stars": data.get("stargazers_count"),
        "forks": data.get("forks_count"),
        "open_issues": data.get("open_issues_count"),
        "size_kb": data.get("size"),
        "homepage": data.get("homepage") or None,
        "created_at": data.get("created_at"),
        "pushed_at": data.get("pushed_at"),
        "html_url": data.get("html_url"),
    }


def repository_hit(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "full_name": data.get("full_name"),
        "description": data.get("description"),
        "language": data.get("language"),
        "stars": data.get("stargazers_count"),
        "forks": data.get("forks_count"),
        "topics": data.get("topics") or [],
        "default_branch": data.get("default_branch"),
        "archived": data.get("archived"),
        "updated_at": data.get("updated_at"),
        "html_url": data.get("html_url"),
    }


def code_hit(data: dict[str, Any]) -> dict[str, Any]:
    repo = data.get("repository") or {}
    hit: dict[str, Any] = {
        "repository": repo.get("full_name"),
        "path": data.get("path"),
        "name": data.get("name"),
        "sha": data.get("sha"),
        "html_url": data.get("html_url"),
    }
    fragments = [
        clip(m.get("fragment"), MAX_FRAGMENT_CHARS)
        for m in data.get("text_matches") or []
        if isinstance(m, dict)
    ]
    if fragments:
        hit["matches"] = fragments[:3]
    return hit


def directory_entry(data: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": data.get("name"), "type": data.get("type"), "path": data.get("path")}
    if data.get("type") == "file":
        entry["size"] = data.get("size")
    return entry


def issue_summary(data: dict[str, Any]) -> dict[str, Any]:
    summary = {
        "number": data.get("number"),
        "title": data.get("title"),
        "state": data.get("state"),
        "user": _login(data.get("user")),
        "labels": _labels(data.get("labels")),
        "comments": data.get("comments"),
        "created_at": data.get("created_at"),
        "updated_at": data.get("updated_at"),
        "html_url": data.get("html_url"),
    }
    if data.get("pull_request"):
        summary["is_pull_request"] = True
    return summary


def issue(data: dict[str, Any]) -> dict[str, Any]:
    detail = issue_summary(data)
    detail.update(
        {
            "body": clip(data.get("body"), MAX_BODY_CHARS),
            "assignees": [_login(a) for a in data.get("assignees") or []],
            "milestone": (data.get("milestone") or {}).get("title") if data.get("milestone") else None,
            "closed_at": data.get("closed_at"),
            "state_reason": data.get("state_reason"),
        }
    )
    return detail


def comment(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": data.get("id"),
        "user": _login(data.get("user")),
        "created_at": data.get("created_at"),
        "body": clip(data.get("body"), MAX_BODY_CHARS),
        "html_url": data.get("html_url"),
    }


def pull_summary(data: dict[str, Any]) -> dict[str, Any]:
    head = data.get("head") or {}
    base = data.get("base") or {}
    return {
        "number": data.get("number"),
        "title": data.get("title"),
        "state": data.get("state"),
        "draft": data.get("draft"),
        "user": _login(data.get("user")),
        "head": head.get("ref"),
        "base": base.get("ref"),
        "labels": _labels(data.get("labels")),
        "created_at": data.get("created_at"),
        "updated_at": data.get("updated_at"),
        "merged_at": data.get("merged_at"),
        "html_url": data.get("html_url"),
    }


def pull(data: dict[str, Any]) -> dict[str, Any]:
    detail = pull_summary(data)
    head = data.get("head") or {}
    detail.update(
        {
            "body": clip(data.get("body"), MAX_BODY_CHARS),
            "head_sha": head.get("sha"),
            "merged": data.get("merged"),
            "mergeable": data.get("mergeable"),
            "merged_by": _login(data.get("merged_by")),
            "commits": data.get("commits"),
            "additions": data.get("additions"),
            "deletions": data.get("deletions"),
            "changed_files": data.get("changed_files"),
            "comments": data.get("comments"),
            "review_comments": data.get("review_comments"),
            "closed_at": data.get("closed_at"),
        }
    )
    return detail


def changed_files(files: list[Any], include_patch: bool) -> list[dict[str, Any]]:
    """Files of a commit or pull request; diffs clipped per file and in total."""
    budget = MAX_PATCH_TOTAL_CHARS
    out = []
    for item in files:
        if not isinstance(item, dict):
            continue
        entry: dict[str, Any] = {
            "filename": item.get("filename"),
            "status": item.get("status"),
            "additions": item.get("additions"),
            "deletions": item.get("deletions"),
        }
        if item.get("previous_filename"):
            entry["previous_filename"] = item["previous_filename"]
        patch = item.get("patch")
        if include_patch and patch:
            if budget <= 0:
                entry["patch"] = "[patch omitted: the diff budget of this result is used up]"
            else:
                clipped = clip(patch, min(MAX_PATCH_CHARS, budget)) or ""
                budget -= len(clipped)
                entry["patch"] = clipped
        out.append(entry)
    return out


def commit_summary(data: dict[str, Any]) -> dict[str, Any]:
    commit = data.get("commit") or {}
    author = commit.get("author") or {}
    message = commit.get("message") or ""
    return {
        "sha": data.get("sha"),
        "message": message.split("\n", 1)[0],
        "author": author.get("name"),
        "login": _login(data.get("author")),
        "date": author.get("date"),
        "html_url": data.get("html_url"),
    }


def commit(data: dict[str, Any], include_patch: bool) -> dict[str, Any]:
    commit_ = data.get("commit") or {}
    author = commit_.get("author") or {}
    committer = commit_.get("committer") or {}
    stats = data.get("stats") or {}
    return {
        "sha": data.get("sha"),
        "message": clip(commit_.get("message"), MAX_BODY_CHARS),
        "author": author.get("name"),
        "login": _login(data.get("author")),
        "date": author.get("date"),
        "committer": committer.get("name"),
        "parents": [p.get("sha") for p in data.get("parents") or [] if isinstance(p, dict)],
        "stats": {k: stats.get(k) for k in ("additions", "deletions", "total")},
        "files": changed_files(data.get("files") or [], include_patch),
        "html_url": data.get("html_url"),
    }


def branch(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data.get("name"),
        "sha": (data.get("commit") or {}).get("sha"),
        "protected": data.get("protected"),
    }

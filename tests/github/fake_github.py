"""A local fake of the GitHub REST API (http.server on 127.0.0.1), serving recorded-shape JSON.

Payloads keep the shape (and much of the noise: node ids, *_url templates, owners) of real
GitHub answers, so the component's trimming is exercised. Every request is recorded with its
raw path and headers. Special repositories produce the awkward cases:

- ``octo/ratelimited``: 403 with ``x-ratelimit-remaining: 0`` and a reset time;
- ``octo/busy``: 429 with ``retry-after`` (a secondary rate limit);
- ``octo/renamed``: 301 to ``octo/hello`` on the same host (followed);
- ``octo/moved``: 302 to another host (the sandbox must refuse it);
- ``octo/echo``, ``octo/echo-long``: a 400 whose message echoes the Authorization header;
- ``octo/echo-encoded``: a 400 whose message echoes the token base64-encoded (alone and in a
  Basic credential), URL-encoded and split by whitespace, with response headers that do too;
- ``octo/leaky``: a 200 repository whose description holds those encodings of the token.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

RESET_EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z
HEAD_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
DEV_SHA = "d0d0caca1234567890abcdef1234567890abcdef"
PUBLIC_REPOS = {"octo/hello", "acme/widgets", "evil/secret"}

README = "# Hello\n\nA tiny repository used by the tracefabric tests.\n"
APP_PY = 'def main() -> None:\n    print("hello")\n\n\nif __name__ == "__main__":\n    main()\n'
BIG_TEXT = "".join(f"line {i:05d} of a big generated file\n" for i in range(1, 3001))  # ~105 kB
SPACED = "a file whose name has a space\n"
# Every code point class UTF-8 has (1-4 bytes), ~230 kB: bodies this size cross many lowering chunks.
UNICODE = "".join(f"{i:05d} ascii é ß € 中文 𝄞 🙂 {chr(0x100 + i % 5000)}\n" for i in range(5000))
FILES = {
    ("main", "README.md"): README,
    ("dev", "README.md"): "# Hello (dev branch)\n",
    ("main", "src/app.py"): APP_PY,
    ("main", "docs/a b.txt"): SPACED,
    ("main", "big.txt"): BIG_TEXT,
    ("main", "huge.txt"): UNICODE,  # pretends to be over 1 MB: served raw
    ("main", "logo.png"): b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ("main", "unicode.txt"): UNICODE,
    ("main", "CHANGELOG.md"): "# Changes\n",  # the file the write tests replace
}


def leaked_forms(token: str) -> list[str]:
    """The token as careless services echo it: base64 (alone, and inside a Basic credential),
    URL-encoded, and wrapped across lines."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return [
        base64.b64encode(token.encode()).decode(),
        f"Basic {basic[:20]}\n {basic[20:]}",
        quote(token, safe="") + "%0A",
        f"{token[:12]}\n    {token[12:]}",
    ]


def _user(login: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": 583231,
        "node_id": "MDQ6VXNlcjU4MzIzMQ==",
        "avatar_url": f"https://avatars.githubusercontent.com/u/583231?v=4&{login}",
        "gravatar_id": "",
        "url": f"https://api.github.com/users/{login}",
        "html_url": f"https://github.com/{login}",
        "followers_url": f"https://api.github.com/users/{login}/followers",
        "repos_url": f"https://api.github.com/users/{login}/repos",
        "type": "User",
        "site_admin": False,
    }


def repo_json(full_name: str) -> dict[str, Any]:
    owner, name = full_name.split("/")
    return {
        "id": 1296269,
        "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
        "name": name,
        "full_name": full_name,
        "private": False,
        "owner": _user(owner),
        "html_url": f"https://github.com/{full_name}",
        "description": f"The {name} repository",
        "fork": False,
        "url": f"https://api.github.com/repos/{full_name}",
        "archive_url": f"https://api.github.com/repos/{full_name}/{{archive_format}}{{/ref}}",
        "branches_url": f"https://api.github.com/repos/{full_name}/branches{{/branch}}",
        "created_at": "2011-01-26T19:01:12Z",
        "updated_at": "2024-05-01T10:00:00Z",
        "pushed_at": "2024-05-01T09:00:00Z",
        "homepage": "",
        "size": 108,
        "stargazers_count": 80,
        "watchers_count": 80,
        "language": "Python",
        "forks_count": 9,
        "archived": False,
        "open_issues_count": 2,
        "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT", "node_id": "MDc6TGljZW5zZW1pdA=="},
        "topics": ["testing", "octocat"],
        "visibility": "public",
        "default_branch": "main",
        "permissions": {"admin": False, "push": False, "pull": True},
        "score": 1.0,
    }


def _content(full_name: str, path: str, ref: str, data: str | bytes) -> dict[str, Any]:
    raw = data.encode() if isinstance(data, str) else data
    encoded = base64.encodebytes(raw).decode()  # wrapped at 76 columns, like GitHub's
    entry = {
        "type": "file",
        "encoding": "base64",
        "size": len(raw),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": encoded,
        "sha": "3d21ec53a331a6f037a91c368710b99387d012c1",
        "url": f"https://api.github.com/repos/{full_name}/contents/{path}?ref={ref}",
        "git_url": f"https://api.github.com/repos/{full_name}/git/blobs/3d21ec53a331a6f037a91c368710b99387d012c1",
        "html_url": f"https://github.com/{full_name}/blob/{ref}/{path}",
        "download_url": f"https://raw.githubusercontent.com/{full_name}/{ref}/{path}",
        "_links": {"self": "...", "git": "...", "html": "..."},
    }
    if path == "huge.txt":
        entry.update({"encoding": "none", "content": "", "size": 2_000_000})
    return entry


def _dir_entry(full_name: str, path: str, kind: str, size: int = 0) -> dict[str, Any]:
    return {
        "type": kind,
        "size": size,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
        "url": f"https://api.github.com/repos/{full_name}/contents/{path}",
        "html_url": f"https://github.com/{full_name}/tree/main/{path}",
        "_links": {"self": "..."},
    }


def _issue(full_name: str, number: int, title: str, *, pull: bool = False) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "id": 1000 + number,
        "node_id": "MDU6SXNzdWUx",
        "url": f"https://api.github.com/repos/{full_name}/issues/{number}",
        "html_url": f"https://github.com/{full_name}/issues/{number}",
        "number": number,
        "state": "open",
        "title": title,
        "body": f"Body of {title}.\n\nSteps to reproduce: run it.",
        "user": _user("octocat"),
        "labels": [
            {"id": 208045946, "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=", "name": "bug", "color": "f29513"}
        ],
        "assignees": [_user("hubot")],
        "milestone": {"title": "v1.0", "number": 1, "state": "open"},
        "locked": False,
        "comments": 2,
        "created_at": "2024-04-01T10:00:00Z",
        "updated_at": "2024-04-02T10:00:00Z",
        "closed_at": None,
        "author_association": "OWNER",
        "state_reason": None,
        "reactions": {"total_count": 0, "+1": 0},
    }
    if pull:
        issue["pull_request"] = {"url": f"https://api.github.com/repos/{full_name}/pulls/{number}"}
    return issue


def _pull(full_name: str, number: int) -> dict[str, Any]:
    return {
        "id": 2000 + number,
        "node_id": "MDExOlB1bGxSZXF1ZXN0MQ==",
        "html_url": f"https://github.com/{full_name}/pull/{number}",
        "diff_url": f"https://github.com/{full_name}/pull/{number}.diff",
        "number": number,
        "state": "open",
        "title": "Add a greeting",
        "body": "This adds a greeting.",
        "user": _user("octocat"),
        "labels": [],
        "draft": False,
        "head": {"label": "octo:feature", "ref": "feature", "sha": DEV_SHA, "repo": repo_json(full_name)},
        "base": {"label": "octo:main", "ref": "main", "sha": HEAD_SHA, "repo": repo_json(full_name)},
        "created_at": "2024-04-03T10:00:00Z",
        "updated_at": "2024-04-04T10:00:00Z",
        "merged_at": None,
        "merged": False,
        "mergeable": True,
        "merged_by": None,
        "comments": 1,
        "review_comments": 0,
        "commits": 1,
        "additions": 3,
        "deletions": 1,
        "changed_files": 2,
    }


def _changed_files() -> list[dict[str, Any]]:
    return [
        {
            "sha": "bbcd538c8e72b8c175046e27cc8f907076331401",
            "filename": "src/app.py",
            "status": "modified",
            "additions": 2,
            "deletions": 1,
            "changes": 3,
            "blob_url": "https://github.com/...",
            "raw_url": "https://github.com/...",
            "contents_url": "https://api.github.com/...",
            "patch": '@@ -1,2 +1,3 @@\n def main() -> None:\n-    print("hello")\n+    print("hello, world")\n+',
        },
        {
            "sha": "ccdd538c8e72b8c175046e27cc8f907076331401",
            "filename": "README.md",
            "status": "modified",
            "additions": 1,
            "deletions": 0,
            "changes": 1,
            "patch": "@@ -1 +1,2 @@\n # Hello\n+Now with a greeting.",
        },
    ]


def _commit(full_name: str, sha: str) -> dict[str, Any]:
    return {
        "sha": sha,
        "node_id": "MDY6Q29tbWl0",
        "commit": {
            "author": {"name": "Mona Octocat", "email": "mona@github.com", "date": "2024-04-05T10:00:00Z"},
            "committer": {"name": "GitHub", "email": "noreply@github.com", "date": "2024-04-05T10:00:00Z"},
            "message": "Fix the greeting\n\nThe greeting was missing a comma.",
            "tree": {"sha": "9fb037999f264ba9a7fc6274d15fa3ae2ab98312", "url": "..."},
            "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned"},
        },
        "url": f"https://api.github.com/repos/{full_name}/commits/{sha}",
        "html_url": f"https://github.com/{full_name}/commit/{sha}",
        "author": _user("octocat"),
        "committer": _user("web-flow"),
        "parents": [{"sha": "553c2077f0edc3d5dc5d17262f6aa498e69d6f8e", "url": "..."}],
        "stats": {"additions": 3, "deletions": 1, "total": 4},
        "files": _changed_files(),
    }


def _code_hit(full_name: str, path: str) -> dict[str, Any]:
    return {
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": "d7212f9dee2dcc18f084d7df8f417b80846ded5a",
        "url": f"https://api.github.com/repositories/1/contents/{path}",
        "git_url": "https://api.github.com/repositories/1/git/blobs/d7212f9",
        "html_url": f"https://github.com/{full_name}/blob/main/{path}",
        "repository": repo_json(full_name),
        "score": 1.0,
        "text_matches": [{"object_type": "FileContent", "property": "content", "fragment": 'print("hello")'}],
    }


@dataclass
class Recorded:
    method: str
    raw_path: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.raw_path).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.raw_path).query).items()}


@dataclass
class FakeState:
    token: str | None
    redirect_host: str = ""  # "http://localhost:PORT" of the other server
    requests: list[Recorded] = field(default_factory=list)
    branches: dict[str, str] = field(default_factory=lambda: {"main": HEAD_SHA, "dev": DEV_SHA})
    written_files: dict[str, str] = field(default_factory=dict)
    comments: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    state: FakeState  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _record(self) -> Recorded:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        recorded = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        with self.state.lock:
            self.state.requests.append(recorded)
        return recorded

    def _send(
        self, status: int, payload: Any, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> None:
        body = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.send_header("x-ratelimit-limit", "5000")
        self.send_header("x-ratelimit-remaining", "4999")
        self.send_header("x-ratelimit-reset", str(RESET_EPOCH))
        self.send_header("x-github-api-version-selected", "2022-11-28")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _not_found(self) -> None:
        self._send(
            404,
            {"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"},
        )

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        request = self._record()
        auth = request.headers.get("authorization")
        token = self.state.token
        if auth is not None and (token is None or auth != f"Bearer {token}"):
            self._send(
                401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
            )
            return
        # Split the raw path first, then decode each segment: '%2F' stays inside its segment.
        segments = [unquote(s) for s in request.path.split("/")[1:]]
        try:
            self._route(request, segments, authenticated=auth is not None)
        except (KeyError, ValueError, IndexError):
            self._not_found()

    def _route(self, request: Recorded, seg: list[str], *, authenticated: bool) -> None:
        method, query = request.method, request.query
        if seg[:1] == ["search"] and method == "GET":
            return self._search(seg[1], query, authenticated)
        if seg[0] != "repos" or len(seg) < 3:
            return self._not_found()
        full_name = f"{seg[1]}/{seg[2]}".lower()  # GitHub names are case-insensitive
        rest = seg[3:]
        special = self._special(full_name, request)
        if special:
            return None
        if full_name not in PUBLIC_REPOS:
            return self._not_found()
        if method == "GET":
            return self._read(full_name, rest, query)
        return self._write(full_name, rest, method, json.loads(request.body or b"{}"))

    def _special(self, full_name: str, request: Recorded) -> bool:
        if full_name == "octo/ratelimited":
            self._send(
                403,
                {
                    "message": "API rate limit exceeded for 203.0.113.7.",
                    "documentation_url": "https://docs.github.com",
                },
                {"x-ratelimit-remaining": "0", "x-ratelimit-used": "60"},
            )
        elif full_name == "octo/busy":
            self._send(
                429,
                {
                    "message": "You have exceeded a secondary rate limit.",
                    "documentation_url": "https://docs.github.com",
                },
                {"retry-after": "30"},
            )
        elif full_name == "octo/renamed":
            location = request.path.replace("/repos/octo/renamed", "/repos/octo/hello", 1)
            self._send(301, {"message": "Moved Permanently", "url": location}, {"location": location})
        elif full_name == "octo/moved":
            self._send(
                302, {"message": "Found"}, {"location": f"{self.state.redirect_host}/stolen{request.path}"}
            )
        elif full_name in ("octo/echo-encoded", "octo/leaky"):
            auth = request.headers.get("authorization", "")
            token = auth.removeprefix("Bearer ")
            text = " ".join(leaked_forms(token))
            headers = {"x-echo-token": leaked_forms(token)[0], "set-cookie": f"session={token}"}
            if full_name == "octo/leaky":
                self._send(200, {**repo_json(full_name), "description": text}, headers)
            else:
                self._send(400, {"message": f"Problems parsing credentials: {text}"}, headers)
        elif full_name in ("octo/echo", "octo/echo-long"):
            # A long message puts the credential across the component's 500-character clip.
            padding = "." * 460 if full_name == "octo/echo-long" else ""
            echoed = request.headers.get("authorization", "")
            self._send(400, {"message": f"{padding}Problems parsing header {echoed!r}"})
        else:
            return False
        return True

    def _search(self, kind: str, query: dict[str, str], authenticated: bool) -> None:
        # The fake ignores the query's qualifiers, so results outside the allowlist come back.
        if kind == "repositories":
            items = [repo_json(n) for n in ("octo/hello", "evil/secret", "acme/widgets")]
        elif kind == "code":
            if not authenticated:
                self._send(
                    401,
                    {"message": "Requires authentication", "documentation_url": "https://docs.github.com"},
                )
                return
            items = [_code_hit("octo/hello", "src/app.py"), _code_hit("evil/secret", "steal.py")]
        else:
            return self._not_found()
        self._send(
            200,
            {"total_count": 3, "incomplete_results": False, "items": items},
            {
                "link": '<https://api.github.com/search?page=2>; rel="next", <https://api.github.com/search?page=5>; rel="last"'
            },
        )

    def _read(self, full_name: str, rest: list[str], query: dict[str, str]) -> None:
        if not rest:
            return self._send(200, repo_json(full_name))
        head = rest[0]
        if head == "contents":
            return self._contents(full_name, "/".join(rest[1:]), query.get("ref", "main"))
        if head == "issues" and len(rest) == 1:
            issues = [
                _issue(full_name, 1, "Crash on start"),
                _issue(full_name, 2, "Add a greeting", pull=True),
            ]
            return self._send(200, issues, {"link": '<https://api.github.com/x?page=2>; rel="next"'})
        if head == "issues" and len(rest) == 2:
            return (
                self._send(200, _issue(full_name, int(rest[1]), "Crash on start"))
                if rest[1] == "1"
                else self._not_found()
            )
        if head == "issues" and rest[2:] == ["comments"]:
            comments = [
                {
                    "id": 11,
                    "user": _user("hubot"),
                    "body": "Seen it too.",
                    "created_at": "2024-04-01T11:00:00Z",
                    "html_url": "https://github.com/c/11",
                    "node_id": "x",
                    "author_association": "NONE",
                },
                {
                    "id": 12,
                    "user": _user("octocat"),
                    "body": "Fixed in #2.",
                    "created_at": "2024-04-02T11:00:00Z",
                    "html_url": "https://github.com/c/12",
                    "node_id": "y",
                    "author_association": "OWNER",
                },
            ]
            return self._send(200, comments)
        if head == "pulls" and len(rest) == 1:
            return self._send(200, [_pull(full_name, 2)])
        if head == "pulls" and len(rest) == 2:
            return self._send(200, _pull(full_name, int(rest[1]))) if rest[1] == "2" else self._not_found()
        if head == "pulls" and rest[2:] == ["files"]:
            return self._send(200, _changed_files())
        if head == "commits" and len(rest) == 1:
            return self._send(200, [_commit(full_name, HEAD_SHA), _commit(full_name, DEV_SHA)])
        if head == "commits" and len(rest) == 2:
            return (
                self._send(200, _commit(full_name, rest[1]))
                if rest[1] in (HEAD_SHA, "main")
                else self._not_found()
            )
        if head == "branches":
            branches = [
                {"name": name, "commit": {"sha": sha, "url": "..."}, "protected": name == "main"}
                for name, sha in sorted(self.state.branches.items())
            ]
            return self._send(200, branches)
        if rest[:3] == ["git", "ref", "heads"]:
            name = "/".join(rest[3:])
            if name not in self.state.branches:
                return self._not_found()
            sha = self.state.branches[name]
            return self._send(
                200, {"ref": f"refs/heads/{name}", "node_id": "x", "object": {"sha": sha, "type": "commit"}}
            )
        return self._not_found()

    def _contents(self, full_name: str, path: str, ref: str) -> None:
        if full_name != "octo/hello":
            return (
                self._send(200, _content(full_name, "README.md", ref, README))
                if path == "README.md"
                else self._not_found()
            )
        if path in ("", "src"):
            names = sorted({p for (r, p) in FILES if r == "main"})
            prefix = f"{path}/" if path else ""
            children: dict[str, dict[str, Any]] = {}
            for name in names:
                if not name.startswith(prefix):
                    continue
                child = name[len(prefix) :].split("/")[0]
                is_dir = "/" in name[len(prefix) :]
                children[child] = _dir_entry(
                    full_name, prefix + child, "dir" if is_dir else "file", 0 if is_dir else 10
                )
            return self._send(200, list(children.values()))
        data = self.state.written_files.get(path) or FILES.get((ref, path))
        if data is None:
            return self._not_found()
        if self.headers.get("accept") == "application/vnd.github.raw+json":
            raw = data.encode() if isinstance(data, str) else data
            return self._send(200, None, raw=raw)
        return self._send(200, _content(full_name, path, ref, data))

    def _write(self, full_name: str, rest: list[str], method: str, body: dict[str, Any]) -> None:
        head = rest[0] if rest else ""
        if method == "POST" and head == "issues" and len(rest) == 1:
            number = 100 + len(self.state.issues)
            issue = _issue(full_name, number, body["title"])
            issue.update({"body": body.get("body"), "labels": [{"name": n} for n in body.get("labels", [])]})
            self.state.issues.append(body)
            return self._send(201, issue)
        if method == "POST" and head == "issues" and rest[2:] == ["comments"]:
            self.state.comments.append({"issue": rest[1], **body})
            return self._send(
                201,
                {
                    "id": 9001,
                    "body": body["body"],
                    "user": _user("octocat"),
                    "created_at": "2024-05-01T00:00:00Z",
                    "html_url": f"https://github.com/{full_name}/issues/{rest[1]}#issuecomment-9001",
                },
            )
        if method == "POST" and rest == ["git", "refs"]:
            name = body["ref"].removeprefix("refs/heads/")
            if name in self.state.branches:
                return self._send(
                    422,
                    {"message": "Reference already exists", "documentation_url": "https://docs.github.com"},
                )
            self.state.branches[name] = body["sha"]
            return self._send(201, {"ref": body["ref"], "object": {"sha": body["sha"], "type": "commit"}})
        if method == "PUT" and head == "contents":
            path = "/".join(rest[1:])
            exists = path in self.state.written_files or (body.get("branch", "main"), path) in FILES
            if exists and not body.get("sha"):
                return self._send(422, {"message": 'Invalid request.\n\n"sha" wasn\'t supplied.'})
            self.state.written_files[path] = base64.b64decode(body["content"]).decode()
            content = {
                "name": path.rsplit("/", 1)[-1],
                "path": path,
                "sha": "95b966ae1c166bd92f8ae7d1c313e738c731dfc3",
            }
            commit = {
                "sha": "7638417db6d59f3c431d3e1f261cc637155684cd",
                "message": body["message"],
                "html_url": f"https://github.com/{full_name}/commit/7638417",
            }
            return self._send(200 if exists else 201, {"content": content, "commit": commit})
        return self._not_found()


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 with a random port; `url` is its base URL."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, name=f"fake-http-{self.port}", daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class FakeGitHub(FakeServer):
    def __init__(self, token: str | None) -> None:
        self.state = FakeState(token=token)
        handler = type("FakeGitHubHandler", (_Handler,), {"state": self.state})
        super().__init__(handler)

    @property
    def requests(self) -> list[Recorded]:
        with self.state.lock:
            return list(self.state.requests)

    def clear(self) -> None:
        with self.state.lock:
            self.state.requests.clear()


class _Catcher(BaseHTTPRequestHandler):
    """Any request at all is recorded: the test asserts there are none."""

    seen: list[Recorded]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _any(self) -> None:
        self.seen.append(
            Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, b"")
        )
        body = b'{"stolen": true}'
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _any


class OtherHost(FakeServer):
    """Another host the component must never reach (reached as 'localhost', not 127.0.0.1)."""

    def __init__(self) -> None:
        self.seen: list[Recorded] = []
        super().__init__(type("Catcher", (_Catcher,), {"seen": self.seen}))

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

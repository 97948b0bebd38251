"""A small fake of the Hugging Face Hub on 127.0.0.1: the routes `huggingface_hub` calls to
create a dataset repo and a branch, plan and make a commit, and list a repo's files. It keeps
each repo's files in memory and records every commit, so tests check what really arrived."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlparse

import yaml

from tests.loopback import serve

TOKEN = "hf_fake_token_for_tests"


@dataclass
class Repo:
    private: bool
    branches: dict[str, dict[str, bytes]] = field(default_factory=lambda: {"main": {}})


@dataclass
class FakeHub:
    repos: dict[str, Repo] = field(default_factory=dict)
    commits: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    validated: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def files(self, repo_id: str, branch: str = "main") -> dict[str, bytes]:
        return self.repos[repo_id].branches[branch]


_REPO = r"(?:api/)?datasets/(?P<repo>[^/]+/[^/]+)"


def handler_for(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str) -> None:
            self._send(status, {"error": message}, {"X-Error-Message": message})

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                return self.rfile.read(length)
            if self.headers.get("Transfer-Encoding") == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().strip(), 16)
                    if size == 0:
                        self.rfile.readline()
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            return b""

        def _url(self, path: str) -> str:
            return f"http://{self.headers['Host']}/{path}"

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._error(401, "Invalid credentials in Authorization header")
                return False
            return True

        def do_GET(self) -> None:
            path = unquote(urlparse(self.path).path).strip("/")
            hub.requests.append(f"GET /{path}")
            if not self._authorised():
                return
            if m := re.fullmatch(_REPO + r"/tree/(?P<rev>[^/]+)(?:/(?P<sub>.*))?", path):
                repo = hub.repos.get(m["repo"])
                if repo is None or m["rev"] not in repo.branches:
                    return self._error(404, "Repository not found")
                prefix = (m["sub"] or "").strip("/")
                entries = [
                    {"type": "file", "path": name, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}
                    for name, data in sorted(repo.branches[m["rev"]].items())
                    if not prefix or name.startswith(prefix + "/")
                ]
                return self._send(200, entries)
            if m := re.fullmatch(_REPO + r"(?:/revision/(?P<rev>[^/]+))?", path):
                repo = hub.repos.get(m["repo"])
                if repo is None:
                    return self._error(404, "Repository not found")
                files = repo.branches.get(m["rev"] or "main", {})
                return self._send(
                    200,
                    {
                        "id": m["repo"],
                        "private": repo.private,
                        "sha": "0" * 40,
                        "siblings": [{"rfilename": name} for name in sorted(files)],
                    },
                )
            hub.unknown.append(f"GET /{path}")
            self._error(404, f"fake hub: no route GET /{path}")

        def do_POST(self) -> None:
            path = unquote(urlparse(self.path).path).strip("/")
            hub.requests.append(f"POST /{path}")
            body = self._body()
            if not self._authorised():
                return
            if path == "api/validate-yaml":
                # The client checks a README's front matter before committing it.
                content = json.loads(body).get("content", "")
                try:
                    front = content.split("---\n")[1] if content.startswith("---\n") else ""
                    yaml.safe_load(front)
                except (IndexError, yaml.YAMLError) as exc:
                    return self._send(400, {"errors": [{"message": str(exc)}]})
                hub.validated.append(content)
                return self._send(200, {"errors": [], "warnings": []})
            if path == "api/repos/create":
                data = json.loads(body)
                repo_id = (
                    f"{data.get('organization') or 'fake-user'}/{data['name']}"
                    if "/" not in data["name"]
                    else data["name"]
                )
                if data.get("type") != "dataset":
                    return self._error(400, "only dataset repos here")
                with hub.lock:
                    if repo_id in hub.repos:  # the real Hub names the existing repo's URL too
                        message = "You already created this dataset repo"
                        return self._send(
                            409,
                            {"error": message, "url": self._url(f"datasets/{repo_id}")},
                            {"X-Error-Message": message},
                        )
                    # huggingface_hub < 1.0 sends "private", later versions "visibility"
                    hub.repos[repo_id] = Repo(
                        private=bool(data.get("private")) or data.get("visibility") == "private"
                    )
                return self._send(200, {"url": self._url(f"datasets/{repo_id}"), "name": repo_id})
            if m := re.fullmatch(_REPO + r"/branch/(?P<branch>.+)", path):
                repo = hub.repos.get(m["repo"])
                if repo is None:
                    return self._error(404, "Repository not found")
                if m["branch"] in repo.branches:
                    return self._error(409, "Reference already exists")
                repo.branches[m["branch"]] = dict(repo.branches["main"])
                return self._send(200, {})
            if m := re.fullmatch(_REPO + r"/preupload/(?P<rev>.+)", path):
                files = json.loads(body)["files"]
                return self._send(
                    200,
                    {
                        "files": [
                            {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files
                        ]
                    },
                )
            if m := re.fullmatch(_REPO + r"/commit/(?P<rev>.+)", path):
                repo = hub.repos.get(m["repo"])
                if repo is None or m["rev"] not in repo.branches:
                    return self._error(404, "Repository or revision not found")
                lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
                commit: dict[str, Any] = {"repo": m["repo"], "revision": m["rev"], "added": {}, "deleted": []}
                for line in lines:
                    value = line["value"]
                    if line["key"] == "header":
                        commit["summary"] = value.get("summary")
                    elif line["key"] == "file":
                        commit["added"][value["path"]] = base64.b64decode(value["content"])
                    elif line["key"] in ("deletedFile", "deletedFolder"):
                        commit["deleted"].append(value["path"])
                    else:
                        return self._error(400, f"fake hub: unsupported commit operation {line['key']}")
                with hub.lock:
                    files = repo.branches[m["rev"]]
                    for name in commit["deleted"]:
                        for existing in list(files):
                            if existing == name or existing.startswith(name.rstrip("/") + "/"):
                                del files[existing]
                    files.update(commit["added"])
                    hub.commits.append(commit)
                    oid = hashlib.sha1(str(len(hub.commits)).encode()).hexdigest()
                return self._send(
                    200, {"commitUrl": self._url(f"datasets/{m['repo']}/commit/{oid}"), "commitOid": oid}
                )
            hub.unknown.append(f"POST /{path}")
            self._error(404, f"fake hub: no route POST /{path}")

    return Handler


def running(hub: FakeHub):
    return serve(handler_for(hub))

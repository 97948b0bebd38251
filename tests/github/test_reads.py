"""Each read tool's happy path against the fake GitHub API: the right request, a trimmed result."""

from __future__ import annotations

from tracefabric.sandbox.host import SandboxHost

from .fake_github import BIG_TEXT, DEV_SHA, HEAD_SHA, README, UNICODE, FakeGitHub, Recorded
from .helpers import TOKEN, ok

READ_TOOLS = {
    "gh_search_repositories",
    "gh_search_code",
    "gh_get_file_contents",
    "gh_list_issues",
    "gh_get_issue",
    "gh_list_pull_requests",
    "gh_get_pull_request",
    "gh_list_commits",
    "gh_get_commit",
    "gh_list_branches",
    "gh_get_repository",
}
WRITE_TOOLS = {"gh_add_issue_comment", "gh_create_issue", "gh_create_branch", "gh_create_or_update_file"}


def last_request(fake: FakeGitHub) -> Recorded:
    return fake.requests[-1]


def test_tools_are_listed_with_strict_schemas(host: SandboxHost) -> None:
    tools = {t["name"]: t for t in host.tools("github")}
    assert set(tools) == READ_TOOLS | WRITE_TOOLS
    for name, tool in tools.items():
        schema = tool["inputSchema"]
        assert schema["type"] == "object" and schema["additionalProperties"] is False, name
        assert tool["description"], name
        if "owner" in schema["properties"]:
            assert {"owner", "repo"} <= set(schema["required"]), name
            assert schema["properties"]["owner"]["pattern"].startswith("^")
        assert tool["annotations"]["readOnlyHint"] is (name in READ_TOOLS), name
    assert tools["gh_list_issues"]["inputSchema"]["properties"]["perPage"]["maximum"] == 100
    assert tools["gh_list_issues"]["inputSchema"]["properties"]["state"]["enum"] == ["open", "closed", "all"]


def test_get_repository_is_trimmed(host: SandboxHost, fake: FakeGitHub) -> None:
    repo = ok(host, "gh_get_repository", owner="octo", repo="hello")
    assert repo["full_name"] == "octo/hello"
    assert repo["default_branch"] == "main"
    assert repo["license"] == "MIT" and repo["stars"] == 80 and repo["topics"] == ["testing", "octocat"]
    assert "owner" not in repo and "node_id" not in repo and "archive_url" not in repo
    request = last_request(fake)
    assert request.raw_path == "/repos/octo/hello"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"


def test_owner_wildcard_and_case_insensitive_match(host: SandboxHost) -> None:
    assert ok(host, "gh_get_repository", owner="acme", repo="widgets")["full_name"] == "acme/widgets"
    assert ok(host, "gh_get_repository", owner="Octo", repo="HELLO")["full_name"] == "octo/hello"


def test_file_contents_decodes_base64(host: SandboxHost, fake: FakeGitHub) -> None:
    response = host.execute(
        "github", "gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "README.md"}, "f1"
    )
    assert response["success"] and response["result"] == README
    assert response["meta"]["file"]["sha"] == "3d21ec53a331a6f037a91c368710b99387d012c1"
    assert last_request(fake).raw_path == "/repos/octo/hello/contents/README.md"
    # Optional arguments sent as "" (models do) mean "not given".
    assert ok(host, "gh_get_file_contents", owner="octo", repo="hello", path="README.md", ref="") == README
    assert last_request(fake).query == {}


def test_file_contents_with_ref_and_encoded_segments(host: SandboxHost, fake: FakeGitHub) -> None:
    assert ok(host, "gh_get_file_contents", owner="octo", repo="hello", path="README.md", ref="dev") == (
        "# Hello (dev branch)\n"
    )
    assert last_request(fake).query == {"ref": "dev"}
    text = ok(host, "gh_get_file_contents", owner="octo", repo="hello", path="/docs/a b.txt")
    assert text == "a file whose name has a space\n"
    assert last_request(fake).raw_path == "/repos/octo/hello/contents/docs/a%20b.txt"


def test_file_contents_lists_directories(host: SandboxHost, fake: FakeGitHub) -> None:
    root = ok(host, "gh_get_file_contents", owner="octo", repo="hello")
    assert {"name": "src", "type": "dir", "path": "src"} in root
    assert {"name": "README.md", "type": "file", "path": "README.md", "size": 10} in root
    assert last_request(fake).raw_path == "/repos/octo/hello/contents"
    src = ok(host, "gh_get_file_contents", owner="octo", repo="hello", path="src/")
    assert [e["path"] for e in src] == ["src/app.py"]


def test_large_files_truncate_and_read_in_parts(host: SandboxHost) -> None:
    text = ok(host, "gh_get_file_contents", owner="octo", repo="hello", path="big.txt")
    assert text.startswith("line 00001 of a big generated file\n")
    assert "[... truncated: showing 50000 of" in text and "start_line/end_line" in text
    part = ok(
        host,
        "gh_get_file_contents",
        owner="octo",
        repo="hello",
        path="big.txt",
        start_line=2999,
        end_line=3000,
    )
    assert part == "".join(BIG_TEXT.splitlines(keepends=True)[2998:3000])


def test_files_over_one_megabyte_are_fetched_raw(host: SandboxHost, fake: FakeGitHub) -> None:
    """No inline content: the raw bytes (multi-byte UTF-8, ~210 kB) are fetched and arrive exact."""
    text = ok(
        host,
        "gh_get_file_contents",
        owner="octo",
        repo="hello",
        path="huge.txt",
        start_line=3001,
        end_line=4800,
    )
    assert text == "".join(UNICODE.splitlines(keepends=True)[3000:4800])
    assert last_request(fake).headers["accept"] == "application/vnd.github.raw+json"


def test_large_bodies_arrive_byte_exact(host: SandboxHost) -> None:
    """A ~300 kB answer (base64 of multi-byte UTF-8) reaches the guest intact, and back."""
    text = ok(host, "gh_get_file_contents", owner="octo", repo="hello", path="unicode.txt", end_line=1800)
    assert text == "".join(UNICODE.splitlines(keepends=True)[:1800])
    assert len(UNICODE.encode()) > 200_000


def test_binary_files_are_described_not_dumped(host: SandboxHost) -> None:
    text = ok(host, "gh_get_file_contents", owner="octo", repo="hello", path="logo.png")
    assert text.startswith("Binary file logo.png (16 bytes)")


def test_list_issues_paginates(host: SandboxHost, fake: FakeGitHub) -> None:
    page = ok(
        host, "gh_list_issues", owner="octo", repo="hello", state="all", labels="bug", perPage=2, page=3
    )
    assert page["page"] == 3 and page["per_page"] == 2 and page["has_next_page"] is True
    first, second = page["issues"]
    assert first == {
        "number": 1,
        "title": "Crash on start",
        "state": "open",
        "user": "octocat",
        "labels": ["bug"],
        "comments": 2,
        "created_at": "2024-04-01T10:00:00Z",
        "updated_at": "2024-04-02T10:00:00Z",
        "html_url": "https://github.com/octo/hello/issues/1",
    }
    assert second["is_pull_request"] is True
    assert last_request(fake).query == {"state": "all", "labels": "bug", "per_page": "2", "page": "3"}


def test_get_issue_with_comments(host: SandboxHost, fake: FakeGitHub) -> None:
    issue = ok(host, "gh_get_issue", owner="octo", repo="hello", issue_number=1)
    assert issue["body"].startswith("Body of Crash on start") and issue["assignees"] == ["hubot"]
    assert issue["milestone"] == "v1.0" and "comment_list" not in issue
    issue = ok(host, "gh_get_issue", owner="octo", repo="hello", issue_number=1, include_comments=True)
    assert [c["body"] for c in issue["comment_list"]] == ["Seen it too.", "Fixed in #2."]
    assert issue["comment_list"][0]["user"] == "hubot"
    assert last_request(fake).path == "/repos/octo/hello/issues/1/comments"


def test_pull_requests(host: SandboxHost, fake: FakeGitHub) -> None:
    listed = ok(host, "gh_list_pull_requests", owner="octo", repo="hello", state="open", base="main")
    assert listed["pull_requests"][0]["head"] == "feature" and listed["has_next_page"] is False
    assert last_request(fake).query == {"state": "open", "base": "main", "per_page": "30", "page": "1"}
    pull = ok(host, "gh_get_pull_request", owner="octo", repo="hello", pullNumber=2)
    assert pull["number"] == 2 and pull["head_sha"] == DEV_SHA and pull["changed_files"] == 2
    assert [f["filename"] for f in pull["files"]] == ["src/app.py", "README.md"]
    assert '+    print("hello, world")' in pull["files"][0]["patch"]
    assert "base" in pull and "repo" not in str(pull.get("base"))
    without = ok(host, "gh_get_pull_request", owner="octo", repo="hello", pullNumber=2, include_patch=False)
    assert all("patch" not in f for f in without["files"])


def test_commits(host: SandboxHost, fake: FakeGitHub) -> None:
    listed = ok(host, "gh_list_commits", owner="octo", repo="hello", sha="main", path="src/app.py", perPage=5)
    assert listed["commits"][0] == {
        "sha": HEAD_SHA,
        "message": "Fix the greeting",
        "author": "Mona Octocat",
        "login": "octocat",
        "date": "2024-04-05T10:00:00Z",
        "html_url": f"https://github.com/octo/hello/commit/{HEAD_SHA}",
    }
    assert last_request(fake).query == {"sha": "main", "path": "src/app.py", "per_page": "5", "page": "1"}
    commit = ok(host, "gh_get_commit", owner="octo", repo="hello", sha=HEAD_SHA)
    assert commit["message"].startswith("Fix the greeting\n\nThe greeting")
    assert commit["stats"] == {"additions": 3, "deletions": 1, "total": 4}
    assert commit["parents"] == ["553c2077f0edc3d5dc5d17262f6aa498e69d6f8e"]
    assert commit["files"][1]["patch"].startswith("@@ -1 +1,2 @@")


def test_branches(host: SandboxHost, fake: FakeGitHub) -> None:
    page = ok(host, "gh_list_branches", owner="octo", repo="hello", protected=True)
    assert {"name": "main", "sha": HEAD_SHA, "protected": True} in page["branches"]
    assert last_request(fake).query["protected"] == "true"


def test_search_repositories(host: SandboxHost, fake: FakeGitHub) -> None:
    result = ok(host, "gh_search_repositories", query="widgets", sort="stars", order="desc", perPage=5)
    assert [r["full_name"] for r in result["items"]] == ["octo/hello", "acme/widgets"]
    assert result["items"][0]["stars"] == 80 and "owner" not in result["items"][0]
    assert result["has_next_page"] is True
    assert last_request(fake).query == {
        "q": "widgets repo:octo/hello user:acme",
        "sort": "stars",
        "order": "desc",
        "per_page": "5",
        "page": "1",
    }


def test_search_code_with_fragments(host: SandboxHost, fake: FakeGitHub) -> None:
    result = ok(host, "gh_search_code", query="print language:python")
    assert result["items"] == [
        {
            "repository": "octo/hello",
            "path": "src/app.py",
            "name": "app.py",
            "sha": "d7212f9dee2dcc18f084d7df8f417b80846ded5a",
            "html_url": "https://github.com/octo/hello/blob/main/src/app.py",
            "matches": ['print("hello")'],
        }
    ]
    assert last_request(fake).headers["accept"] == "application/vnd.github.text-match+json"


def test_rate_limit_figures_travel_in_meta(host: SandboxHost) -> None:
    response = host.execute("github", "gh_get_repository", {"owner": "octo", "repo": "hello"}, "meta-1")
    assert response["meta"]["rate_limit"] == {"remaining": 4999, "limit": 5000, "reset": 1_700_000_000}

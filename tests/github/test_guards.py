"""The guard rails: the repository allowlist on every tool (searches included), crafted arguments
that try to reach another repository or endpoint, and write protection."""

from __future__ import annotations

import pytest

from tracefabric.sandbox.host import SandboxHost

from .fake_github import HEAD_SHA, FakeGitHub
from .helpers import HostFactory, call, ok, raw_call
from .test_reads import READ_TOOLS

ARGS = {
    "gh_get_file_contents": {"path": "README.md"},
    "gh_list_issues": {},
    "gh_get_issue": {"issue_number": 1},
    "gh_list_pull_requests": {},
    "gh_get_pull_request": {"pullNumber": 2},
    "gh_list_commits": {},
    "gh_get_commit": {"sha": HEAD_SHA},
    "gh_list_branches": {},
    "gh_get_repository": {},
    "gh_add_issue_comment": {"issue_number": 1, "body": "hi"},
    "gh_create_issue": {"title": "t"},
    "gh_create_branch": {"branch": "topic"},
    "gh_create_or_update_file": {"path": "notes.md", "content": "x", "message": "m"},
}
REPO_READ_TOOLS = sorted(READ_TOOLS - {"gh_search_repositories", "gh_search_code"})
WRITE_TOOLS = ["gh_add_issue_comment", "gh_create_issue", "gh_create_branch", "gh_create_or_update_file"]


def no_request_mentions(fake: FakeGitHub, text: str) -> bool:
    return all(text not in r.raw_path.lower() for r in fake.requests)


# -- the allowlist -----------------------------------------------------------------------
@pytest.mark.parametrize("tool", REPO_READ_TOOLS + WRITE_TOOLS)
def test_every_repository_tool_refuses_other_repositories(
    host: SandboxHost, make_host: HostFactory, fake: FakeGitHub, tool: str
) -> None:
    writer = make_host(allow_writes="true")
    fake.clear()
    for sandbox in (host, writer):
        response = call(sandbox, tool, owner="evil", repo="secret", **ARGS[tool])
        # With writes off a write is refused for that first; otherwise the allowlist refuses.
        expected = "WriteNotAllowed" if sandbox is host and tool in WRITE_TOOLS else "RepoNotAllowed"
        assert response["error_type"] == expected, response
        if expected == "RepoNotAllowed":
            assert "Allowed repositories: acme/*, octo/hello" in response["result"]
    assert fake.requests == []  # refused before any request


def test_repo_not_allowed_message_is_deepfabric_shaped(host: SandboxHost) -> None:
    response = call(host, "gh_get_repository", owner="octo", repo="other")
    assert response == {
        "success": False,
        "result": "Repository 'octo/other' is not in the allowed list. Allowed repositories: acme/*, octo/hello",
        "error_type": "RepoNotAllowed",
        "trace": response["trace"],
    }


CRAFTED = [
    ("gh_get_repository", {"owner": "octo", "repo": "hello/../../evil/secret"}),
    ("gh_get_repository", {"owner": "octo/hello/../../evil", "repo": "secret"}),
    ("gh_get_repository", {"owner": "octo", "repo": ".."}),
    ("gh_get_repository", {"owner": "..", "repo": "secret"}),
    ("gh_get_repository", {"owner": "octo", "repo": "hello%2F..%2F..%2Fevil%2Fsecret"}),
    ("gh_get_repository", {"owner": "octo", "repo": "hello?x=/evil"}),
    ("gh_get_repository", {"owner": "octo", "repo": "hello#frag"}),
    ("gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "../../evil/secret/contents/x"}),
    ("gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "src/../../../../repos/evil/secret"}),
    ("gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "..%2F..%2Fevil%2Fsecret"}),
    ("gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "%2e%2e/%2e%2e/evil/secret"}),
    ("gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "src\\..\\..\\evil"}),
    ("gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "./README.md"}),
    ("gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "a\x00b"}),
    ("gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "README.md", "ref": "../../evil"}),
    ("gh_get_commit", {"owner": "octo", "repo": "hello", "sha": "../../../evil/secret/commits/abc"}),
    ("gh_list_commits", {"owner": "octo", "repo": "hello", "path": "../evil"}),
    (
        "gh_get_issue",
        {"owner": "octo", "repo": "hello", "issue_number": "1/../../../../evil/secret/issues/1"},
    ),
    ("gh_get_pull_request", {"owner": "octo", "repo": "hello", "pullNumber": -2}),
]


@pytest.mark.parametrize(("tool", "args"), CRAFTED)
def test_crafted_arguments_are_refused_by_host_and_by_component(
    host: SandboxHost, fake: FakeGitHub, tool: str, args: dict[str, object]
) -> None:
    fake.clear()
    # Through the host: the schema (patterns, types) or the component refuses.
    response = call(host, tool, **args)
    assert response["error_type"] in ("InvalidArguments", "RepoNotAllowed"), response
    # Straight to the component, skipping the host's schema check: its own defence holds.
    response = raw_call(host, tool, **args)
    assert response["success"] is False and response["error_type"] in (
        "InvalidArguments",
        "RepoNotAllowed",
    ), response
    assert fake.requests == []


def test_odd_but_legal_names_stay_inside_their_segment(host: SandboxHost, fake: FakeGitHub) -> None:
    """A sha with '/' or odd characters is one encoded segment: it cannot add path segments."""
    fake.clear()
    response = raw_call(host, "gh_get_commit", owner="octo", repo="hello", sha="feature/x")
    assert response["error_type"] == "NotFound"
    assert fake.requests[-1].raw_path == "/repos/octo/hello/commits/feature%2Fx"
    response = raw_call(host, "gh_get_file_contents", owner="octo", repo="hello", path="we?ird#name&x=1.txt")
    assert response["error_type"] == "NotFound"
    assert fake.requests[-1].raw_path == "/repos/octo/hello/contents/we%3Fird%23name%26x%3D1.txt"


def test_malformed_allowlist_fails_closed(make_host: HostFactory, fake: FakeGitHub) -> None:
    sandbox = make_host(allowed_repos="octo/hello, not-a-pattern")
    fake.clear()
    response = call(sandbox, "gh_get_repository", owner="octo", repo="hello")
    assert response["error_type"] == "RepoNotAllowed"
    assert "malformed entry 'not-a-pattern'" in response["result"]
    assert call(sandbox, "gh_search_code", query="x")["error_type"] == "RepoNotAllowed"
    assert fake.requests == []


def test_empty_allowlist_reads_anything_but_writes_nowhere(make_host: HostFactory, fake: FakeGitHub) -> None:
    sandbox = make_host(allowed_repos="", allow_writes="true")
    assert ok(sandbox, "gh_get_repository", owner="evil", repo="secret")["full_name"] == "evil/secret"
    search = ok(sandbox, "gh_search_repositories", query="anything")
    assert search["query"] == "anything" and len(search["items"]) == 3 and "filtered_out" not in search
    fake.clear()
    response = call(sandbox, "gh_create_issue", owner="octo", repo="hello", title="t")
    assert response["error_type"] == "WriteNotAllowed"
    assert "named in allowed_repos" in response["result"]
    assert fake.requests == []


def test_star_allows_everything_including_writes(make_host: HostFactory, fake: FakeGitHub) -> None:
    sandbox = make_host(allowed_repos="*", allow_writes="true")
    assert ok(sandbox, "gh_create_issue", owner="evil", repo="secret", title="t")["number"] >= 100


# -- searches ---------------------------------------------------------------------------
def test_search_results_outside_the_allowlist_are_dropped(host: SandboxHost, fake: FakeGitHub) -> None:
    result = ok(host, "gh_search_repositories", query="hello")
    assert [r["full_name"] for r in result["items"]] == ["octo/hello", "acme/widgets"]
    assert result["filtered_out"] == 1
    code = ok(host, "gh_search_code", query="print")
    assert [hit["repository"] for hit in code["items"]] == ["octo/hello"]
    assert code["filtered_out"] == 1
    assert "evil" not in str(code["items"])


@pytest.mark.parametrize(
    ("query", "sent"),
    [
        ("print", "print repo:octo/hello user:acme"),
        ("print repo:octo/hello", "print repo:octo/hello"),
        ("print REPO:Octo/Hello", "print repo:Octo/Hello"),
        ("print user:octo", "print repo:octo/hello"),
        ("print org:acme", "print org:acme"),
        ('"two words" -repo:acme/old', '"two words" -repo:acme/old repo:octo/hello user:acme'),
    ],
)
def test_search_queries_are_confined(host: SandboxHost, fake: FakeGitHub, query: str, sent: str) -> None:
    result = ok(host, "gh_search_code", query=query)
    assert result["query"] == sent
    assert fake.requests[-1].query["q"] == sent


@pytest.mark.parametrize(
    "query",
    ["print repo:evil/secret", "print user:evil", "print org:evil", "x repo:octo/hello repo:evil/secret"],
)
def test_searches_naming_other_repositories_are_refused(
    host: SandboxHost, fake: FakeGitHub, query: str
) -> None:
    fake.clear()
    for tool in ("gh_search_code", "gh_search_repositories"):
        response = call(host, tool, query=query)
        assert response["error_type"] == "RepoNotAllowed", response
        assert "outside the allowed repositories" in response["result"]
    assert fake.requests == []


def test_search_query_cannot_inject_parameters(host: SandboxHost, fake: FakeGitHub) -> None:
    ok(host, "gh_search_code", query="x&q=repo:evil/secret&per_page=100")
    request = fake.requests[-1]
    assert request.query["per_page"] == "10"
    assert request.query["q"] == "x&q=repo:evil/secret&per_page=100 repo:octo/hello user:acme"


# -- writes -----------------------------------------------------------------------------
@pytest.mark.parametrize("tool", WRITE_TOOLS)
def test_writes_are_refused_by_default(host: SandboxHost, fake: FakeGitHub, tool: str) -> None:
    fake.clear()
    response = call(host, tool, owner="octo", repo="hello", **ARGS[tool])
    assert response["error_type"] == "WriteNotAllowed"
    assert response["result"] == (
        f"Write operation '{tool}' is disabled: the GitHub tools are read-only in this sandbox (allow_writes is false)"
    )
    assert fake.requests == []


def test_writes_when_enabled(make_host: HostFactory, fake: FakeGitHub) -> None:
    writer = make_host(allow_writes="TRUE")

    comment = ok(
        writer, "gh_add_issue_comment", owner="octo", repo="hello", issue_number=1, body="Looks good"
    )
    assert comment == {
        "id": 9001,
        "issue_number": 1,
        "created_at": "2024-05-01T00:00:00Z",
        "html_url": "https://github.com/octo/hello/issues/1#issuecomment-9001",
    }
    assert fake.state.comments[-1] == {"issue": "1", "body": "Looks good"}
    assert fake.requests[-1].method == "POST"

    issue = ok(writer, "gh_create_issue", owner="acme", repo="widgets", title="Bug", body="b", labels=["bug"])
    assert (
        issue["title"] == "Bug"
        and issue["state"] == "open"
        and issue["html_url"].endswith(f"/{issue['number']}")
    )
    assert fake.state.issues[-1] == {"title": "Bug", "body": "b", "labels": ["bug"]}

    branch = ok(writer, "gh_create_branch", owner="octo", repo="hello", branch="fix/typo")
    assert branch == {"branch": "fix/typo", "from_branch": "main", "sha": HEAD_SHA}
    assert fake.state.branches["fix/typo"] == HEAD_SHA
    again = call(writer, "gh_create_branch", owner="octo", repo="hello", branch="fix/typo", from_branch="dev")
    assert again["error_type"] == "APIError" and "Reference already exists" in again["result"]
    missing = call(writer, "gh_create_branch", owner="octo", repo="hello", branch="x", from_branch="nope")
    assert missing["error_type"] == "NotFound"

    created = ok(
        writer,
        "gh_create_or_update_file",
        owner="octo",
        repo="hello",
        path="docs/new.md",
        content="# New\n",
        message="Add",
    )
    assert created["created"] is True and created["path"] == "docs/new.md"
    assert created["commit"]["message"] == "Add"
    assert fake.state.written_files["docs/new.md"] == "# New\n"
    # Updating an existing file: the component looks its SHA up, as GitHub requires.
    updated = ok(
        writer,
        "gh_create_or_update_file",
        owner="octo",
        repo="hello",
        path="CHANGELOG.md",
        content="new",
        message="Edit",
    )
    assert updated["created"] is False
    put = fake.requests[-1]
    assert put.method == "PUT" and b'"sha": "3d21ec53a331a6f037a91c368710b99387d012c1"' in put.body
    directory = call(
        writer, "gh_create_or_update_file", owner="octo", repo="hello", path="src", content="x", message="m"
    )
    assert directory["error_type"] == "InvalidArguments"


def test_writes_are_confined_to_the_allowlist_even_when_enabled(
    make_host: HostFactory, fake: FakeGitHub
) -> None:
    writer = make_host(allow_writes="true")
    fake.clear()
    response = call(writer, "gh_create_branch", owner="evil", repo="secret", branch="x")
    assert response["error_type"] == "RepoNotAllowed"
    response = call(
        writer, "gh_create_or_update_file", owner="octo", repo="hello", path="../x", content="", message="m"
    )
    assert response["error_type"] == "InvalidArguments"
    assert fake.requests == []

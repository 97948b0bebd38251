"""GitHub's errors mapped to structured ones, and the sandbox keeping the component on its host."""

from __future__ import annotations

import httpx

from tracefabric.sandbox.host import SandboxHost
from tracefabric.sandbox.manifest import default_manifest_text, parse_manifest

from .fake_github import FakeGitHub, OtherHost
from .helpers import HostFactory, call, ok, raw_call


def test_rate_limit_exhausted_maps_to_rate_limited_with_reset(make_host: HostFactory) -> None:
    sandbox = make_host(allowed_repos="octo/*")
    response = sandbox.execute(
        "github", "gh_get_repository", {"owner": "octo", "repo": "ratelimited"}, "rl-1"
    )
    assert response["success"] is False and response["error_type"] == "RateLimited"
    assert "API rate limit exceeded for 203.0.113.7." in response["result"]
    assert "resets at 2023-11-14T22:13:20Z (epoch 1700000000)" in response["result"]
    assert response["meta"]["rate_limit"] == {
        "remaining": 0,
        "limit": 5000,
        "reset": 1_700_000_000,
        "exceeded": True,
        "reset_at": "2023-11-14T22:13:20Z",
    }


def test_secondary_rate_limit_maps_retry_after(make_host: HostFactory) -> None:
    sandbox = make_host(allowed_repos="octo/*")
    response = sandbox.execute("github", "gh_list_issues", {"owner": "octo", "repo": "busy"}, "rl-2")
    assert response["error_type"] == "RateLimited"
    assert (
        "secondary rate limit exceeded" in response["result"]
        and "retry after 30 seconds" in response["result"]
    )
    assert response["meta"]["rate_limit"]["retry_after"] == 30


def test_unauthenticated_rate_limit_suggests_a_token(make_host: HostFactory) -> None:
    sandbox = make_host(allowed_repos="octo/*", github_token="")
    response = call(sandbox, "gh_get_repository", owner="octo", repo="ratelimited")
    assert response["error_type"] == "RateLimited" and "60 requests an hour" in response["result"]


def test_not_found(host: SandboxHost) -> None:
    response = call(host, "gh_get_file_contents", owner="octo", repo="hello", path="nope.txt", ref="dev")
    assert response["error_type"] == "NotFound"
    assert (
        response["result"]
        == "Not found: 'nope.txt' in octo/hello at ref 'dev' (GitHub answered 404: Not Found)"
    )
    assert call(host, "gh_get_issue", owner="octo", repo="hello", issue_number=99)["error_type"] == "NotFound"


def test_bad_token_is_unauthorized(make_host: HostFactory, fake: FakeGitHub) -> None:
    sandbox = make_host(github_token="ghp_wrongWRONGwrong000000000000000000")
    response = call(sandbox, "gh_get_repository", owner="octo", repo="hello")
    assert response["error_type"] == "Unauthorized"
    assert response["result"] == "GitHub rejected the configured token (401: Bad credentials)"


def test_unauthenticated_use(make_host: HostFactory, fake: FakeGitHub) -> None:
    sandbox = make_host(github_token="")
    assert ok(sandbox, "gh_get_repository", owner="octo", repo="hello")["full_name"] == "octo/hello"
    assert "authorization" not in fake.requests[-1].headers
    assert ok(sandbox, "gh_get_file_contents", owner="octo", repo="hello", path="src/app.py").startswith(
        "def main"
    )
    response = call(sandbox, "gh_search_code", query="print")
    assert response["error_type"] == "Unauthorized"
    assert "no token is configured (set GITHUB_TOKEN)" in response["result"]


def test_api_error_carries_githubs_message(make_host: HostFactory) -> None:
    writer = make_host(allow_writes="true")
    response = call(writer, "gh_create_branch", owner="octo", repo="hello", branch="main", from_branch="dev")
    assert response["error_type"] == "APIError"
    assert response["result"].startswith("GitHub API error (422): Reference already exists")


def test_redirect_within_the_api_host_is_followed(make_host: HostFactory, fake: FakeGitHub) -> None:
    sandbox = make_host(allowed_repos="octo/*")
    repo = ok(sandbox, "gh_get_repository", owner="octo", repo="renamed")
    assert repo["full_name"] == "octo/hello"
    assert [r.path for r in fake.requests[-2:]] == ["/repos/octo/renamed", "/repos/octo/hello"]


def test_redirect_to_another_host_is_refused_by_the_sandbox(
    make_host: HostFactory, fake: FakeGitHub, other_host: OtherHost
) -> None:
    # The other host is up and answers anyone who asks directly...
    assert httpx.get(f"{other_host.url}/probe", trust_env=False).json() == {"stolen": True}
    other_host.seen.clear()
    # ...but the sandbox refuses to follow GitHub's redirect there: the request is never sent.
    sandbox = make_host(allowed_repos="octo/*")
    response = call(sandbox, "gh_get_repository", owner="octo", repo="moved")
    assert response["error_type"] == "CapabilityDenied"
    assert f"http://localhost:{other_host.port} is not in allowed_outbound_hosts" in response["result"]
    assert other_host.seen == []
    assert fake.requests[-1].path == "/repos/octo/moved"


def test_a_host_other_than_the_api_base_is_refused_by_the_sandbox(
    fake: FakeGitHub, other_host: OtherHost, tmp_path
) -> None:
    """api_base points at the fake, but the manifest grants only another origin: nothing is sent."""
    text = default_manifest_text().replace(
        'allowed_outbound_hosts = ["{{ api_base }}"]', 'allowed_outbound_hosts = ["https://api.github.com"]'
    )
    assert 'https://api.github.com"]' in text
    manifest = parse_manifest(text, source="test", base_dir=tmp_path)
    fake.clear()
    with SandboxHost(
        manifest,
        data_dir=tmp_path,
        enable=["github"],
        variables={"api_base": other_host.url, "allowed_repos": "octo/hello"},
        environ={},
        pool_size=0,
    ) as sandbox:
        for tool, args in [
            ("gh_get_repository", {"owner": "octo", "repo": "hello"}),
            ("gh_search_code", {"query": "x"}),
        ]:
            response = call(sandbox, tool, **args)
            assert response["error_type"] == "CapabilityDenied", response
            assert "is not in allowed_outbound_hosts (https://api.github.com)" in response["result"]
    assert other_host.seen == [] and fake.requests == []


def test_api_base_follows_into_the_grant(make_host: HostFactory, fake: FakeGitHub) -> None:
    """An Enterprise-style base URL with a path: requests keep the path, the grant is its origin."""
    sandbox = make_host(api_base=f"{fake.url}/api/v3/")
    response = call(sandbox, "gh_get_repository", owner="octo", repo="hello")
    assert fake.requests[-1].path == "/api/v3/repos/octo/hello"
    assert response["error_type"] == "NotFound"  # the fake serves no /api/v3 prefix: reached, not denied


def test_no_argument_can_name_another_host(
    host: SandboxHost, fake: FakeGitHub, other_host: OtherHost
) -> None:
    crafted = [
        (
            "gh_get_file_contents",
            {"owner": "octo", "repo": "hello", "path": f"//localhost:{other_host.port}/x"},
        ),
        (
            "gh_get_file_contents",
            {"owner": "octo", "repo": "hello", "path": f"http://localhost:{other_host.port}/x"},
        ),
        ("gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "@localhost/x"}),
        ("gh_get_commit", {"owner": "octo", "repo": "hello", "sha": f"@localhost:{other_host.port}"}),
        ("gh_search_code", {"query": f"x http://localhost:{other_host.port}/"}),
    ]
    fake.clear()
    for tool, args in crafted:
        raw_call(host, tool, **args)
        call(host, tool, **args)
    assert other_host.seen == []
    assert all(r.path.startswith(("/repos/octo/hello/", "/search/")) for r in fake.requests)

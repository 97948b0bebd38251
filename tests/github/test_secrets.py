"""The token reaches GitHub's Authorization header and nothing else: not results, errors,
meta, traces or logs (the component keeps it out; the host's scrubbing is only a backstop)."""

from __future__ import annotations

import json
import logging

import pytest

from tracefabric.sandbox.host import SandboxHost

from .fake_github import HEAD_SHA, FakeGitHub, OtherHost
from .helpers import TOKEN, HostFactory, raw_call

CALLS = [
    ("gh_get_repository", {"owner": "octo", "repo": "hello"}),
    ("gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "README.md"}),
    ("gh_get_file_contents", {"owner": "octo", "repo": "hello", "path": "missing.md"}),
    ("gh_search_code", {"query": "print"}),
    ("gh_search_repositories", {"query": "x repo:evil/secret"}),
    ("gh_get_pull_request", {"owner": "octo", "repo": "hello", "pullNumber": 2}),
    ("gh_get_commit", {"owner": "octo", "repo": "hello", "sha": HEAD_SHA}),
    ("gh_get_repository", {"owner": "octo", "repo": "ratelimited"}),
    ("gh_get_repository", {"owner": "octo", "repo": "busy"}),
    ("gh_get_repository", {"owner": "octo", "repo": "moved"}),
    ("gh_get_repository", {"owner": "octo", "repo": "echo"}),
    ("gh_get_repository", {"owner": "octo", "repo": "echo-long"}),
    ("gh_get_repository", {"owner": "evil", "repo": "secret"}),
    ("gh_get_repository", {"owner": "octo", "repo": "../x"}),
    ("gh_create_issue", {"owner": "octo", "repo": "hello", "title": "t"}),
    ("gh_create_branch", {"owner": "octo", "repo": "hello", "branch": "leak-test"}),
    ("no_such_tool", {}),
]


@pytest.mark.parametrize("writes", ["false", "true"])
def test_token_never_appears_in_any_output(
    make_host: HostFactory,
    fake: FakeGitHub,
    other_host: OtherHost,
    caplog: pytest.LogCaptureFixture,
    writes: str,
) -> None:
    sandbox: SandboxHost = make_host(allowed_repos="octo/*, acme/*", allow_writes=writes)
    fake.clear()
    outputs: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for tool, args in CALLS:
            outputs.append(json.dumps(sandbox.execute("github", tool, args, f"leak-{writes}", trace=True)))
            outputs.append(json.dumps(raw_call(sandbox, tool, **args)))
        outputs.append(json.dumps(sandbox.tools("github")))
        outputs.append(json.dumps(sandbox.info("github").to_json()))
    logs = [record.getMessage() for record in caplog.records]
    # The calls did produce errors and logs (so there was something to leak into)...
    assert any('"RateLimited"' in o for o in outputs) and any('"APIError"' in o for o in outputs)
    assert any("GET /repos/octo/hello" in line for line in logs)
    # ...and the token reached GitHub, in the Authorization header only.
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in fake.requests)
    assert not any(TOKEN in r.raw_path or TOKEN.encode() in r.body for r in fake.requests)
    for text in outputs + logs:
        assert TOKEN not in text
        assert TOKEN[4:20] not in text and TOKEN[:8] not in text  # not even a clipped piece
    # The echoing server's message was redacted by the component itself.
    echo = next(o for o in outputs if "Problems parsing header" in o)
    assert "[REDACTED]" in echo
    assert other_host.seen == []


def test_host_scrubs_a_secret_a_component_would_leak(make_host: HostFactory) -> None:
    """Backstop: even a result built from remote text is scrubbed of the secret by the host."""
    sandbox: SandboxHost = make_host()
    assert sandbox.scrub(f"token={TOKEN}!") == "token=[REDACTED]!"

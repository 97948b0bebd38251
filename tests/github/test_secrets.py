"""The token reaches GitHub's Authorization header and nothing else: not results, errors,
meta, traces or logs, in no common encoding (base64, URL-encoded, hex, split by whitespace).
The component keeps it out; the host's redaction is the backstop."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from tracefabric.guest.redact import encoded_forms
from tracefabric.sandbox.host import SandboxHost

from .fake_github import HEAD_SHA, FakeGitHub, OtherHost, leaked_forms
from .helpers import TOKEN, HostFactory, raw_call

FORMS = encoded_forms(TOKEN)


def leaks(text: str) -> list[str]:
    """Forms of the token in `text`, whitespace ignored (a wrapped token is still the token)."""
    squashed = re.sub(r"\s+", "", text)
    return [form for form in FORMS if form in squashed]


def strings(value: Any) -> list[str]:
    """Every string in a JSON-like value (not its JSON text, where a newline is '\\n')."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


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
    ("gh_get_repository", {"owner": "octo", "repo": "echo-encoded"}),
    ("gh_get_repository", {"owner": "octo", "repo": "leaky"}),
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
            outputs += strings(sandbox.execute("github", tool, args, f"leak-{writes}", trace=True))
            if args.get("repo") != "leaky":
                # The component's own output: it redacts what it quotes in errors (a clipped
                # message can't be repaired later); the data of a successful read is the
                # host's to redact, checked through `execute` above.
                outputs += strings(raw_call(sandbox, tool, **args))
        outputs += strings(sandbox.tools("github"))
        outputs += strings(sandbox.info("github").to_json())
    logs = [record.getMessage() for record in caplog.records]
    # The calls did produce errors and logs (so there was something to leak into)...
    assert "RateLimited" in outputs and "APIError" in outputs
    assert any("GET /repos/octo/hello" in line for line in logs)
    # ...and the token reached GitHub, in the Authorization header only.
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in fake.requests)
    assert not any(TOKEN in r.raw_path or TOKEN.encode() in r.body for r in fake.requests)
    for text in outputs + logs:
        assert TOKEN not in text
        assert TOKEN[4:20] not in text and TOKEN[:8] not in text  # not even a clipped piece
        assert not leaks(text), (leaks(text), text[:300])
    # The echoing server's messages were redacted by the component itself...
    echo = next(o for o in outputs if "Problems parsing header" in o)
    assert "[REDACTED]" in echo
    encoded = next(o for o in outputs if "Problems parsing credentials" in o)
    assert encoded.count("[REDACTED]") == len(leaked_forms(TOKEN))
    leaky = next(o for o in outputs if o.startswith("{") and "octo/leaky" in o)
    assert leaky.count("[REDACTED]") == len(leaked_forms(TOKEN))  # a successful result too
    # ...and the upstream exchanges were logged at debug level, headers included, without it.
    exchanges = [line for line in logs if "received headers:" in line]
    assert any("x-echo-token: [REDACTED]" in line for line in exchanges), exchanges[:3]
    assert any("authorization: [REDACTED]" in line for line in exchanges)
    assert other_host.seen == []


def test_host_scrubs_a_secret_a_component_would_leak(make_host: HostFactory) -> None:
    """Backstop: even a result built from remote text is scrubbed of the secret by the host."""
    sandbox: SandboxHost = make_host()
    assert sandbox.scrub(f"token={TOKEN}!") == "token=[REDACTED]!"
    for form in leaked_forms(TOKEN):
        scrubbed = sandbox.scrub(f"<{form}>")
        assert "[REDACTED]" in scrubbed and not leaks(scrubbed), (form, scrubbed)

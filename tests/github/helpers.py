"""Helpers shared by the GitHub component tests."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from tracefabric.sandbox.host import SandboxHost

TOKEN = "ghp_TESTtoken0123456789abcdefSECRETvalue"
ALLOWED = "octo/hello, acme/*"
_sessions = itertools.count()

HostFactory = Callable[..., SandboxHost]  # the `make_host` fixture: make_host(allow_writes="true", ...)


def session() -> str:
    return f"gh-test-{next(_sessions)}"


def call(host: SandboxHost, tool: str, **args: Any) -> dict[str, Any]:
    return host.execute("github", tool, args, session(), trace=True)


def ok(host: SandboxHost, tool: str, **args: Any) -> Any:
    """Call a tool that must succeed; its result parsed as JSON when it is JSON."""
    response = call(host, tool, **args)
    assert response["success"], response
    try:
        return json.loads(response["result"])
    except ValueError:
        return response["result"]


def raw_call(host: SandboxHost, tool: str, **args: Any) -> dict[str, Any]:
    """Run a tool with arguments the host has NOT validated: tests the component's own defence."""
    from tracefabric.sandbox.host.context import CallContext

    runtime = host.runtime("github")
    session_id = session()
    request = {
        "kind": "execute",
        "tool": tool,
        "args": args,
        "session_id": session_id,
        "namespace": "default",
    }
    outcome = runtime.execute(CallContext(runtime.grants, "execute", session_id, "default"), request)
    return outcome.payload

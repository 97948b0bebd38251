"""Deny by default: a component reaches only the stores, hosts and variables its manifest grants,
and never another session's data, whatever keys it uses."""

from __future__ import annotations

import json
import logging

import pytest

from tracefabric.sandbox.host import SandboxHost


def call(host: SandboxHost, tool: str, session: str = "s1", **args: object) -> dict:
    return host.execute("probe", tool, args, session)


def test_a_component_cannot_see_another_sessions_keys(host: SandboxHost) -> None:
    assert call(host, "put", "alice", key="secret", value="alice-data")["success"]
    assert call(host, "put", "alice", key="../bob/secret", value="x")["success"]
    # Bob's instance lists every key it can see, and tries alice's key names directly.
    assert json.loads(call(host, "keys", "bob")["result"]) == []
    assert call(host, "get", "bob", key="secret")["result"] == "<missing>"
    assert call(host, "get", "bob", key="s:alice")["result"] == "<missing>"
    assert sorted(json.loads(call(host, "keys", "alice")["result"])) == ["../bob/secret", "secret"]
    # The VFS shares the `default` label (Spin semantics) but is scoped the same way.
    assert host.execute("vfs", "list_files", {}, "bob")["result"] == "[]"


def test_ungranted_store_is_capability_denied(host: SandboxHost) -> None:
    response = call(host, "put", key="k", value="v", label="secrets")
    assert response["error_type"] == "CapabilityDenied"
    assert "'secrets' is not granted to component 'probe'" in response["result"]


def test_shared_store_is_per_namespace_and_read_only_in_tool_calls(host: SandboxHost) -> None:
    denied = call(host, "shared_put", key="k", value="v")
    assert denied["error_type"] == "CapabilityDenied" and "read-only" in denied["result"]
    status, body = host.manage("probe", "seed", {"value": "ns-a"}, namespace="a")
    assert status == 200 and body == {"ok": True}
    host.manage("probe", "seed", {"value": "ns-b"}, namespace="b")
    assert host.execute("probe", "shared_get", {"key": "seeded"}, "s1", namespace="a")["result"] == "ns-a"
    assert host.execute("probe", "shared_get", {"key": "seeded"}, "s1", namespace="b")["result"] == "ns-b"
    assert host.execute("probe", "shared_get", {"key": "seeded"}, "s1")["result"] == "<missing>"
    assert host.manage("probe", "no-such-op", {})[0] == 404


def test_outbound_http_only_to_granted_hosts(host: SandboxHost, web_server: str) -> None:
    allowed = call(host, "fetch", url=f"{web_server}/hello")
    assert allowed["success"], allowed
    assert json.loads(allowed["result"]) == {"status": 200, "body": "hello from loopback"}
    redirected = call(host, "fetch", url=f"{web_server}/redirect-in")
    assert json.loads(redirected["result"])["body"] == "hello from loopback"
    port = int(web_server.rsplit(":", 1)[1])
    for url in [
        f"http://127.0.0.1:{port + 1}/",  # another port
        f"https://127.0.0.1:{port}/",  # another scheme
        f"http://localhost:{port}/",  # another name for the same machine
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        f"http://127.0.0.1:{port}@example.com/",  # userinfo trick
        f"{web_server}/redirect-out",  # allowed host redirecting elsewhere
    ]:
        response = call(host, "fetch", url=url)
        assert response["error_type"] == "CapabilityDenied", (url, response)


def test_vfs_has_no_network(host: SandboxHost) -> None:
    # The VFS is granted no host; the probe's grant is its own.
    assert host.info("vfs").allowed_outbound_hosts == []


def test_variables_only_those_declared(host: SandboxHost) -> None:
    assert call(host, "var", name="greeting")["result"] == "hello world"
    denied = call(host, "var", name="port")  # an application variable the component didn't declare
    assert denied["error_type"] == "CapabilityDenied"


def test_secrets_are_scrubbed_from_results_and_logs(
    host: SandboxHost, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = call(host, "var", name="token")
    assert response["success"]
    assert "s3cr3t" not in response["result"] and response["result"] == "[REDACTED]"
    assert all("s3cr3t" not in record.getMessage() for record in caplog.records)


def test_a_crashing_tool_is_a_structured_error(host: SandboxHost) -> None:
    response = call(host, "crash")
    assert response["error_type"] == "ComponentError" and "RuntimeError: boom" in response["result"]
    assert call(host, "put", key="after", value="crash")["success"]  # the instance still works


def test_kv_increment_and_session_end_counts(host: SandboxHost) -> None:
    assert [call(host, "count", "c1", key="n")["result"] for _ in range(3)] == ["1", "2", "3"]
    assert host.end_session("c1", "probe") == 1
    assert call(host, "count", "c1", key="n")["result"] == "1"

"""The mock component in the real sandbox: loading, answering, checking, isolation, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from tracefabric.errors import SandboxError
from tracefabric.mock import MockTools
from tracefabric.sandbox import Sandbox

from .conftest import ORDER, WEATHER


def _json(result: Any) -> Any:
    return json.loads(result.result)


def _post(router: Any, path: str, body: Any, namespace: str | None = None) -> tuple[int, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return router.handle("POST", path, raw, {"namespace": namespace} if namespace else None)


ORDER_ARGS = {"customer": {"id": 3, "name": "Ada"}, "items": [{"sku": "A1", "qty": 2}]}


def test_load_list_and_default_echo(mock: MockTools) -> None:
    loaded = mock.load({"tools": [WEATHER, ORDER]})
    assert loaded["loaded"] == 2 and loaded["tools"] == ["get_weather", "create_order"]
    tools = mock.tools()
    assert [t["name"] for t in tools] == ["get_weather", "create_order"]
    assert tools[1]["outputSchema"] == ORDER["outputSchema"]
    assert tools[1]["annotations"] == {"destructiveHint": True}
    result = mock.call("get_weather", {"city": "Paris"}, "s1")
    assert result.success and result.meta["mock"]["source"] == "echo"
    assert _json(result) == {
        "tool": "get_weather",
        "description": "Current weather for a city.",
        "input_received": {"city": "Paris", "units": "metric"},  # the schema default applied
        "mock_result": "Successfully executed get_weather",
        "status": "success",
    }


def test_fixture_specificity_nested_matching_and_templates(mock: MockTools) -> None:
    mock.load([WEATHER])
    mock.update_response("get_weather", {"city": "{{city}}", "temp": 15, "source": "template"})
    mock.add_fixture("get_weather", {"temp": 21, "which": "paris"}, match={"city": "Paris"})
    mock.add_fixture(
        "get_weather", {"temp": 9, "which": "paris-imperial"}, match={"city": "Paris", "units": "imperial"}
    )
    mock.add_fixture("get_weather", {"temp": 30, "which": "paris-again"}, match={"city": "Paris"})  # replaces
    mock.add_fixture("get_weather", {"which": "tomorrow", "day": "{{when.day}}"}, match={"when.day": 1})
    mock.add_fixture("get_weather", {"which": "p-city"}, match={"city": {"$glob": "P*"}})

    def answer(args: dict[str, Any]) -> Any:
        result = mock.call("get_weather", args, "s1")
        assert result.success, result
        return _json(result)

    assert answer({"city": "Paris"}) == {"temp": 30, "which": "paris-again"}
    assert answer({"city": "Paris", "units": "imperial"})["which"] == "paris-imperial"
    assert answer({"city": "Prague"}) == {"which": "p-city"}
    tomorrow = answer({"city": "Oslo", "when": {"day": 1}})
    assert tomorrow == {"which": "tomorrow", "day": 1}  # a lone placeholder keeps the integer type
    assert answer({"city": "Oslo"}) == {"city": "Oslo", "temp": 15, "source": "template"}
    shown = mock.get("get_weather")
    assert [f["response"].get("which") for f in shown["fixtures"]] == [
        "paris-again",
        "paris-imperial",
        "tomorrow",
        "p-city",
    ]
    removed = mock.remove_fixture("get_weather", match={"city": {"$glob": "P*"}})
    assert removed == {"tool": "get_weather", "removed": True, "total_fixtures": 3}
    assert answer({"city": "Prague"})["source"] == "template"


def test_template_types_keys_and_nested_paths(mock: MockTools) -> None:
    mock.load({"tools": [ORDER]})
    mock.update_response(
        "create_order",
        {
            "order_id": "ord_{{customer.id}}",
            "status": "created",
            "customer_id": "{{customer.id}}",
            "lines": "{{items}}",
            "by_sku": {"{{items.0.sku}}": "{{items.0.qty}}"},
            "summary": "{{customer.name}} ordered {{items.0.qty}} x {{items.0.sku}}",
        },
    )
    result = mock.call("create_order", ORDER_ARGS, "s1")
    assert result.success, result
    assert _json(result) == {
        "order_id": "ord_3",
        "status": "created",
        "customer_id": 3,
        "lines": [{"sku": "A1", "qty": 2}],
        "by_sku": {"A1": 2},
        "summary": "Ada ordered 2 x A1",
    }


def test_input_validation_errors_come_from_the_host(mock: MockTools) -> None:
    mock.load([ORDER, WEATHER])
    cases = [
        ({"customer": {"id": 3}}, "(arguments)", "items", "required"),
        ({"customer": {"id": "3"}, "items": [{"sku": "A", "qty": 1}]}, "customer.id", "'3'", "type"),
        ({"customer": {"id": 3}, "items": [{"sku": "A", "qty": 0}]}, "items.0.qty", "0", "minimum"),
        ({"customer": {"id": 3}, "items": []}, "items", "[]", "minItems"),
    ]
    for args, path, detail, rule in cases:
        result = mock.call("create_order", args, "s1")
        assert result.error_type == "InvalidArguments"
        message = result.result
        assert message.startswith("Invalid arguments for create_order: ")
        assert (
            (path in message or path == "(arguments)") and detail in message and f"(rule: {rule})" in message
        )
    enum = mock.call("get_weather", {"city": "Oslo", "units": "kelvin"}, "s1")
    assert enum.error_type == "InvalidArguments" and "units" in enum.result and "(rule: enum)" in enum.result
    unknown = mock.call("get_wether", {}, "s1")
    assert unknown.error_type == "UnknownTool" and unknown.result == "Unknown tool: get_wether"


def test_output_schema_rejects_bad_fixtures_when_added(mock: MockTools) -> None:
    mock.load([ORDER])
    with pytest.raises(SandboxError) as bad_fixture:
        mock.add_fixture("create_order", {"order_id": 12, "status": "created"}, match={"customer.id": 1})
    assert bad_fixture.value.status == 400 and bad_fixture.value.error_type == "InvalidRequest"
    assert "order_id: 12 is not of type 'string' (rule: type)" in bad_fixture.value.message
    with pytest.raises(SandboxError, match=r"status: 'done' is not one of"):
        mock.update_response("create_order", {"order_id": "x", "status": "done"})
    with pytest.raises(SandboxError, match="'status' is a required property"):
        mock.load(
            {"mockResponses": {"create_order": {"fixtures": [{"match": {}, "response": {"order_id": "x"}}]}}}
        )
    with pytest.raises(SandboxError, match=r"tools\[0\]\.outputSchema of 'x' is not a valid JSON Schema"):
        mock.load([{"name": "x", "outputSchema": {"type": "objekt"}}])
    assert mock.get("create_order")["fixtures"] == []  # nothing was stored
    # A template is judged at call time, once rendered: a good one passes...
    mock.add_fixture("create_order", {"order_id": "{{note}}", "status": "created"}, match={"customer.id": 1})
    good = mock.call("create_order", {**ORDER_ARGS, "customer": {"id": 1}, "note": "o-1"}, "s1")
    assert good.success and _json(good) == {"order_id": "o-1", "status": "created"}
    # ...and one that renders into a bad response is reported, not passed to the model as valid.
    mock.update_response("create_order", {"order_id": "{{customer.id}}", "status": "created"})
    bad = mock.call("create_order", ORDER_ARGS, "s1")
    assert not bad.success and bad.error_type == "ComponentError"
    assert "does not match its outputSchema: order_id: 3 is not of type 'string'" in bad.result


def test_namespaces_are_isolated(sandbox: Sandbox) -> None:
    one, two = MockTools(sandbox, "ns-one"), MockTools(sandbox, "ns-two")
    one.load([WEATHER])
    two.load([{**WEATHER, "description": "Weather, namespace two."}, ORDER])
    one.add_fixture("get_weather", {"from": "one"}, match={"city": "Paris"})
    two.add_fixture("get_weather", {"from": "two"}, match={"city": "Paris"})
    assert [t["name"] for t in one.tools()] == ["get_weather"]
    assert [t["name"] for t in two.tools()] == ["get_weather", "create_order"]
    assert _json(one.call("get_weather", {"city": "Paris"}, "s")) == {"from": "one"}
    assert _json(two.call("get_weather", {"city": "Paris"}, "s")) == {"from": "two"}
    assert one.call("create_order", ORDER_ARGS, "s").error_type == "UnknownTool"
    one.set_faults({"seed": 1, "timeout": 1.0})
    assert one.call("get_weather", {"city": "Paris"}, "s2").error_type == "Timeout"
    assert two.call("get_weather", {"city": "Paris"}, "s2").success
    one.clear()
    assert one.tools() == [] and len(two.tools()) == 2
    assert MockTools(sandbox).tools() == []  # the default namespace saw none of it


def test_yaml_bodies_and_combined_documents(router: Any, sandbox: Sandbox) -> None:
    document = {
        "tools": [WEATHER],
        "mockResponses": {"get_weather": {"defaultResponse": {"t": "{{city}}"}, "fixtures": []}},
        "fixtures": {"get_weather": [{"match": {"city": "Rome"}, "response": {"t": "hot"}}]},
    }
    status, body = _post(router, "/mock/load-schema", yaml.safe_dump(document).encode(), "yaml-ns")
    assert status == 200 and body["loaded"] == 1 and body["responses"] == 1 and body["fixtures"] == 1
    mock = MockTools(sandbox, "yaml-ns")
    assert _json(mock.call("get_weather", {"city": "Rome"}, "s")) == {"t": "hot"}
    assert _json(mock.call("get_weather", {"city": "Oslo"}, "s")) == {"t": "Oslo"}
    bomb = b"a: &a [x, x]\nb: &b [*a, *a]\ntools: [*b]\n"
    status, body = _post(router, "/mock/load-schema", bomb)
    assert status == 400 and "aliases are not accepted" in body["error"]


def test_deepfabric_routes_and_shapes(router: Any) -> None:
    status, body = _post(router, "/mock/load-schema", {"tools": [WEATHER]})
    assert (status, body["loaded"], body["tools"]) == (200, 1, ["get_weather"])
    status, body = _post(
        router, "/mock/update-response", {"name": "get_weather", "mockResponse": {"t": "{{city}}"}}
    )
    assert (status, body) == (200, {"updated": "get_weather"})
    status, body = _post(
        router,
        "/mock/add-fixture",
        {"name": "get_weather", "match": {"city": "Paris"}, "response": {"t": 21}},
    )
    assert status == 200 and body["fixture_key"] == "city=Paris" and body["total_fixtures"] == 1
    status, body = _post(router, "/mock/execute", {"name": "get_weather", "arguments": {"city": "Paris"}})
    assert status == 200 and body["result"] == {"t": 21} and body["success"] is True
    status, body = _post(router, "/mock/execute", {"name": "get_weather", "arguments": {"city": "Oslo"}})
    assert body["result"] == {"t": "Oslo"}
    status, body = _post(
        router, "/mock/execute", {"session_id": "s1", "tool": "get_weather", "args": {"city": "Paris"}}
    )
    assert status == 200 and body["result"] == '{"t": 21}' and body["meta"]["mock"]["source"] == "fixture"
    status, body = router.handle("GET", "/mock/list-tools")
    assert status == 200 and [t["name"] for t in body["tools"]] == ["get_weather"]
    assert {"name", "description", "inputSchema"} <= set(body["tools"][0])
    status, body = _post(router, "/mock/update-response", {"name": "nope", "mockResponse": {}})
    assert status == 404 and body["error"].startswith("Tool not found: nope")
    status, body = _post(router, "/mock/clear", {})
    assert (status, body["cleared"]) == (200, True)
    status, body = router.handle("GET", "/mock/list-tools")
    assert body["tools"] == []


BAD_BODIES = [
    ("/mock/load-schema", b"{not json"),
    ("/mock/load-schema", b'"a string"'),
    ("/mock/load-schema", b"[1, 2]"),
    ("/mock/load-schema", b'{"tools": {"name": "x"}}'),
    ("/mock/load-schema", b"\xff\xfe"),
    ("/mock/load-schema", b"tools: [\n"),
    ("/mock/load", b"{}"),
    ("/mock/add-fixture", b"[]"),
    ("/mock/add-fixture", b'{"name": "get_weather"}'),
    ("/mock/add-fixture", b'{"name": "get_weather", "response": 1, "match": {"city": {"$regex": "("}}}'),
    ("/mock/add-fixture", b'{"name": 5, "response": 1}'),
    ("/mock/update-response", b'{"mockResponse": 1}'),
    ("/mock/update-response", b'{"name": "get_weather", "mockResponse": 1, "extra": 2}'),
    ("/mock/remove-fixture", b'{"name": "get_weather", "match": 3}'),
    ("/mock/faults", b'{"rate_limited": "often"}'),
    ("/mock/faults", b'{"seed": 1.5}'),
    ("/mock/pull", b'{"nope": 1}'),
    ("/mock/pull", b'{"url": "http://127.0.0.1:9/mcp", "timeout": -1}'),
    ("/mock/pull", b'{"url": "ftp://127.0.0.1/mcp"}'),
    ("/mock/execute", b'{"name": "get_weather", "arguments": [1]}'),
    ("/mock/execute", b'{"arguments": {}}'),
    ("/mock/execute", b""),
    ("/mock/load-schema", b"[" * 100 + b"]" * 100),
]


@pytest.mark.parametrize(("path", "raw"), BAD_BODIES)
def test_bad_bodies_are_400_json_never_500(router: Any, path: str, raw: bytes) -> None:
    _post(router, "/mock/load-schema", {"tools": [WEATHER]})
    status, body = _post(router, path, raw)
    assert status in (400, 403), (status, body)
    assert isinstance(body, dict) and body["success"] is False
    assert body["error_type"] in ("InvalidRequest", "CapabilityDenied") and body["error"]
    # Nothing half-written: the tool still answers as before.
    status, body = _post(router, "/mock/execute", {"name": "get_weather", "arguments": {"city": "X"}})
    assert status == 200 and body["success"] is True


def test_unknown_operation_is_404(router: Any) -> None:
    status, body = _post(router, "/mock/explode", {})
    assert status == 404 and body["error_type"] == "UnknownOperation"

"""The C example (examples/components/inventory): built from source, run by the host and the CLI."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tracefabric.sandbox import Sandbox
from tracefabric.sandbox.build.c import find_c_toolchain
from tracefabric.sandbox.host import SandboxHost

from .conftest import run_cli


@pytest.fixture
def sandbox(inventory_manifest: Path, data_dir: Path, price_server: str) -> Iterator[Sandbox]:
    with Sandbox.in_process(
        inventory_manifest, data_dir=data_dir, variables={"price_api": price_server}, pool_size=1
    ) as client:
        yield client


def test_the_component_imports_only_our_world(inventory_wasm: Path) -> None:
    wasm_tools = find_c_toolchain().wasm_tools
    wit = subprocess.run(
        [wasm_tools, "component", "wit", str(inventory_wasm)], capture_output=True, text=True, check=True
    ).stdout
    world = wit.split("package tracefabric:tool", 1)[0]  # the component's own world, before the packages
    imports = sorted(line.strip() for line in world.splitlines() if line.strip().startswith("import "))
    assert imports == [
        "import tracefabric:tool/key-value@0.1.0;",
        "import tracefabric:tool/logging@0.1.0;",
        "import tracefabric:tool/outbound-http@0.1.0;",
        "import tracefabric:tool/variables@0.1.0;",
    ]
    assert "wasi" not in wit
    assert "export handle: func(request: string) -> string;" in world


def test_describe_lists_the_tools_with_their_schemas(inventory_manifest: Path, data_dir: Path) -> None:
    with SandboxHost(inventory_manifest, data_dir=data_dir, pool_size=0) as host:
        tools = {tool["name"]: tool for tool in host.tools("inventory")}
    assert sorted(tools) == ["price_quote", "stock_add", "stock_list", "stock_remove"]
    schema = tools["stock_add"]["inputSchema"]
    assert schema["required"] == ["item", "quantity"]
    assert schema["properties"]["quantity"] == {"type": "integer", "minimum": 1, "maximum": 1000000}
    assert tools["stock_list"]["inputSchema"]["properties"] == {}


def result(
    sandbox: Sandbox, tool: str, args: dict[str, Any], session: str = "s1"
) -> tuple[bool, Any, str | None]:
    answer = sandbox.call("inventory", tool, args, session_id=session)
    value = json.loads(answer.result) if answer.success else answer.result
    return answer.success, value, answer.error_type


def test_stock_round_trip_through_the_session_store(sandbox: Sandbox) -> None:
    assert result(sandbox, "stock_add", {"item": "apple", "quantity": 3}) == (
        True,
        {"item": "apple", "quantity": 3},
        None,
    )
    assert result(sandbox, "stock_add", {"item": "apple", "quantity": 4})[1] == {
        "item": "apple",
        "quantity": 7,
    }
    assert result(sandbox, "stock_add", {"item": "pear", "quantity": 2})[0]
    assert result(sandbox, "stock_remove", {"item": "pear", "quantity": 2})[1] == {
        "item": "pear",
        "quantity": 0,
    }
    assert result(sandbox, "stock_list", {}) == (
        True,
        {"items": [{"item": "apple", "quantity": 7}], "total_units": 7},
        None,
    )


def test_structured_errors(sandbox: Sandbox) -> None:
    sandbox.call("inventory", "stock_add", {"item": "apple", "quantity": 2}, session_id="s1")
    ok, message, error_type = result(sandbox, "stock_remove", {"item": "apple", "quantity": 5})
    assert (ok, error_type) == (False, "InsufficientStock")
    assert message == "only 2 apple in stock, cannot remove 5"
    assert result(sandbox, "stock_remove", {"item": "kiwi", "quantity": 1}) == (
        False,
        "no kiwi in stock",
        "NotFound",
    )
    ok, message, error_type = result(sandbox, "stock_add", {"item": "Not An Item", "quantity": 1})
    assert (ok, error_type) == (False, "InvalidArguments")  # the host checked the schema: the guest never ran
    assert "item" in str(message) and "pattern" in str(message)
    assert result(sandbox, "nope", {})[2] == "UnknownTool"


def test_sessions_do_not_see_each_other(sandbox: Sandbox) -> None:
    sandbox.call("inventory", "stock_add", {"item": "apple", "quantity": 5}, session_id="alice")
    assert result(sandbox, "stock_list", {}, session="bob")[1] == {"items": [], "total_units": 0}
    assert result(sandbox, "stock_list", {}, session="alice")[1]["total_units"] == 5


def test_price_quotes_come_through_the_allowed_host(sandbox: Sandbox) -> None:
    assert result(sandbox, "price_quote", {"item": "apple", "quantity": 7}) == (
        True,
        {"item": "apple", "quantity": 7, "unit_price": 0.35, "total": 2.45, "currency": "EUR"},
        None,
    )
    assert result(sandbox, "price_quote", {"item": "kiwi", "quantity": 1}) == (
        False,
        "no price for kiwi",
        "NotFound",
    )
    garbled = result(sandbox, "price_quote", {"item": "garbled", "quantity": 1})
    assert garbled == (False, "the price service answered with invalid JSON", "APIError")


def test_tools_call_cli_round_trip_keeps_the_session(inventory_manifest: Path, tmp_path: Path) -> None:
    common = ["--manifest", str(inventory_manifest), "--session", "cli-1", "--data-dir", str(tmp_path)]
    added = run_cli(
        "tools", "call", "inventory", "stock_add", "--args", '{"item": "fig", "quantity": 2}', *common
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(json.loads(added.stdout)["result"]) == {"item": "fig", "quantity": 2}
    args_file = tmp_path / "args.json"
    args_file.write_text('{"item": "fig", "quantity": 9}')
    removed = run_cli("tools", "call", "inventory", "stock_remove", "--args", f"@{args_file}", *common)
    assert removed.returncode == 1  # a tool failure: exit 1, the failure as JSON on stdout
    assert json.loads(removed.stdout) == {
        "success": False,
        "result": "only 2 fig in stock, cannot remove 9",
        "error_type": "InsufficientStock",
    }
    bad = run_cli("tools", "call", "inventory", "stock_list", "--args", "{oops", *common)
    assert bad.returncode == 2 and "--args is not valid JSON" in bad.stderr

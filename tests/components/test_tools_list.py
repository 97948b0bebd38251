"""`tracefabric tools list`: every tool with its component and the capabilities granted."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli


def test_json_lists_tools_with_their_capabilities(inventory_manifest: Path) -> None:
    result = run_cli("tools", "list", "--manifest", str(inventory_manifest), "--json")
    assert result.returncode == 0, result.stderr
    (inventory,) = json.loads(result.stdout)["components"]
    assert inventory["name"] == "inventory"
    assert inventory["route"] == "/inventory"
    assert inventory["key_value_stores"] == ["default"]
    assert inventory["allowed_outbound_hosts"] == ["{{ price_api }}"]
    assert inventory["variables"] == ["price_api"]
    assert inventory["deterministic"] is False
    tools = {tool["name"]: tool for tool in inventory["tools"]}
    assert sorted(tools) == ["price_quote", "stock_add", "stock_list", "stock_remove"]
    assert tools["stock_add"]["inputSchema"]["required"] == ["item", "quantity"]


def test_text_shows_grants_per_component(inventory_manifest: Path) -> None:
    result = run_cli("tools", "list", "--manifest", str(inventory_manifest), env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "inventory /inventory/..." in result.stdout
    assert (
        "stores: default · hosts: {{ price_api }} · variables: price_api · not deterministic" in result.stdout
    )
    assert "stock_remove" in result.stdout and "item, quantity" in result.stdout


def test_a_component_that_cannot_load_is_listed_with_the_reason(tmp_path: Path) -> None:
    assert run_cli("component", "new", "notes", cwd=tmp_path).returncode == 0  # not built
    result = run_cli("tools", "list", "--manifest", str(tmp_path / "spin.toml"), "--json")
    assert result.returncode == 2  # the manifest names a file that is not there: a config error
    components = {entry["name"]: entry for entry in json.loads(result.stdout)["components"]}
    assert "tracefabric component build notes" in components["notes"]["error"]
    assert components["notes"]["key_value_stores"] == []
    assert components["vfs"]["tools"]  # the others are still listed

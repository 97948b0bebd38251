"""A component that uses a capability its manifest entry does not grant gets `CapabilityDenied`.

Checked for both SDKs (C: the inventory example; Python: the scaffolded component with
capability tools added), for each capability: a key-value store, an outbound host, a variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tracefabric.sandbox import Sandbox, ToolResult

from .conftest import write_manifest


def call(manifest: Path, data_dir: Path, component: str, tool: str, args: dict[str, Any]) -> ToolResult:
    with Sandbox.in_process(manifest, data_dir=data_dir, pool_size=0) as sandbox:
        return sandbox.call(component, tool, args, session_id="s1")


def test_c_store_not_granted(inventory_wasm: Path, tmp_path: Path, data_dir: Path) -> None:
    manifest = write_manifest(tmp_path / "spin.toml", "inventory", inventory_wasm)
    answer = call(manifest, data_dir, "inventory", "stock_add", {"item": "apple", "quantity": 1})
    assert (answer.success, answer.error_type) == (False, "CapabilityDenied")
    assert "key-value store 'default' is not granted to component 'inventory'" in answer.result


def test_c_variable_not_granted(inventory_wasm: Path, tmp_path: Path, data_dir: Path) -> None:
    manifest = write_manifest(tmp_path / "spin.toml", "inventory", inventory_wasm)
    answer = call(manifest, data_dir, "inventory", "price_quote", {"item": "apple", "quantity": 1})
    assert (answer.success, answer.error_type) == (False, "CapabilityDenied")
    assert "variable 'price_api' is not granted" in answer.result


def test_c_host_not_granted(inventory_wasm: Path, tmp_path: Path, data_dir: Path, price_server: str) -> None:
    manifest = write_manifest(
        tmp_path / "spin.toml",
        "inventory",
        inventory_wasm,
        grants=f'variables = {{ price_api = "{price_server}" }}',
    )
    answer = call(manifest, data_dir, "inventory", "price_quote", {"item": "apple", "quantity": 1})
    assert (answer.success, answer.error_type) == (False, "CapabilityDenied")
    assert "outbound request denied" in answer.result and "no allowed_outbound_hosts" in answer.result


def test_python_capabilities_denied_then_granted(
    python_project: Path, tmp_path: Path, data_dir: Path, price_server: str
) -> None:
    wasm = python_project / "weather" / "weather.wasm"
    denied = write_manifest(tmp_path / "denied.toml", "weather", wasm)
    url = f"{price_server}/hello"
    store = call(denied, data_dir, "weather", "remember", {"note": "milk"})
    host = call(denied, data_dir, "weather", "fetch", {"url": url})
    variable = call(denied, data_dir, "weather", "api_key_length", {})
    assert [store.error_type, host.error_type, variable.error_type] == ["CapabilityDenied"] * 3
    assert "key-value store 'default' is not granted" in store.result
    assert "outbound request denied" in host.result
    assert "variable 'api_key' is not granted" in variable.result

    granted = write_manifest(
        tmp_path / "granted.toml",
        "weather",
        wasm,
        grants=(
            'key_value_stores = ["default"]\n'
            f'allowed_outbound_hosts = ["{price_server}"]\n'
            'variables = { api_key = "{{ api_key }}" }'
        ),
        variables='[variables]\napi_key = { default = "k-123" }',
    )
    assert call(granted, data_dir, "weather", "remember", {"note": "milk"}).result == "remembered milk"
    assert call(granted, data_dir, "weather", "fetch", {"url": url}).result == "hello from loopback"
    assert call(granted, data_dir, "weather", "api_key_length", {}).result == "5"
    # A granted host is an origin, not a licence for the rest of the network.
    other = call(granted, data_dir, "weather", "fetch", {"url": "http://127.0.0.2:9/"})
    assert other.error_type == "CapabilityDenied"

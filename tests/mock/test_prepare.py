"""`prepare_mock_namespace`: a namespace set up from a generation config's tool set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tracefabric.errors import ConfigError
from tracefabric.mock import MockTools, prepare_mock_namespace
from tracefabric.sandbox import Sandbox

from .conftest import ORDER, WEATHER

DATA = {
    "mockResponses": {
        "get_weather": {
            "defaultResponse": {"city": "{{city}}", "temp": 12},
            "fixtures": [{"match": {"city": "Paris"}, "response": {"city": "Paris", "temp": 21}}],
        },
        "create_order": {"defaultResponse": {"order_id": "ord_{{customer.id}}", "status": "created"}},
    },
    "faults": {"seed": 4, "tools": {"get_weather": {"rate_limited": 1.0}}},
}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    schema = tmp_path / "tools.json"
    schema.write_text(json.dumps({"tools": [WEATHER, ORDER]}))
    data = tmp_path / "data.yaml"
    data.write_text(yaml.safe_dump(DATA))
    return schema, data


def test_prepare_loads_files_and_faults(sandbox: Sandbox, files: tuple[Path, Path]) -> None:
    schema, data = files
    prepared = prepare_mock_namespace(sandbox, "gen", schema_file=schema, data_file=data)
    assert prepared.tool_names == ["get_weather", "create_order"] and prepared.excluded == []
    mock = MockTools(sandbox, "gen")
    limited = mock.call("get_weather", {"city": "Paris"}, "s1")
    assert limited.error_type == "RateLimited"  # the data file's faults
    order = mock.call("create_order", {"customer": {"id": 9}, "items": [{"sku": "a", "qty": 1}]}, "s1")
    assert json.loads(order.result) == {"order_id": "ord_9", "status": "created"}
    # The config's faults replace the file's; preparing again leaves exactly this config.
    prepare_mock_namespace(sandbox, "gen", schema_file=schema, data_file=data, faults={"seed": 1})
    paris = mock.call("get_weather", {"city": "Paris"}, "s2")
    assert json.loads(paris.result) == {"city": "Paris", "temp": 21}
    assert len(mock.get("get_weather")["fixtures"]) == 1  # not duplicated by the second run


def test_destructive_tools_excluded_or_denied(sandbox: Sandbox, files: tuple[Path, Path]) -> None:
    schema, data = files
    excluded = prepare_mock_namespace(
        sandbox, "ex", schema_file=schema, data_file=data, destructive="exclude"
    )
    assert excluded.tool_names == ["get_weather"] and excluded.excluded == ["create_order"]
    denied = prepare_mock_namespace(sandbox, "deny", schema_file=schema, data_file=data, destructive="deny")
    assert denied.tool_names == ["get_weather", "create_order"] and denied.denied == ["create_order"]
    result = MockTools(sandbox, "deny").call(
        "create_order", {"customer": {"id": 1}, "items": [{"sku": "a", "qty": 1}]}, "s1"
    )
    assert result.error_type == "PermissionDenied" and result.meta["injected_fault"] == "PermissionDenied"
    assert json.loads(result.result)["error"]["code"] == 403
    # The file's other fault settings survive the gate.
    assert MockTools(sandbox, "deny").call("get_weather", {"city": "Oslo"}, "s1").error_type == "RateLimited"


def test_bad_config_names_the_file_and_field(
    sandbox: Sandbox, tmp_path: Path, files: tuple[Path, Path]
) -> None:
    schema, _ = files
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        yaml.safe_dump({"mockResponses": {"get_weather": {"fixtures": [{"match": 3, "response": 1}]}}})
    )
    with pytest.raises(ConfigError, match=r"broken\.yaml: mockResponses\.get_weather\.fixtures\[0\]\.match"):
        prepare_mock_namespace(sandbox, "bad", schema_file=schema, data_file=broken)
    with pytest.raises(ConfigError, match=r"faults: faults\.timeout: must be a probability"):
        prepare_mock_namespace(sandbox, "bad", schema_file=schema, faults={"timeout": 3})
    with pytest.raises(ConfigError, match="destructive: expected allow, exclude or deny"):
        prepare_mock_namespace(sandbox, "bad", schema_file=schema, destructive="maybe")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"no_such\.json"):
        prepare_mock_namespace(sandbox, "bad", schema_file=tmp_path / "no_such.json")
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"mockResponses": {"nope": {"defaultResponse": 1}}}))
    with pytest.raises(ConfigError, match=r"unknown\.json: mock data for 'nope', but no such tool"):
        prepare_mock_namespace(sandbox, "bad", schema_file=schema, data_file=unknown)

"""Tests for the __component__ component: build it, then call its tools in the sandbox.

Run them with `pytest __component__/`.
"""

import json
from pathlib import Path

import pytest

from tracefabric.sandbox import Sandbox
from tracefabric.sandbox.build import build_components

MANIFEST = Path(__file__).resolve().parent.parent / "__manifest__"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    build_components(MANIFEST, ["__component__"])  # cached: quick when nothing changed
    with Sandbox.in_process(MANIFEST, data_dir=tmp_path_factory.mktemp("kv"), pool_size=0) as sandbox:
        yield sandbox


def call(sandbox, tool, args):
    return sandbox.call("__component__", tool, args, session_id="test")


def test_converts_celsius_to_fahrenheit(sandbox):
    result = call(sandbox, "convert_temperature", {"value": 100, "from_unit": "C", "to_unit": "F"})
    assert result.success, result.result
    assert json.loads(result.result) == {"value": 212, "unit": "F"}


def test_below_absolute_zero_is_a_structured_error(sandbox):
    result = call(sandbox, "convert_temperature", {"value": -500, "from_unit": "C", "to_unit": "K"})
    assert not result.success
    assert result.error_type == "InvalidArguments"
    assert "absolute zero" in result.result


def test_the_host_checks_arguments_against_the_schema(sandbox):
    result = call(sandbox, "convert_temperature", {"value": 1, "from_unit": "X", "to_unit": "C"})
    assert result.error_type == "InvalidArguments"
    assert "from_unit" in result.result

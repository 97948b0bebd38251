"""The C guest SDK's corners, through a probe component: JSON, UTF-8, numbers, errors, KV, memory."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tracefabric.sandbox import Sandbox, ToolResult
from tracefabric.sandbox.build import sdk_dir

from .conftest import PROBE_SOURCE, write_manifest


@pytest.fixture
def probe(probe_wasm: Path, tmp_path: Path, data_dir: Path) -> Iterator[Sandbox]:
    manifest = write_manifest(
        tmp_path / "spin.toml",
        "probe",
        probe_wasm,
        grants='key_value_stores = ["default"]\nmemory_limit_mb = 32',
    )
    with Sandbox.in_process(manifest, data_dir=data_dir, pool_size=0) as sandbox:
        yield sandbox


def call(sandbox: Sandbox, tool: str, args: dict[str, Any] | None = None, session: str = "s1") -> ToolResult:
    return sandbox.call("probe", tool, args or {}, session_id=session)


def random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.choice(["int", "float", "str", "bool", "null"] + (["list", "dict"] if depth < 6 else []))
    if kind == "int":
        return rng.choice([0, -1, 2**53 + 1, -(2**63), 2**63 - 1, rng.randint(-(10**9), 10**9)])
    if kind == "float":
        return rng.choice([0.5, -2.25, 1e-7, 3.0e100, rng.uniform(-1e6, 1e6)])
    if kind == "str":
        alphabet = 'aZ09 "\\/\n\t\x00\x1f\x7fé€😀\u2028'
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "list":
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    keys = [f"k{i}{rng.choice('é😀x')}" for i in range(rng.randint(0, 5))]
    return {key: random_json(rng, depth + 1) for key in keys}


def assert_close(got: Any, want: Any) -> None:
    """Equal, except floats: the SDK writes 15 significant digits."""
    if isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-14, abs=1e-300)
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_close(g, w)
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want)
        for key in want:
            assert_close(got[key], want[key])
    else:
        assert got == want and type(got) is type(want)


def test_json_round_trips_through_the_sdk(probe: Sandbox) -> None:
    rng = random.Random(1234)
    for _ in range(60):
        document = {"doc": random_json(rng)}
        answer = call(probe, "echo", document)
        assert answer.success, answer.result
        assert_close(json.loads(answer.result), document)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": [1, 2', "offset 11: expected ',' or ']'"),
        ('{"a" 1}', "offset 5: expected ':'"),
        ("[1, 2] x", "offset 7: unexpected text after the value"),
        ("01", "offset 1: unexpected text after the value"),
        ("1.", "invalid number"),
        ('"abc', "unterminated string"),
        ('"a\\x"', "invalid escape"),
        ('"\\u12"', "invalid \\u escape"),
        ('"tab\there"', "control character in string"),
        ("tru", "unexpected character"),
        ("", "unexpected end of input"),
        ("[" * 100 + "]" * 100, "nested too deeply"),
    ],
)
def test_malformed_json_is_a_structured_error_with_the_offset(
    probe: Sandbox, text: str, message: str
) -> None:
    answer = call(probe, "parse", {"text": text})
    assert (answer.success, answer.error_type) == (False, "InvalidArguments")
    assert answer.result.startswith("invalid JSON at offset") and message in answer.result


def test_every_truncation_of_a_document_is_handled(probe: Sandbox) -> None:
    text = json.dumps({"a": [1, -2.5e-3, "é😀\\n", {"b": None, "c": True}], "d": "\u0000"})
    for cut in range(len(text)):
        answer = call(probe, "parse", {"text": text[:cut]})
        assert answer.error_type == "InvalidArguments", (cut, answer)
    assert json.loads(call(probe, "parse", {"text": text}).result) == json.loads(text)


def test_escapes_and_surrogates_decode_to_utf8(probe: Sandbox) -> None:
    assert call(probe, "parse", {"text": '"\\ud83d\\ude00 \\u00e9 \\/"'}).result == '"😀 é /"'
    assert (
        call(probe, "parse", {"text": '"\\ud800x"'}).result == '"\ufffdx"'
    )  # a lone surrogate can't be UTF-8


def test_typed_getters(probe: Sandbox) -> None:
    answer = call(
        probe, "inspect", {"i": 3, "f": 2.0, "x": 3.5, "s": "abc", "b": True, "n": None, "a": [1, 2]}
    )
    facts = json.loads(answer.result)
    assert facts["i"] == {"kind": 2, "len": 0, "is_int": True, "int": 3, "number": 3, "bool": False}
    assert facts["f"]["int"] == 2 and facts["f"]["is_int"] is False  # integral doubles read as ints
    assert facts["x"]["int"] == -1 and facts["x"]["number"] == 3.5  # others fall back
    assert facts["s"]["len"] == 3 and facts["a"]["len"] == 2 and facts["b"]["bool"] is True
    assert facts["n"]["kind"] == 0


def test_formatting_without_libc_stdio(probe: Sandbox) -> None:
    assert call(probe, "format").result == (
        "-42|-9223372036854775808|7|ff|str|abc|z|%|0.1|1e+21|1.5e-7|-2.5|123456.789|99|0.333333333333333"
    )


def test_invalid_utf8_in_a_result_becomes_replacement_characters(probe: Sandbox) -> None:
    answer = call(probe, "invalid_utf8")
    assert answer.success and answer.result == "ok \ufffd\ufffd done € \ufffd"


@pytest.mark.parametrize(
    ("tool", "error_type", "message"),
    [
        ("unbalanced", "ComponentError", "tool 'unbalanced' wrote an invalid JSON result"),
        ("silent_failure", "ComponentError", "tool 'silent_failure' failed without an error message"),
        ("custom_error", "QuotaExceeded", "custom: over"),
    ],
)
def test_errors_are_structured(probe: Sandbox, tool: str, error_type: str, message: str) -> None:
    answer = call(probe, tool, {"text": "over"})
    assert (answer.success, answer.error_type) == (False, error_type)
    assert message in answer.result


def test_key_value_through_the_store_resource(probe: Sandbox) -> None:
    answer = call(probe, "kv_roundtrip", {"key": "k☃/1", "value": "v\u0000é"})
    assert json.loads(answer.result) == {
        "existed": False,
        "found": True,
        "value": "v\u0000é",
        "nul_terminated": True,
        "keys": ["k☃/1"],
        "exists_after_delete": False,
    }
    denied = call(probe, "kv_roundtrip", {"label": "secrets", "key": "k"})
    assert denied.error_type == "CapabilityDenied"
    assert "key-value store 'secrets' is not granted to component 'probe'" in denied.result


def test_call_memory_is_freed_after_each_call(probe: Sandbox) -> None:
    # 12 x 8 MiB in one instance under a 32 MiB limit: only works if each call's arena is freed.
    for _ in range(12):
        answer = call(probe, "allocate", {"bytes": 8 * 1024 * 1024})
        assert answer.success, answer.result
    too_big = call(probe, "allocate", {"bytes": 64 * 1024 * 1024})
    assert (too_big.success, too_big.error_type) == (False, "ResourceExhausted")
    assert call(probe, "allocate", {"bytes": 1024}).success  # and the instance goes on


def _sanitizers_available(compiler: str, folder: Path) -> bool:
    probe_c = folder / "asan_probe.c"
    probe_c.write_text("int main(void) { return 0; }\n")
    result = subprocess.run(
        [compiler, "-fsanitize=address,undefined", str(probe_c), "-o", str(folder / "asan_probe")],
        capture_output=True,
    )
    return result.returncode == 0


def test_request_handling_is_memory_safe_under_sanitizers(tmp_path: Path) -> None:
    """The SDK compiled natively with AddressSanitizer + UBSan, fed truncated and mutated requests."""
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None or not _sanitizers_available(compiler, tmp_path):
        pytest.skip("no C compiler with AddressSanitizer here")
    binary = tmp_path / "fuzz"
    harness = PROBE_SOURCE.parent / "fuzz_native.c"
    flags = ["-std=c11", "-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
    subprocess.run(
        [compiler, *flags, "-Wno-attributes", f"-I{sdk_dir()}", str(harness), "-lm", "-o", str(binary)],
        check=True,
        capture_output=True,
    )
    run = subprocess.run(
        [str(binary)], capture_output=True, text=True, env={**os.environ, "ASAN_OPTIONS": "detect_leaks=0"}
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("ok ")

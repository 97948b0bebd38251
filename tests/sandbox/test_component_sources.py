"""A component `source` that is not a WebAssembly component: exit 2, one line, never its content.

wasmtime reads anything without the wasm header as WAT text and quotes the offending line in
its error; pointed at /etc/passwd, that printed the file's first line. Every command that
loads a manifest is run here as a user runs it, on files that are not components.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from wasmtime import wat2wasm

SECRET = "TOP-SECRET-LINE root:x:0:0"
PASSWD = Path("/etc/passwd")

COMMANDS = {
    "tools list": ["tools", "list", "--manifest", "spin.toml"],
    "tools call": ["tools", "call", "bad", "anything", "--manifest", "spin.toml"],
    "serve": ["serve", "--manifest", "spin.toml", "--port", "0"],
    "validate": ["validate", "run.yaml"],
    "generate": ["generate", "run.yaml"],
}
RUN_CONFIG = """
llm: {provider: openai, base_url: "http://127.0.0.1:9/v1", api_key_env: TRACEFABRIC_TEST_KEY}
topics: {prompt: "anything", depth: 1, degree: 2}
generation:
  kind: agent
  tools: {manifest: spin.toml, components: [bad]}
output: {path: out/dataset.jsonl, num_samples: 2}
"""


def _component_bytes() -> bytes:
    return wat2wasm('(component (core module (func (export "f") (result i32) i32.const 42)))')


def _manifest(folder: Path, source: str, build: str | None = None) -> None:
    text = f'spin_manifest_version = 2\n[application]\nname = "t"\n[component.bad]\nsource = "{source}"\n'
    if build:
        text += f'[component.bad.build]\ncommand = "{build}"\n'
    (folder / "spin.toml").write_text(text)
    (folder / "run.yaml").write_text(RUN_CONFIG)


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", *args],
        cwd=folder,
        env={**os.environ, "TRACEFABRIC_TEST_KEY": "k", "TRACEFABRIC_QUIET": "0"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _assert_refused(result: subprocess.CompletedProcess[str], needle: str, forbidden: list[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    lines = [line for line in output.splitlines() if needle in line]
    assert len(lines) == 1, output  # one line names the problem...
    assert "Traceback" not in output
    for text in forbidden:
        assert text not in output  # ...and nothing of the file is shown


BAD_FILES = {
    "text": (SECRET + "\nsecond line\n").encode(),
    "empty": b"",
    "truncated": _component_bytes()[:20],
    "header then text": b"\0asm\x0d\x00\x01\x00" + SECRET.encode() * 4,
    "core module": wat2wasm("(module)"),
}
REASONS = {
    "text": "does not start with the \\0asm header",
    "empty": "is empty",
    "truncated": "not a valid WebAssembly component",
    "header then text": "not a valid WebAssembly component",
    "core module": "is a core WebAssembly module, not a component",
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
@pytest.mark.parametrize("command", ["tools call", "validate"])
def test_a_file_that_is_not_a_component_is_refused_in_one_line(
    tmp_path: Path, kind: str, command: str
) -> None:
    (tmp_path / "bad.wasm").write_bytes(BAD_FILES[kind])
    _manifest(tmp_path, "bad.wasm")
    result = _run(tmp_path, *COMMANDS[command])
    _assert_refused(result, REASONS[kind], [SECRET, "second line", "TOP-SECRET"])
    assert "component 'bad'" in result.stderr and "bad.wasm" in result.stderr


@pytest.mark.skipif(not PASSWD.is_file(), reason="needs /etc/passwd")
@pytest.mark.parametrize("command", list(COMMANDS))
def test_etc_passwd_through_a_relative_path_is_never_echoed(tmp_path: Path, command: str) -> None:
    traversal = os.path.relpath(PASSWD, tmp_path)  # ../../../etc/passwd
    assert traversal.startswith("..")
    _manifest(tmp_path, traversal)
    first_line = PASSWD.read_text(errors="replace").splitlines()[0]
    result = _run(tmp_path, *COMMANDS[command])
    _assert_refused(result, "is not a WebAssembly component", [first_line, first_line.split(":")[0] + ":x:"])
    assert not (tmp_path / "out").exists()  # generate stopped before any work


def test_a_build_command_that_produces_something_else_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n")
    _manifest(tmp_path, "bad.wasm", build=f"cp {secret} bad.wasm")
    result = _run(tmp_path, "component", "build", "--manifest", "spin.toml")
    _assert_refused(result, "the build command succeeded, but its source", [SECRET])


def test_tools_list_still_lists_the_good_components(tmp_path: Path) -> None:
    (tmp_path / "bad.wasm").write_text(SECRET)
    _manifest(tmp_path, "bad.wasm")
    with (tmp_path / "spin.toml").open("a") as handle:
        handle.write('[component.vfs]\nsource = "builtin:vfs"\nkey_value_stores = ["default"]\n')
    result = _run(tmp_path, "tools", "list", "--manifest", "spin.toml")
    _assert_refused(result, "does not start with the \\0asm header", [SECRET])
    assert "read_file" in result.stdout


def test_wat_errors_give_the_position_not_the_text(tmp_path: Path) -> None:
    from tracefabric.errors import ConfigError
    from tracefabric.sandbox.engine import CompileCache, WasmEngine

    source = tmp_path / "broken.wat"
    source.write_text(f"(component\n  {SECRET} '\x01')\n")
    with pytest.raises(ConfigError) as caught:
        CompileCache(WasmEngine.shared(), tmp_path / "cache").load(source, "broken")
    message = str(caught.value).split("broken.wat", 1)[1]
    assert message == " is not valid WebAssembly text: expected `(` (line 2, column 3)"


def test_special_files_and_folders_are_refused_without_reading_them(tmp_path: Path) -> None:
    from tracefabric.sandbox.engine import InvalidComponentFile, read_component_file

    with pytest.raises(InvalidComponentFile, match="not a regular file"):
        read_component_file(Path("/dev/zero"))  # would never end
    with pytest.raises(InvalidComponentFile, match="is a folder"):
        read_component_file(tmp_path)


def test_an_unknown_builtin_is_a_manifest_error(tmp_path: Path) -> None:
    _manifest(tmp_path, "builtin:../../vfs")
    result = _run(tmp_path, "tools", "list", "--manifest", "spin.toml")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: spin.toml: component.bad.source: 'builtin:../../vfs' is not a built-in component "
        "(built-ins: builtin:github, builtin:mock, builtin:vfs)"
    ]


def test_a_valid_component_still_loads(tmp_path: Path) -> None:
    from tracefabric.sandbox.engine import CompileCache, WasmEngine

    (tmp_path / "ok.wasm").write_bytes(_component_bytes())
    cache = CompileCache(WasmEngine.shared(), tmp_path / "cache")
    assert cache.load(tmp_path / "ok.wasm", "ok") is not None

"""`tracefabric component build`: Spin's build semantics, progress, and failures that say what to do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tracefabric.errors import ConfigError
from tracefabric.sandbox.build import ToolchainMissing, build_components
from tracefabric.sandbox.build import c as c_build

from .conftest import run_cli


def manifest_with_build(
    folder: Path, command: str, *, source: str = "out.wasm", workdir: str | None = None
) -> Path:
    build = f"command = {json.dumps(command)}\n" + (f"workdir = {json.dumps(workdir)}\n" if workdir else "")
    path = folder / "spin.toml"
    path.write_text(
        f'spin_manifest_version = 2\n[application]\nname = "b"\n'
        f"[component.broken]\nsource = {json.dumps(source)}\n[component.broken.build]\n{build}"
    )
    return path


def test_a_failing_build_reports_its_command_and_output(tmp_path: Path) -> None:
    command = "echo compiling tools.c; echo 'tools.c:3: error: missing semicolon' >&2; exit 3"
    manifest_with_build(tmp_path, command)
    result = run_cli("component", "build", cwd=tmp_path)
    assert result.returncode == 1
    assert "building component 'broken' failed (exit status 3)" in result.stderr
    assert f"command: {command}" in result.stderr
    assert "compiling tools.c" in result.stderr
    assert "tools.c:3: error: missing semicolon" in result.stderr
    assert "[1/1] building broken" in result.stdout


def test_a_missing_program_is_named(tmp_path: Path) -> None:
    manifest_with_build(tmp_path, "no-such-compiler-4711 --release")
    result = run_cli("component", "build", cwd=tmp_path)
    assert result.returncode == 1
    assert "`no-such-compiler-4711` was not found" in result.stderr


def test_a_build_that_produces_no_component_fails(tmp_path: Path) -> None:
    manifest_with_build(tmp_path, "true")
    result = run_cli("component", "build", cwd=tmp_path)
    assert result.returncode == 1
    assert "component.broken.source" in result.stderr and "was not produced" in result.stderr


def test_commands_run_in_workdir_with_the_interpreter_running_tracefabric(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    # A component header (the runner checks the output is one), then the interpreter's path.
    header = "bytes([0, 97, 115, 109, 13, 0, 1, 0])"
    write = f"import pathlib, sys; pathlib.Path('out.wasm').write_bytes({header} + sys.executable.encode())"
    manifest = manifest_with_build(tmp_path, f'python -c "{write}"', source="sub/out.wasm", workdir="sub")
    progress: list[str] = []
    outcomes = build_components(manifest, echo=progress.append)
    assert [o.component for o in outcomes] == ["broken"]
    assert outcomes[0].workdir == (tmp_path / "sub").resolve()
    assert (
        Path((tmp_path / "sub" / "out.wasm").read_bytes()[8:].decode()).parent == Path(sys.executable).parent
    )
    assert progress[0].startswith("[1/1] building broken: python -c")
    assert progress[-1].startswith("[1/1] built broken in ")


def test_manifest_mistakes_exit_2_naming_the_field(tmp_path: Path) -> None:
    manifest_with_build(tmp_path, "true", workdir="missing")
    result = run_cli("component", "build", cwd=tmp_path)
    assert result.returncode == 2
    assert "component.broken.build.workdir" in result.stderr
    unknown = run_cli("component", "build", "nope", cwd=tmp_path)
    assert unknown.returncode == 2 and "no component named 'nope'" in unknown.stderr
    absent = run_cli("component", "build", "--manifest", str(tmp_path / "absent.toml"))
    assert absent.returncode == 2 and "absent.toml does not exist" in absent.stderr


def test_a_component_without_build_section(tmp_path: Path) -> None:
    path = tmp_path / "spin.toml"
    path.write_text(
        'spin_manifest_version = 2\n[application]\nname = "b"\n[component.a]\nsource = "a.wasm"\n'
    )
    with pytest.raises(ConfigError, match=r"component\.a\.build"):
        build_components(path, ["a"])
    result = run_cli("component", "build", cwd=tmp_path)
    assert result.returncode == 0 and "nothing to build" in result.stdout


def test_a_stale_wit_copy_is_reported(tmp_path: Path) -> None:
    (tmp_path / "c" / "wit").mkdir(parents=True)
    (tmp_path / "c" / "wit" / "tool.wit").write_text("package tracefabric:tool@0.0.1;\n")
    header = "import pathlib; pathlib.Path('out.wasm').write_bytes(bytes([0, 97, 115, 109, 13, 0, 1, 0]))"
    manifest = manifest_with_build(tmp_path, f'python -c "{header}"', source="c/out.wasm", workdir="c")
    progress: list[str] = []
    build_components(manifest, echo=progress.append)
    assert any(line.startswith("warning: ") and "tracefabric component wit" in line for line in progress)


def test_a_missing_c_toolchain_names_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "app.c").write_text("int x;\n")
    manifest_with_build(tmp_path, "python -m tracefabric.sandbox.build c -o out.wasm app.c")
    result = run_cli("component", "build", cwd=tmp_path, env={"TRACEFABRIC_CLANG": "/nonexistent/clang"})
    assert result.returncode == 1
    assert "cannot build component 'broken'" in result.stderr
    assert "clang not found" in result.stderr
    assert "apt-get install clang lld wasi-libc libclang-rt-dev-wasm32" in result.stderr


def test_every_missing_piece_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(c_build, "_clang", lambda: None)
    monkeypatch.setattr(c_build, "_wasm_tools", lambda: None)
    monkeypatch.setenv("WASI_SYSROOT", "/nonexistent/sysroot")
    with pytest.raises(ToolchainMissing) as caught:
        c_build.find_c_toolchain()
    message = str(caught.value)
    assert "clang" in message and "wasi-libc" in message and "wasm-tools" in message
    assert "apt-get install clang lld wasi-libc libclang-rt-dev-wasm32" in message
    assert "pip install 'tracefabric[c]'" in message


def test_c_compiler_errors_are_shown_with_the_command(c_toolchain: None, tmp_path: Path) -> None:
    (tmp_path / "app.c").write_text('#include "tracefabric.h"\nstatic int broken(void) { return 1 }\n')
    manifest_with_build(tmp_path, "python -m tracefabric.sandbox.build c -o out.wasm app.c")
    result = run_cli("component", "build", cwd=tmp_path)
    assert result.returncode == 1
    assert "command: python -m tracefabric.sandbox.build c -o out.wasm app.c" in result.stderr
    assert "compiling failed" in result.stderr and "expected ';'" in result.stderr


C_WITH_STDIO = """#include <stdio.h>
#include "tracefabric.h"
static int hello(tf_call *call, const tf_json *args) {
    (void)args;
    printf("hello\\n");
    return tf_result_text(call, TF_STR("hi"));
}
static const tf_tool TOOLS[] = {{"hello", "Say hello", NULL, hello}};
TF_COMPONENT("hello", TOOLS);
"""


def test_c_code_that_would_import_wasi_is_refused(c_toolchain: None, tmp_path: Path) -> None:
    (tmp_path / "app.c").write_text(C_WITH_STDIO)
    manifest_with_build(tmp_path, "python -m tracefabric.sandbox.build c -o out.wasm app.c")
    result = run_cli("component", "build", cwd=tmp_path)
    assert result.returncode == 1
    assert "outside the tracefabric:tool world" in result.stderr
    assert "wasi_snapshot_preview1.fd_write" in result.stderr and "tf_log" in result.stderr
    assert not (tmp_path / "out.wasm").exists()


def test_an_invalid_schema_fails_the_build_not_the_first_call(c_toolchain: None, tmp_path: Path) -> None:
    source = C_WITH_STDIO.replace("#include <stdio.h>\n", "").replace('printf("hello\\n");', "")
    source = source.replace(
        '"Say hello", NULL', '"Say hello", "{\\"type\\": \\"object\\", \\"properties\\": [}"'
    )
    (tmp_path / "app.c").write_text(source)
    manifest_with_build(tmp_path, "python -m tracefabric.sandbox.build c -o out.wasm app.c")
    result = run_cli("component", "build", cwd=tmp_path)
    assert result.returncode == 1
    assert "tool 'hello': input_schema: invalid JSON at offset 34" in result.stderr


def test_the_build_module_checks_its_arguments(tmp_path: Path) -> None:
    no_sources = run_cli_module("c", "-o", "x.wasm", cwd=tmp_path)
    assert no_sources.returncode == 2 and "give the C sources" in no_sources.stderr
    no_folder = run_cli_module("python", "missing", "-o", "x.wasm", cwd=tmp_path)
    assert no_folder.returncode == 1 and "missing does not exist" in no_folder.stderr
    (tmp_path / "src").mkdir()
    no_module = run_cli_module("python", "--module", "app", "-o", "x.wasm", cwd=tmp_path)
    assert no_module.returncode == 1 and "module 'app' not found" in no_module.stderr
    sdk = run_cli_module("c", "--sdk-dir", cwd=tmp_path)
    assert (Path(sdk.stdout.strip()) / "tracefabric.h").is_file()


def run_cli_module(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracefabric.sandbox.build", *args], cwd=cwd, capture_output=True, text=True
    )

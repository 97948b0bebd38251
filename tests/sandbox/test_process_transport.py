"""The sandbox in child processes: start-up errors, a dead child, sessions kept together."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracefabric.errors import ConfigError, SandboxError
from tracefabric.sandbox import Sandbox


def test_start_up_errors_are_config_errors(tmp_path: Path) -> None:
    manifest = tmp_path / "spin.toml"
    manifest.write_text(
        'spin_manifest_version = 2\n[application]\nname = "t"\n[component.x]\nsource = "missing.wasm"\n'
    )
    with pytest.raises(ConfigError, match=r"missing\.wasm does not exist"):
        Sandbox.subprocess(manifest, data_dir=tmp_path / "kv")


def test_a_session_stays_in_one_process_and_sees_its_own_files(data_dir: Path) -> None:
    with Sandbox.subprocess(data_dir=data_dir, processes=3) as sandbox:
        for n in range(12):
            sandbox.call("vfs", "write_file", {"file_path": f"{n}.txt", "content": str(n)}, f"s{n}")
        for n in range(12):
            assert sandbox.call("vfs", "read_file", {"file_path": f"{n}.txt"}, f"s{n}").result == str(n)
            assert sandbox.call("vfs", "list_files", {}, f"s{n}").result == f'["{n}.txt"]'
        assert sum(sandbox.end_session(f"s{n}") for n in range(12)) == 12


async def test_async_calls_and_a_dead_child(data_dir: Path) -> None:
    sandbox = Sandbox.subprocess(data_dir=data_dir, processes=1)
    try:
        result = await sandbox.acall("vfs", "write_file", {"file_path": "a", "content": "b"}, "s1")
        assert result.success
        (worker,) = sandbox.transport._workers  # type: ignore[attr-defined]
        worker.process.kill()
        worker.process.wait()
        with pytest.raises(SandboxError) as caught:
            await sandbox.acall("vfs", "read_file", {"file_path": "a"}, "s1")
        assert caught.value.error_type == "ServiceUnavailable"
    finally:
        await sandbox.aclose()

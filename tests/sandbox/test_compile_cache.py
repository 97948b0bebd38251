"""Components are compiled once per machine: a second process reuses the serialized artifact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, sys
from tracefabric.sandbox.host import SandboxHost
host = SandboxHost(data_dir=sys.argv[1], pool_size=0)
result = host.execute("vfs", "write_file", {"file_path": "a", "content": "b"}, "s")
print(json.dumps({"compiles": host.compile_cache.compiles, "hits": host.compile_cache.hits,
                  "ok": result["success"]}))
"""


def run(data_dir: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data_dir)], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_second_process_reuses_the_compiled_artifact(tmp_path: Path) -> None:
    run(tmp_path / "a")  # compiles if this machine never did
    second = run(tmp_path / "b")
    assert second == {"compiles": 0, "hits": 1, "ok": True}


def test_artifact_key_covers_wasm_and_engine(tmp_path: Path) -> None:
    from tracefabric.sandbox.engine import CompileCache, WasmEngine

    cache = CompileCache(WasmEngine.shared(), tmp_path)
    one, two = tmp_path / "one.wat", tmp_path / "two.wat"
    one.write_text("(component)")
    two.write_text("(component (core module))")
    assert cache.artifact_path(one) != cache.artifact_path(two)
    assert "wasmtime=" in WasmEngine.shared().fingerprint
    cache.load(one, "one")
    cache.load(one, "one")
    assert (cache.compiles, cache.hits) == (1, 1)
    # A corrupt artifact is rebuilt, not trusted.
    cache.artifact_path(one).write_bytes(b"garbage")
    cache.load(one, "one")
    assert cache.compiles == 2

"""Compile a component once per machine and reuse the serialized artifact across processes.

Key: sha256 of the wasm bytes + the engine fingerprint (config, wasmtime version, arch).
Writers take a file lock and rename atomically, so concurrent processes compile once and
readers never see a partial file. The source is checked before wasmtime sees it (see
`wasm_file`): a file that is not a component is refused without quoting it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wasmtime import WasmtimeError
from wasmtime.component import Component

from tracefabric import paths, progress
from tracefabric.errors import ConfigError

from .engine import WasmEngine
from .wasm_file import InvalidComponentFile, compile_component, read_component_file


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class CompileCache:
    def __init__(self, engine: WasmEngine, directory: Path | None = None) -> None:
        self.engine = engine
        self.directory = (directory or paths.cache_dir()) / "compiled"
        self.hits = 0
        self.compiles = 0

    def key(self, wasm_sha256: str) -> str:
        return hashlib.sha256(f"{wasm_sha256}|{self.engine.fingerprint}".encode()).hexdigest()[:32]

    def artifact_path(self, wasm: Path) -> Path:
        return self.directory / f"{self.key(sha256_file(wasm))}.cwasm"

    def load(self, wasm: Path, label: str) -> Component:
        """The compiled component; `ConfigError` naming `label` when `wasm` is not a component."""
        try:
            data = read_component_file(wasm)
        except InvalidComponentFile as exc:
            raise ConfigError(f"component {label!r}: {exc}") from None
        artifact = self.directory / f"{self.key(hashlib.sha256(data).hexdigest())}.cwasm"
        component = self._try_deserialize(artifact)
        if component is not None:
            self.hits += 1
            return component
        with file_lock(artifact.with_suffix(".lock")):
            component = self._try_deserialize(artifact)  # another process may have finished it
            if component is not None:
                self.hits += 1
                return component
            # Announced only if it takes a while: an invalid file fails at once, with just its error.
            message = f"compiling component {label!r} for this machine (first run only)"
            with progress.step(message, delay=0.5):
                try:
                    component = compile_component(self.engine.engine, data, wasm)
                except InvalidComponentFile as exc:
                    raise ConfigError(f"component {label!r}: {exc}") from None
                tmp = artifact.with_suffix(f".tmp{os.getpid()}")
                tmp.write_bytes(component.serialize())
                os.replace(tmp, artifact)
            self.compiles += 1
            return component

    def _try_deserialize(self, artifact: Path) -> Component | None:
        if not artifact.exists():
            return None
        try:
            return Component.deserialize_file(self.engine.engine, str(artifact))
        except WasmtimeError:
            artifact.unlink(missing_ok=True)  # stale or corrupt: compile again
            return None

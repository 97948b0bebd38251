"""The tool environment of an agent run: the sandbox, the seed files, mock tool sets.

Built from the config by the generator, and rebuilt the same way by `tracefabric verify`
to replay a dataset.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tracefabric.config import RunConfig, ToolsConfig
from tracefabric.errors import ConfigError, SandboxError

from .seed import SeedFiles, load_seed


def resolve_input(base_dir: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base_dir / path


def _manifest(tools: ToolsConfig, base_dir: Path) -> Any:
    """The run's manifest, having checked that it has every component the config names."""
    from tracefabric.sandbox.manifest import load_manifest

    manifest = load_manifest(resolve_input(base_dir, tools.manifest) if tools.manifest else None)
    missing = [name for name in tools.component_filter() if name not in manifest.component]
    if missing:
        raise ConfigError(
            f"generation.tools.components: no component {missing[0]!r} in the manifest "
            f"(it has: {', '.join(manifest.component)})"
        )
    return manifest


def check_tools(config: RunConfig, base_dir: Path) -> None:
    """Before any LLM call (`generate`, `validate`): an agent run's manifest loads, has the
    components the config names, and their sources exist and compile (cached for the run)."""
    tools = config.generation.tools
    if config.generation.kind != "agent" or tools is None or tools.endpoint:
        return
    from tracefabric.sandbox.host import check_component_sources

    check_component_sources(_manifest(tools, base_dir), tools.component_filter())


class ToolEnvironment:
    def __init__(self, tools: ToolsConfig, base_dir: Path, *, sandbox: Any = None) -> None:
        self.tools = tools
        self.base_dir = base_dir
        self.namespace = tools.namespace or (tools.mock.namespace if tools.mock else None)
        self.sandbox = sandbox if sandbox is not None else self._open_sandbox()
        self.owns_sandbox = sandbox is None
        self.components = {c.get("name"): c for c in self._components()}
        self.seed: SeedFiles = load_seed(tools.scenario_seed, base_dir)
        if self.seed.files and "vfs" not in self.components:
            raise ConfigError("generation.tools.scenario_seed needs the 'vfs' component in the manifest")
        self._prepare_mock()

    def _open_sandbox(self) -> Any:
        from tracefabric.sandbox import Sandbox

        tools = self.tools
        if tools.endpoint:
            token = os.environ.get(tools.token_env) if tools.token_env else None
            return Sandbox.connect(tools.endpoint, token=token)
        manifest = _manifest(tools, self.base_dir)
        # Naming a component that ships disabled (e.g. github) in the config turns it on.
        enable = list(tools.component_filter())
        if tools.sandbox == "process":
            path = resolve_input(self.base_dir, tools.manifest) if tools.manifest else None
            seeds_vfs = tools.scenario_seed is not None and "vfs" in manifest.component
            preload = [*enable, "vfs"] if seeds_vfs and "vfs" not in enable else enable
            return Sandbox.subprocess(path, enable=enable, variables=tools.variables, preload=preload)
        sandbox = Sandbox.in_process(manifest, enable=enable, variables=tools.variables)
        try:
            for name in enable:  # as the process sandbox does: a component that can't load fails here
                sandbox.transport.host.runtime(name)
        except BaseException:
            sandbox.close()
            raise
        return sandbox

    def _components(self) -> list[dict[str, Any]]:
        try:
            return self.sandbox.components()
        except SandboxError:
            return [{"name": name} for name in self.tools.component_filter()]

    def _prepare_mock(self) -> None:
        mock = self.tools.mock
        if mock is None:
            return
        from tracefabric.mock import prepare_mock_namespace

        prepare_mock_namespace(
            self.sandbox,
            namespace=self.namespace or "default",
            schema_file=resolve_input(self.base_dir, mock.schema_file),
            data_file=resolve_input(self.base_dir, mock.data) if mock.data else None,
            faults=mock.faults,
            destructive=mock.destructive,
        )

    def deterministic(self, component: str) -> bool:
        return bool(self.components.get(component, {}).get("deterministic", True))

    async def start_session(self, session: str) -> None:
        """A fresh session (a retried attempt never sees leftovers) holding the seed files."""
        from ..base import SampleError

        if not self.seed.files:
            await self.end_session(session)
            return
        try:
            await self.sandbox.aseed_session(session, self.seed.files)
        except SandboxError as exc:
            raise SampleError("seed_failed", f"{exc.error_type}: {exc.message}") from None

    async def end_session(self, session: str) -> None:
        """Delete the session's data. Best effort: a failure here must not fail the sample, and
        a DeepFabric tools-sdk server only has the per-component route."""
        try:
            await self.sandbox.aend_session(session)
            return
        except SandboxError as exc:
            if exc.status != 404:
                return
        for component in self.tools.component_filter():
            try:
                await self.sandbox.aend_session(session, component)
            except SandboxError:
                continue

    async def aclose(self) -> None:
        if self.owns_sandbox:
            await self.sandbox.aclose()

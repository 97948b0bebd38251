"""Check a freshly built component the way the host will load it, and list its tools.

A build that produces a component the host cannot instantiate (wrong world, WASI imports)
or whose `describe` fails (an invalid inputSchema, a crash at import time) should fail
at build time, with the guest's own message, rather than at the first tool call.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from .errors import BuildError


def describe_component(wasm: Path) -> list[dict[str, Any]]:
    """The component's tool list, as the host sees it; `BuildError` if it can't be loaded."""
    from tracefabric.errors import TracefabricError
    from tracefabric.sandbox.host import SandboxHost
    from tracefabric.sandbox.host.context import CallContext
    from tracefabric.sandbox.manifest import Manifest

    stem = re.sub(r"[^a-z0-9_-]", "-", wasm.stem.lower()).strip("-_")
    name = stem if stem and stem[0].isalpha() else "component"

    manifest = Manifest.model_validate(
        {"application": {"name": "build-check"}, "component": {name: {"source": str(wasm.resolve())}}}
    )
    with (
        tempfile.TemporaryDirectory(prefix="tracefabric-check-") as data,
        SandboxHost(manifest, data_dir=data, pool_size=0) as host,
    ):
        try:
            runtime = host.runtime(name)
        except TracefabricError as exc:
            reason = _after_name(str(exc), name)
            raise BuildError(f"{wasm.name} does not load in the sandbox: {reason}") from None
        outcome = runtime.oneshot(
            CallContext(runtime.grants, "describe", None, "default"), {"kind": "describe"}
        )
    tools = outcome.payload.get("tools")
    if not isinstance(tools, list):
        message = outcome.payload.get("result") or "it answered without a tool list"
        raise BuildError(f"{wasm.name}: describe failed: {message}")
    return tools


def _after_name(message: str, name: str) -> str:
    prefix = f"component {name!r}"
    return message[len(prefix) :].lstrip(" :") if message.startswith(prefix) else message

"""`SandboxHost`: a manifest's components, runnable in this process.

This is the engine room behind both the in-process client and the tool server. It loads
components lazily (building and compiling them once, cached), validates arguments against
each tool's `inputSchema` before the guest runs, scopes every store to the call's session,
and turns traps into structured errors.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wasmtime import WasmtimeError

from tracefabric import paths
from tracefabric.errors import ConfigError, ErrorType, SandboxError
from tracefabric.guest.redact import Redactor
from tracefabric.sandbox.engine import CompileCache, WasmEngine
from tracefabric.sandbox.kv import KVBackend, KVQuota, SQLiteKV, session_scope
from tracefabric.sandbox.manifest import BUILTIN_PREFIX, Manifest, VariableResolver, load_manifest
from tracefabric.sandbox.validation import ArgumentError, SchemaValidators, invalid_text_path

from .budget import DEFAULT_MAX_INSTANCES, InstanceBudget
from .context import CallContext, ContextRegistry
from .extensions import HostExtension, load_extension
from .grants import Grants
from .imports import HostImports
from .logs import LIBRARY_FILTER
from .outbound import OutboundHTTP
from .runtime import CallOutcome, ComponentRuntime, PoolRefiller

# JSON Schema (ECMA-262) patterns, also published in the OpenAPI document. Python's `$` also
# matches before a trailing newline, so the checks use `fullmatch`.
SESSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
NAMESPACE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
SESSION_RE = re.compile(SESSION_PATTERN)
NAMESPACE_RE = re.compile(NAMESPACE_PATTERN)
DYNAMIC_DESCRIBE_TTL_S = 1.0


def check_session_id(session_id: Any) -> str:
    if not isinstance(session_id, str) or not SESSION_RE.fullmatch(session_id):
        raise SandboxError(
            ErrorType.INVALID_REQUEST,
            "session_id must be 1-128 characters of letters, digits, '.', '_', ':' or '-'",
        )
    return session_id


def check_namespace(namespace: Any) -> str:
    if namespace is None:
        return "default"
    if not isinstance(namespace, str) or not NAMESPACE_RE.fullmatch(namespace):
        raise SandboxError(
            ErrorType.INVALID_REQUEST, "namespace must be 1-64 characters of letters, digits, '.', '_' or '-'"
        )
    return namespace


@dataclass(frozen=True)
class ComponentInfo:
    name: str
    route: str
    description: str
    source: str
    key_value_stores: list[str]
    shared_key_value_stores: list[str]
    allowed_outbound_hosts: list[str]
    variables: list[str]
    deterministic: bool
    enabled: bool

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class SandboxHost:
    def __init__(
        self,
        manifest: Manifest | str | Path | None = None,
        *,
        data_dir: str | Path | None = None,
        kv: KVBackend | None = None,
        enable: Iterable[str] = (),
        variables: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
        pool_size: int = 0,
        max_instances: int | None = DEFAULT_MAX_INSTANCES,
        kv_quota: KVQuota | None = None,
    ) -> None:
        """`max_instances`: live session instances kept, across components (None: no limit);
        `kv_quota`: byte limits of the default SQLite store (ignored with your own `kv`)."""
        self.manifest = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
        for name in enable:
            if name not in self.manifest.component:
                raise ConfigError(f"--enable {name}: no component {name!r} in the manifest")
        self.enabled = {
            name for name, config in self.manifest.component.items() if config.enabled or name in set(enable)
        }
        self.resolver = VariableResolver(self.manifest, variables, environ)
        self.kv = kv or SQLiteKV(Path(data_dir) if data_dir else paths.data_dir() / "kv", quota=kv_quota)
        self.budget = InstanceBudget(max_instances)
        self.registry = ContextRegistry()
        # Secret variables' values, in every common encoding, are removed from everything the
        # host passes on: results, errors, meta, traces, management answers and guest logs.
        self.redactor = Redactor(self.resolver.secrets())
        if self.redactor:
            LIBRARY_FILTER.register(self.redactor)  # the HTTP libraries' own debug logs
        self.http = OutboundHTTP(scrub=self.scrub)
        self.imports = HostImports(self.registry, self.kv, self.http, self.scrub)
        self.engine = WasmEngine.shared()
        self.compile_cache = CompileCache(self.engine)
        self._linker: Any = None
        self._runtimes: dict[str, ComponentRuntime] = {}
        self._load_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._validators = SchemaValidators()
        self._describe_cache: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._extensions: dict[str, HostExtension | None] = {}
        self.pool_size = pool_size
        self._refiller = PoolRefiller() if pool_size > 0 else None

    # -- components -------------------------------------------------------------------
    def component_names(self) -> list[str]:
        return [name for name in self.manifest.component if name in self.enabled]

    def info(self, name: str) -> ComponentInfo:
        config = self.manifest.component[name]
        return ComponentInfo(
            name=name,
            route=self.manifest.route_prefix(name),
            description=config.description,
            source=config.source,
            key_value_stores=list(config.key_value_stores),
            shared_key_value_stores=list(config.shared_key_value_stores),
            allowed_outbound_hosts=list(config.allowed_outbound_hosts),
            variables=sorted(config.variables),
            deterministic=config.deterministic,
            enabled=name in self.enabled,
        )

    def components(self) -> list[ComponentInfo]:
        return [self.info(name) for name in self.component_names()]

    def _check_component(self, name: Any) -> str:
        if not isinstance(name, str) or name not in self.manifest.component:
            raise SandboxError(ErrorType.UNKNOWN_COMPONENT, f"no component named {name!r}", status=404)
        if name not in self.enabled:
            raise SandboxError(
                ErrorType.UNKNOWN_COMPONENT,
                f"component {name!r} is disabled; enable it with --enable {name} (or name it in the config)",
                status=404,
            )
        return name

    def runtime(self, name: str) -> ComponentRuntime:
        name = self._check_component(name)
        runtime = self._runtimes.get(name)
        if runtime is not None:
            return runtime
        with self._lock:
            lock = self._load_locks.setdefault(name, threading.Lock())
        with lock:
            runtime = self._runtimes.get(name)
            if runtime is None:
                runtime = self._load(name)
                self._runtimes[name] = runtime
        return runtime

    def _load(self, name: str) -> ComponentRuntime:
        wasm = self._wasm_path(name)
        component = self.compile_cache.load(wasm, name)
        with self._lock:
            if self._linker is None:
                self._linker = self.imports.link(self.engine.engine)
        grants = Grants.from_manifest(self.manifest, name, self.resolver)
        runtime = ComponentRuntime(
            name,
            grants,
            component,
            self._linker,
            self.registry,
            self.engine.engine,
            self.engine.ticks_for,
            budget=self.budget,
            pool_size=self.pool_size,
            refiller=self._refiller,
            running=self.engine.running,
        )
        try:
            runtime.oneshot(CallContext(grants, "describe", None, "default"), {"kind": "describe"})
        except WasmtimeError as exc:
            raise ConfigError(f"component {name!r} cannot be instantiated: {_first_line(exc)}") from None
        if self._refiller is not None:
            self._refiller.request(runtime)
        return runtime

    def _wasm_path(self, name: str) -> Path:
        source = self.manifest.component[name].source
        if source.startswith(BUILTIN_PREFIX):
            from tracefabric.sandbox.build import build_python, builtin

            builtin_name = source[len(BUILTIN_PREFIX) :]
            return build_python(builtin(builtin_name), builtin_name)
        path = self.manifest.resolve_path(source)
        if not path.exists():
            hint = (
                f" build it with `tracefabric component build {name}`"
                if self.manifest.component[name].build
                else ""
            )
            raise ConfigError(f"component {name!r}: source {path} does not exist;{hint or ' check the path'}")
        return path

    # -- tools ------------------------------------------------------------------------
    def describe(self, component: str, namespace: str = "default") -> dict[str, Any]:
        runtime = self.runtime(component)
        namespace = check_namespace(namespace)
        key = (component, namespace)
        cached = self._describe_cache.get(key)
        dynamic = bool(runtime.grants.shared_stores)
        if cached is not None and (not dynamic or time.monotonic() - cached[0] < DYNAMIC_DESCRIBE_TTL_S):
            return cached[1]
        outcome = runtime.oneshot(
            CallContext(runtime.grants, "describe", None, namespace),
            {"kind": "describe", "namespace": namespace},
        )
        payload = outcome.payload
        if not isinstance(payload.get("tools"), list):
            message = payload.get("result") if outcome.trapped else "describe returned no tool list"
            raise SandboxError(ErrorType.COMPONENT_ERROR, f"component {component!r}: {message}", status=500)
        self._describe_cache[key] = (time.monotonic(), payload)
        return payload

    def forget_tool_lists(self) -> None:
        """Drop cached tool lists (another process changed a component's shared state)."""
        self._describe_cache = {}

    def tools(self, component: str, namespace: str = "default") -> list[dict[str, Any]]:
        return list(self.describe(component, namespace)["tools"])

    def tool_schema(self, component: str, tool: str, namespace: str = "default") -> dict[str, Any] | None:
        for entry in self.tools(component, namespace):
            if entry.get("name") == tool:
                return entry
        return None

    def execute(
        self,
        component: str,
        tool: Any,
        args: Any,
        session_id: Any,
        *,
        namespace: str | None = None,
        trace: bool = False,
    ) -> dict[str, Any]:
        """Run one tool call: always `{"success", "result", "error_type"}` (+ "meta", "trace")."""
        session_id = check_session_id(session_id)
        namespace = check_namespace(namespace)
        runtime = self.runtime(component)
        if not isinstance(tool, str):
            raise SandboxError(ErrorType.INVALID_REQUEST, "tool must be a string")
        where = invalid_text_path(args)
        if where is not None:
            # The request itself can't be passed on (the guest takes UTF-8): refused like a
            # malformed request, whichever transport it came through.
            raise SandboxError(
                ErrorType.INVALID_ARGUMENTS,
                f"Invalid arguments for {tool}: {where}: not valid Unicode text (a lone surrogate)",
            )
        started = time.perf_counter()
        entry = self.tool_schema(component, tool, namespace)
        if entry is None:
            return self._finish(
                {"success": False, "result": f"Unknown tool: {tool}", "error_type": ErrorType.UNKNOWN_TOOL},
                None,
                trace,
                component,
                session_id,
                started,
            )
        try:
            args = self._validators.validate(tool, entry.get("inputSchema"), {} if args is None else args)
        except ArgumentError as exc:
            failure = {"success": False, "result": str(exc), "error_type": ErrorType.INVALID_ARGUMENTS}
            return self._finish(failure, None, trace, component, session_id, started)
        context = CallContext(runtime.grants, "execute", session_id, namespace)
        request = {
            "kind": "execute",
            "tool": tool,
            "args": args,
            "session_id": session_id,
            "namespace": namespace,
        }
        outcome = runtime.execute(context, request)
        payload = outcome.payload
        extension = self.extension(component)
        if extension is not None:
            payload = extension.after_execute(self, component, entry, payload)
        return self._finish(payload, outcome, trace, component, session_id, started)

    def _finish(
        self,
        payload: dict[str, Any],
        outcome: CallOutcome | None,
        trace: bool,
        component: str,
        session_id: str,
        started: float,
    ) -> dict[str, Any]:
        success = payload.get("success") is True
        result = payload.get("result", "")
        if not isinstance(result, str):
            import json

            result = json.dumps(result, ensure_ascii=False)
        error_type = None if success else str(payload.get("error_type") or ErrorType.COMPONENT_ERROR)
        response: dict[str, Any] = {"success": success, "result": result, "error_type": error_type}
        meta = payload.get("meta")
        if isinstance(meta, dict) and meta:
            response["meta"] = meta
        if trace:
            response["trace"] = {
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "fuel": outcome.fuel_used if outcome else 0,
                "executed": outcome is not None,
                "state_digest": self.session_digest(session_id, component),
            }
        return self.redactor.value(response)  # type: ignore[return-value]

    # -- management -------------------------------------------------------------------
    def manage(
        self,
        component: str,
        operation: str,
        body: Any = None,
        *,
        method: str = "POST",
        query: Mapping[str, str] | None = None,
        namespace: str | None = None,
    ) -> tuple[int, Any]:
        """A component's own operation (e.g. the mock's `load-schema`): (HTTP status, JSON body).

        A host-side extension of the component (see `extensions`) may serve it first."""
        namespace = check_namespace(namespace)
        self.runtime(component)
        extension = self.extension(component)
        if extension is not None:
            handled = extension.manage(
                self, component, operation, body, method=method, query=dict(query or {}), namespace=namespace
            )
            if handled is not None:
                return handled[0], self.redactor.value(handled[1])
        return self.guest_manage(component, operation, body, method=method, query=query, namespace=namespace)

    def guest_manage(
        self,
        component: str,
        operation: str,
        body: Any = None,
        *,
        method: str = "POST",
        query: Mapping[str, str] | None = None,
        namespace: str | None = None,
    ) -> tuple[int, Any]:
        """The operation as the guest itself serves it (no host-side extension)."""
        namespace = check_namespace(namespace)
        runtime = self.runtime(component)
        if operation not in self.describe(component, namespace).get("operations", []):
            return 404, {
                "success": False,
                "error": f"component {component!r} has no operation {operation!r}",
                "error_type": "UnknownOperation",
            }
        context = CallContext(runtime.grants, "manage", None, namespace)
        request = {
            "kind": "manage",
            "operation": operation,
            "method": method,
            "body": body,
            "query": dict(query or {}),
            "namespace": namespace,
        }
        outcome = runtime.oneshot(context, request)
        self._describe_cache = {k: v for k, v in self._describe_cache.items() if k[0] != component}
        payload = outcome.payload
        if outcome.trapped or "status" not in payload:
            error = payload.get("result", "the operation failed")
            failure = {"success": False, "error": error, "error_type": payload.get("error_type")}
            return 500, self.redactor.value(failure)
        status = payload.get("status")
        return (status if isinstance(status, int) else 500), self.redactor.value(payload.get("body"))

    def extension(self, component: str) -> HostExtension | None:
        """The host-side extension of a built-in component, if it has one (see `extensions`)."""
        source = self.manifest.component[component].source
        if source not in self._extensions:
            self._extensions[source] = load_extension(source)
        return self._extensions[source]

    # -- sessions ---------------------------------------------------------------------
    def _labels(self, component: str | None) -> list[str]:
        names = [component] if component else list(self.manifest.component)
        labels: list[str] = []
        for name in names:
            for label in self.manifest.component[name].key_value_stores:
                if label not in labels:
                    labels.append(label)
        return labels

    def end_session(self, session_id: Any, component: str | None = None) -> int:
        """Drop the session's instances and delete its data; returns the number of entries deleted."""
        session_id = check_session_id(session_id)
        if component is not None:
            self._check_component(component)
        for name, runtime in list(self._runtimes.items()):
            if component is None or name == component:
                runtime.end_session(session_id)
        scope = session_scope(session_id)
        return sum(self.kv.delete_scope(label, scope) for label in self._labels(component))

    def session_digest(self, session_id: str, component: str | None = None) -> str:
        """sha256 over the session's data in the component's stores: equal digests, equal state."""
        digest = hashlib.sha256()
        scope = session_scope(session_id)
        for label in sorted(self._labels(component)):
            for key, value in self.kv.items(label, scope):
                digest.update(f"{label}\0{key}\0{len(value)}\0".encode())
                digest.update(value)
        return digest.hexdigest()[:16]

    def sweep_idle_sessions(self, older_than_s: float) -> list[str]:
        """End sessions whose instances were idle for `older_than_s` (the server's TTL sweep)."""
        swept: set[str] = set()
        for runtime in list(self._runtimes.values()):
            swept.update(runtime.idle_sessions(older_than_s))
        for session_id in swept:
            self.end_session(session_id)
        return sorted(swept)

    def live_sessions(self) -> int:
        return sum(len(r.live_sessions()) for r in self._runtimes.values())

    # -- misc -------------------------------------------------------------------------
    def scrub(self, text: str) -> str:
        """`text` without any secret variable's value, in any of its common encodings."""
        return self.redactor(text)

    def close(self) -> None:
        LIBRARY_FILTER.unregister(self.redactor)
        if self._refiller is not None:
            self._refiller.close()
        self.http.close()
        self.kv.close()

    def __enter__(self) -> SandboxHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return type(exc).__name__

"""Declare tools and serve the host's requests: the heart of the guest SDK.

A component module declares tools with ``@component.tool`` and ends with
``WitWorld = component.export()`` (componentize-py looks for that class). The host sends
one JSON request per call:

- ``{"kind": "describe", "namespace": ...}`` → ``{"tools": [...], "operations": [...]}``
- ``{"kind": "execute", "tool", "args", "session_id", "namespace"}`` →
  ``{"success", "result", "error_type"}`` (+ ``"meta"`` when a tool sets it)
- ``{"kind": "manage", "operation", "method", "body", "query", "namespace"}`` →
  ``{"status": int, "body": json}``
- ``{"kind": "warmup", "labels": [...]}``: read-only exercise of the host calls, sent by the
  host to pooled instances before they serve a session.

Arguments arrive already validated against the tool's inputSchema by the host.
"""

from __future__ import annotations

import inspect
import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import ToolError
from .schema import function_schema


@dataclass
class Context:
    """What the current request is about. `meta` travels back to the host with the result."""

    kind: str = ""
    session_id: str | None = None
    namespace: str = "default"
    tool: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Tool:
    name: str
    description: str
    input_schema: dict[str, Any]
    handler: Callable[..., Any]
    title: str | None = None
    output_schema: dict[str, Any] | None = None
    annotations: dict[str, Any] | None = None

    def describe(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "inputSchema": self.input_schema,
        }
        if self.title:
            entry["title"] = self.title
        if self.output_schema:
            entry["outputSchema"] = self.output_schema
        if self.annotations:
            entry["annotations"] = self.annotations
        return entry


class ManageError(Exception):
    """Raised by a management operation: becomes an HTTP error with a JSON body."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


class Component:
    """A tool component. `warmup` lists read-only calls ``(tool, args)`` the host may run in
    an empty scratch session to warm a fresh instance before it serves a real session."""

    def __init__(self, name: str, *, warmup: list[tuple[str, dict[str, Any]]] | None = None) -> None:
        self.name = name
        self.warmup_calls = list(warmup or [])
        self.tools: dict[str, Tool] = {}
        self.operations: dict[str, Callable[..., Any]] = {}
        self._describe_hook: Callable[[str], list[dict[str, Any]]] | None = None
        self._execute_hook: Callable[[str, dict[str, Any]], Any] | None = None
        self.context = Context()

    # -- declaring --------------------------------------------------------------------
    def tool(
        self,
        name: str | None = None,
        *,
        description: str | None = None,
        input_schema: dict[str, Any] | None = None,
        title: str | None = None,
        output_schema: dict[str, Any] | None = None,
        annotations: dict[str, Any] | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Declare a tool. Without `input_schema`, one is derived from the signature."""

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            tool_name = name or func.__name__
            doc = inspect.getdoc(func) or ""
            self.tools[tool_name] = Tool(
                name=tool_name,
                description=description if description is not None else doc,
                input_schema=input_schema if input_schema is not None else function_schema(func),
                handler=func,
                title=title,
                output_schema=output_schema,
                annotations=annotations,
            )
            return func

        return register

    def operation(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Declare a management operation, served at `{prefix}/{name}` by the tool server.

        The handler receives ``(body, request)`` and returns a JSON-able value (HTTP 200) or
        raises `ManageError`.
        """

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            self.operations[name] = func
            return func

        return register

    def dynamic_tools(
        self, func: Callable[[str], list[dict[str, Any]]]
    ) -> Callable[[str], list[dict[str, Any]]]:
        """Tools that depend on stored state: `func(namespace)` returns MCP tool entries."""
        self._describe_hook = func
        return func

    def dynamic_execute(
        self, func: Callable[[str, dict[str, Any]], Any]
    ) -> Callable[[str, dict[str, Any]], Any]:
        """Run a tool that is not declared with `@tool`: `func(name, args)`."""
        self._execute_hook = func
        return func

    # -- serving ----------------------------------------------------------------------
    def handle(self, raw: str) -> str:
        try:
            request = json.loads(raw)
        except ValueError:
            return _dump(_failure("InvalidRequest", "request is not JSON"))
        kind = request.get("kind")
        self.context = Context(
            kind=kind or "",
            session_id=request.get("session_id"),
            namespace=request.get("namespace") or "default",
            tool=request.get("tool"),
        )
        try:
            if kind == "execute":
                return _dump(self._execute(request))
            if kind == "describe":
                return _dump(self._describe())
            if kind == "manage":
                return _dump(self._manage(request))
            if kind == "warmup":
                return _dump(self._warmup(request))
            return _dump(_failure("InvalidRequest", f"unknown request kind {kind!r}"))
        except MemoryError:
            return _dump(_failure("ResourceExhausted", "the component ran out of memory"))

    def _warmup(self, request: dict[str, Any]) -> dict[str, Any]:
        """Exercise the host-call paths once (read-only) so a fresh instance's first real call is fast."""
        from . import kv

        for label in request.get("labels") or []:
            try:
                kv.open(label).exists("\x00warmup")
            except ToolError:
                pass
        for tool, args in self.warmup_calls:
            self._execute({"tool": tool, "args": args})
        kv._open_cache.clear()
        self.context = Context()
        return {"ok": True}

    def _describe(self) -> dict[str, Any]:
        tools = [tool.describe() for tool in self.tools.values()]
        if self._describe_hook is not None:
            tools.extend(self._describe_hook(self.context.namespace))
        return {"tools": tools, "operations": sorted(self.operations)}

    def _execute(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("tool")
        args = request.get("args") or {}
        tool = self.tools.get(name) if isinstance(name, str) else None
        try:
            if tool is not None:
                value = _invoke(tool.handler, args)
            elif self._execute_hook is not None and isinstance(name, str):
                value = self._execute_hook(name, args)
            else:
                raise ToolError("UnknownTool", f"Unknown tool: {name}")
        except ToolError as exc:
            response = _failure(exc.error_type, exc.message)
        except MemoryError:
            response = _failure("ResourceExhausted", f"tool {name!r} ran out of memory")
        except Exception as exc:  # a bug in the tool: report it, don't crash the instance
            response = _failure("ComponentError", f"tool {name!r} failed: {type(exc).__name__}: {exc}")
            _log_traceback()
        else:
            response = {"success": True, "result": _as_text(value), "error_type": None}
        if self.context.meta:
            response["meta"] = self.context.meta
        return response

    def _manage(self, request: dict[str, Any]) -> dict[str, Any]:
        operation = request.get("operation")
        handler = self.operations.get(operation) if isinstance(operation, str) else None
        if handler is None:
            return _manage_error(404, "UnknownOperation", f"{self.name} has no operation {operation!r}")
        try:
            body = handler(request.get("body"), request)
        except ManageError as exc:
            return _manage_error(exc.status, exc.error_type, exc.message)
        except ToolError as exc:
            return _manage_error(400, exc.error_type, exc.message)
        except Exception as exc:
            _log_traceback()
            return _manage_error(500, "ComponentError", f"{type(exc).__name__}: {exc}")
        return {"status": 200, "body": body}

    def export(self) -> type:
        """The class componentize-py instantiates for the world's `handle` export."""
        import gc

        import componentize_py_types  # noqa: F401 - imported now so the snapshot holds them
        import wit_world
        from wit_world.imports import key_value, logging, outbound_http, variables  # noqa: F401

        component = self
        # Runs at build time (componentize-py snapshots the initialised module): warm the
        # dispatch path and freeze the heap, so the first call of every fresh instance does
        # not pay for lazy initialisation or a GC walk over the whole snapshot.
        for tool in self.tools.values():
            _signature(tool.handler)
        self.handle(json.dumps({"kind": "describe"}))
        gc.collect()
        gc.freeze()

        from . import bundle

        class WitWorld(wit_world.WitWorld):  # type: ignore[misc, name-defined]
            def handle(self, request: str) -> str:
                bundle.serving = True  # from now on, print() goes to the host's log
                return component.handle(request)

        return WitWorld


_signatures: dict[Callable[..., Any], tuple[inspect.Signature, bool]] = {}


def _signature(handler: Callable[..., Any]) -> tuple[inspect.Signature, bool]:
    cached = _signatures.get(handler)
    if cached is None:
        signature = inspect.signature(handler)
        accepts_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
        cached = _signatures[handler] = (signature, accepts_any)
    return cached


def _invoke(handler: Callable[..., Any], args: dict[str, Any]) -> Any:
    signature, accepts_any = _signature(handler)
    if not accepts_any:
        args = {k: v for k, v in args.items() if k in signature.parameters}
    try:
        signature.bind(**args)
    except TypeError as exc:
        raise ToolError("InvalidArguments", str(exc)) from None
    return handler(**args)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _failure(error_type: str, message: str) -> dict[str, Any]:
    return {"success": False, "result": message, "error_type": error_type}


def _manage_error(status: int, error_type: str, message: str) -> dict[str, Any]:
    return {"status": status, "body": {"success": False, "error": message, "error_type": error_type}}


def _dump(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


def _log_traceback() -> None:
    """Log where the exception came from. Not `traceback.format_exc`: it reads source files
    through linecache, and the guest has no filesystem (the stubbed WASI call would trap)."""
    try:
        from . import log

        kind, value, tb = sys.exc_info()
        frames = [
            f"  {frame.f_code.co_filename}:{lineno} in {frame.f_code.co_name}"
            for frame, lineno in traceback.walk_tb(tb)
        ][-8:]
        name = kind.__name__ if kind else "Exception"
        log.error("\n".join(["Traceback (most recent call last):", *frames, f"{name}: {value}"]))
    except Exception:
        pass

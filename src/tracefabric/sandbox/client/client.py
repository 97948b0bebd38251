"""`Sandbox`: the one client interface to tool components, in-process or over HTTP.

    with Sandbox.in_process() as sandbox:                     # components run here
        sandbox.call("vfs", "write_file", {"file_path": "a.txt", "content": "hi"}, session_id="s1")

    with Sandbox.connect("http://127.0.0.1:3000") as sandbox: # a tool server
        sandbox.call("vfs", "read_file", {"file_path": "a.txt"}, session_id="s1")

Both give the same results and raise the same errors: tool failures are results
(`ToolResult.success` false, with an `error_type`); requests the sandbox can't serve at
all (unknown component, malformed request) raise `SandboxError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracefabric.errors import ErrorType, SandboxError
from tracefabric.sandbox.api.wire import path_segment

from .transport import InProcessTransport, Transport


@dataclass
class ToolResult:
    success: bool
    result: str
    error_type: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    trace: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ToolResult:
        result = data.get("result", "")
        return cls(
            success=data.get("success") is True,
            result=result if isinstance(result, str) else str(result),
            error_type=data.get("error_type"),
            meta=dict(data.get("meta") or {}),
            trace=data.get("trace"),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"success": self.success, "result": self.result, "error_type": self.error_type}
        if self.meta:
            out["meta"] = self.meta
        if self.trace is not None:
            out["trace"] = self.trace
        return out


def _raise_for(status: int, body: Any) -> None:
    if status == 200:
        return
    if isinstance(body, dict):
        message = body.get("error") or body.get("result") or f"HTTP {status}"
        error_type = body.get("error_type") or "HTTPError"
    else:
        message, error_type = f"HTTP {status}: {body}", "HTTPError"
    raise SandboxError(str(error_type), str(message), status=status)


class Sandbox:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._prefixes: dict[str, str] | None = None

    # -- constructors -----------------------------------------------------------------
    @classmethod
    def in_process(
        cls,
        manifest: Any = None,
        *,
        data_dir: str | Path | None = None,
        enable: Iterable[str] = (),
        variables: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
        pool_size: int = 0,
    ) -> Sandbox:
        from tracefabric.sandbox.host import SandboxHost

        host = SandboxHost(
            manifest,
            data_dir=data_dir,
            enable=enable,
            variables=variables,
            environ=environ,
            pool_size=pool_size,
        )
        return cls(InProcessTransport(host))

    @classmethod
    def subprocess(
        cls,
        manifest: Any = None,
        *,
        data_dir: str | Path | None = None,
        enable: Iterable[str] = (),
        variables: Mapping[str, str] | None = None,
        processes: int | None = None,
        pool_size: int = 0,
        preload: Iterable[str] | None = None,
    ) -> Sandbox:
        """Components run in child processes: same answers as in-process, on other cores.

        The children load `preload` (default: every enabled component) before answering, so a
        component that can't start fails here, not on its first call."""
        from .process import ProcessTransport

        transport = ProcessTransport(
            manifest,
            data_dir=data_dir,
            enable=tuple(enable),
            variables=variables,
            processes=processes,
            pool_size=pool_size,
            preload=None if preload is None else list(preload),
        )
        return cls(transport)

    @classmethod
    def connect(cls, url: str, *, token: str | None = None, timeout: float = 60.0) -> Sandbox:
        from .http import HTTPTransport

        return cls(HTTPTransport(url, token=token, timeout=timeout))

    # -- routing ----------------------------------------------------------------------
    def _prefix(self, component: str) -> str:
        if self._prefixes is None:
            status, body = self.transport.request("GET", "/components")
            self._prefixes = self._parse_prefixes(status, body)
        return self._prefixes.get(component) or "/" + path_segment(component)

    async def _aprefix(self, component: str) -> str:
        if self._prefixes is None:
            status, body = await self.transport.arequest("GET", "/components")
            self._prefixes = self._parse_prefixes(status, body)
        return self._prefixes.get(component) or "/" + path_segment(component)

    @staticmethod
    def _parse_prefixes(status: int, body: Any) -> dict[str, str]:
        # A DeepFabric tools-sdk server has no root /components (or no details): use /NAME.
        if status != 200 or not isinstance(body, dict):
            return {}
        return {d["name"]: d["route"] for d in body.get("details", []) if "name" in d and "route" in d}

    # -- the interface ----------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        status, body = self.transport.request("GET", "/health")
        _raise_for(status, body)
        return body

    def components(self) -> list[dict[str, Any]]:
        status, body = self.transport.request("GET", "/components")
        _raise_for(status, body)
        details = body.get("details")
        if details is None:
            return [{"name": name} for name in body.get("components", [])]
        return details

    def tools(self, component: str, *, namespace: str | None = None) -> list[dict[str, Any]]:
        status, body = self.transport.request("GET", f"{self._prefix(component)}/tools", query=_ns(namespace))
        _raise_for(status, body)
        return list(body.get("tools", []))

    def call(
        self,
        component: str,
        tool: str,
        args: Mapping[str, Any] | None,
        session_id: str,
        *,
        namespace: str | None = None,
        trace: bool = False,
    ) -> ToolResult:
        payload = _execute_body(tool, args, session_id, namespace, trace)
        status, body = self.transport.request("POST", f"{self._prefix(component)}/execute", payload)
        _raise_for(status, body)
        return ToolResult.from_json(body)

    async def acall(
        self,
        component: str,
        tool: str,
        args: Mapping[str, Any] | None,
        session_id: str,
        *,
        namespace: str | None = None,
        trace: bool = False,
    ) -> ToolResult:
        payload = _execute_body(tool, args, session_id, namespace, trace)
        prefix = await self._aprefix(component)
        status, body = await self.transport.arequest("POST", f"{prefix}/execute", payload)
        _raise_for(status, body)
        return ToolResult.from_json(body)

    def end_session(self, session_id: str, component: str | None = None) -> int:
        path = (
            f"/session/{path_segment(session_id)}"
            if component is None
            else f"{self._prefix(component)}/session/{path_segment(session_id)}"
        )
        status, body = self.transport.request("DELETE", path)
        _raise_for(status, body)
        return int(body.get("deleted_files", 0)) if isinstance(body, dict) else 0

    async def aend_session(self, session_id: str, component: str | None = None) -> int:
        if component is None:
            path = f"/session/{path_segment(session_id)}"
        else:
            path = f"{await self._aprefix(component)}/session/{path_segment(session_id)}"
        status, body = await self.transport.arequest("DELETE", path)
        _raise_for(status, body)
        return int(body.get("deleted_files", 0)) if isinstance(body, dict) else 0

    async def aseed_session(self, session_id: str, files: Mapping[str, str], component: str = "vfs") -> None:
        """Start `session_id` afresh with `files` (written with the component's `write_file`).

        One request to our hosts; a DeepFabric tools-sdk server (no seed route) gets the
        equivalent session delete and `write_file` calls."""
        path = f"{await self._aprefix(component)}/session/{path_segment(session_id)}/seed"
        status, body = await self.transport.arequest("POST", path, {"files": dict(files)})
        if (
            status == 404
            and isinstance(body, dict)
            and body.get("error_type") in ("NotFound", "HTTPError", None)
        ):
            try:
                await self.aend_session(session_id, component)
            except SandboxError:
                pass
            for file_path, content in files.items():
                result = await self.acall(
                    component, "write_file", {"file_path": file_path, "content": content}, session_id
                )
                if not result.success:
                    raise SandboxError(str(result.error_type), f"seeding {file_path}: {result.result}")
            return
        _raise_for(status, body)
        if isinstance(body, dict) and body.get("success") is False:
            raise SandboxError(str(body.get("error_type")), f"seeding {body.get('result')}")

    def manage(
        self,
        component: str,
        operation: str,
        body: Any = None,
        *,
        method: str = "POST",
        namespace: str | None = None,
    ) -> Any:
        """A component's own operation (e.g. the mock's `load-schema`); raises on non-200."""
        status, response = self.transport.request(
            method, f"{self._prefix(component)}/{path_segment(operation)}", body, query=_ns(namespace)
        )
        _raise_for(status, response)
        return response

    def close(self) -> None:
        self.transport.close()

    async def aclose(self) -> None:
        await self.transport.aclose()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Sandbox:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _ns(namespace: str | None) -> dict[str, str] | None:
    return None if namespace is None else {"namespace": namespace}


def _execute_body(
    tool: str, args: Mapping[str, Any] | None, session_id: str, namespace: str | None, trace: bool
) -> dict[str, Any]:
    if not isinstance(tool, str):
        raise SandboxError(ErrorType.INVALID_REQUEST, "tool must be a string")
    body: dict[str, Any] = {"session_id": session_id, "tool": tool, "args": dict(args or {})}
    if namespace is not None:
        body["namespace"] = namespace
    if trace:
        body["trace"] = True
    return body

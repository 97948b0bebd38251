"""Fetch tool definitions from a real MCP server with the official `mcp` SDK.

Over stdio (a command we start) or streamable HTTP (an endpoint URL): the full handshake
(``initialize``, ``notifications/initialized``), then ``tools/list`` following
``nextCursor`` until the last page. Tools come back as MCP ``tools/list`` entries.

    tools = fetch_tools_http("http://127.0.0.1:8000/mcp", headers={"Authorization": "Bearer ..."})
    tools = fetch_tools_stdio("python my_server.py", env={"API_KEY": "..."})
"""

from __future__ import annotations

import concurrent.futures
import functools
import shlex
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tracefabric import __version__

DEFAULT_TIMEOUT_S = 30.0
MAX_PAGES = 1000
# Fields of an MCP tool that describe it; the rest (icons, _meta, execution) a mock doesn't use.
TOOL_FIELDS = ("name", "title", "description", "inputSchema", "outputSchema", "annotations")

T = TypeVar("T")


class MCPImportError(Exception):
    """The tools could not be fetched. `kind`: denied, connect, timeout, server or protocol."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class ImportedTools:
    tools: list[dict[str, Any]]
    server: dict[str, Any] = field(default_factory=dict)
    protocol_version: str = ""
    pages: int = 0

    def document(self) -> dict[str, Any]:
        return {"tools": self.tools}


class _Denied(Exception):
    pass


def _tool_entry(tool: Any) -> dict[str, Any]:
    data = tool.model_dump(by_alias=True, exclude_none=True, mode="json")
    return {key: data[key] for key in TOOL_FIELDS if key in data}


async def _list_all(session: Any) -> ImportedTools:
    from mcp import types

    initialized = await session.initialize()
    tools: list[dict[str, Any]] = []
    cursor: str | None = None
    seen: set[str] = set()
    pages = 0
    while True:
        params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
        result = await session.list_tools(params=params)
        pages += 1
        tools.extend(_tool_entry(tool) for tool in result.tools)
        cursor = result.next_cursor
        if not cursor:
            break
        if cursor in seen or pages >= MAX_PAGES:
            raise MCPImportError("protocol", f"the server's tools/list pagination never ends (page {pages})")
        seen.add(cursor)
    info = initialized.server_info.model_dump(exclude_none=True, mode="json")
    return ImportedTools(
        tools=tools,
        server={k: info[k] for k in ("name", "version", "title") if k in info},
        protocol_version=str(initialized.protocol_version),
        pages=pages,
    )


def _session(read: Any, write: Any, timeout: float) -> Any:
    from mcp import ClientSession, types

    return ClientSession(
        read,
        write,
        read_timeout_seconds=timeout,
        client_info=types.Implementation(name="tracefabric", version=__version__),
    )


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in _leaves(sub)]
    return [exc]


def _classify(exc: BaseException, target: str) -> MCPImportError:
    """One clear error for whatever the SDK, anyio or the HTTP client raised."""
    import httpx2
    from mcp import MCPError

    leaves = _leaves(exc)
    for leaf in leaves:  # the most telling first
        if isinstance(leaf, MCPImportError):
            return leaf
        if isinstance(leaf, _Denied):
            return MCPImportError("denied", str(leaf))
    for leaf in leaves:
        if isinstance(leaf, TimeoutError | httpx2.TimeoutException):
            return MCPImportError("timeout", f"{target} did not answer in time")
        if isinstance(leaf, httpx2.HTTPStatusError):
            return MCPImportError("server", f"{target} answered HTTP {leaf.response.status_code}")
        if isinstance(leaf, httpx2.TransportError):
            return MCPImportError("connect", f"cannot connect to {target}: {leaf or type(leaf).__name__}")
        if isinstance(leaf, FileNotFoundError):
            return MCPImportError("connect", f"command not found: {leaf.filename or target}")
        if isinstance(leaf, MCPError):
            message = str(leaf)
            if "timed out" in message.lower():
                return MCPImportError("timeout", f"{target} did not answer in time ({message})")
            if "closed" in message.lower():
                return MCPImportError("connect", f"{target} closed the connection ({message})")
            return MCPImportError("server", f"{target} answered an error: {message}")
        if isinstance(leaf, OSError):
            return MCPImportError("connect", f"cannot start or reach {target}: {leaf}")
    first = leaves[0] if leaves else exc
    return MCPImportError("protocol", f"{target}: {type(first).__name__}: {first}")


async def fetch_tools_http_async(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    allow: Callable[[str], str | None] | None = None,
) -> ImportedTools:
    """`allow(url)` returns a reason to refuse a request (each one, redirects included)."""
    import anyio
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    async def check(request: httpx2.Request) -> None:
        if allow is not None:
            reason = allow(str(request.url))
            if reason:
                raise _Denied(reason)

    if allow is not None and (reason := allow(url)):
        raise MCPImportError("denied", reason)
    try:
        with anyio.fail_after(timeout * 2):
            async with (
                httpx2.AsyncClient(
                    headers=dict(headers or {}),
                    timeout=httpx2.Timeout(timeout),
                    trust_env=False,  # no proxies from the environment: the URL is what we reach
                    event_hooks={"request": [check]},
                ) as client,
                streamable_http_client(url, http_client=client) as (read, write),
                _session(read, write, timeout) as session,
            ):
                return await _list_all(session)
    except Exception as exc:
        raise _classify(exc, url) from None


async def fetch_tools_stdio_async(
    command: str | list[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    cwd: str | None = None,
) -> ImportedTools:
    """Start `command` (a shell-style string or argv; no shell) and talk MCP over its stdio."""
    import anyio
    from mcp import StdioServerParameters, stdio_client

    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if not argv:
        raise MCPImportError("connect", "no command given")
    params = StdioServerParameters(command=argv[0], args=argv[1:], env=dict(env or {}), cwd=cwd)
    try:
        with anyio.fail_after(timeout * 2):
            async with stdio_client(params) as (read, write), _session(read, write, timeout) as session:
                return await _list_all(session)
    except Exception as exc:
        raise _classify(exc, argv[0]) from None


def _run(func: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    """Run a coroutine function to completion from sync code, even under a running event loop."""
    import anyio

    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="tracefabric-mcp") as pool:
        return pool.submit(anyio.run, functools.partial(func, *args, **kwargs)).result()


def fetch_tools_http(url: str, **kwargs: Any) -> ImportedTools:
    return _run(fetch_tools_http_async, url, **kwargs)


def fetch_tools_stdio(command: str | list[str], **kwargs: Any) -> ImportedTools:
    return _run(fetch_tools_stdio_async, command, **kwargs)

"""A real MCP server for the tests, written with the official `mcp` SDK (low-level API).

Eleven tools with nested input and output schemas, listed four per page so that a client
must follow ``nextCursor`` three times. Run it over stdio (``python mcp_catalog.py``) or
serve `http_app()` (streamable HTTP) with uvicorn.
"""

from __future__ import annotations

from typing import Any

import mcp_types as types
from mcp.server.lowlevel import Server

PAGE_SIZE = 4

ADDRESS = {
    "type": "object",
    "properties": {
        "street": {"type": "string"},
        "city": {"type": "string"},
        "country": {"type": "string", "enum": ["FR", "DE", "US"]},
    },
    "required": ["city", "country"],
}


def _tools() -> list[dict[str, Any]]:
    tools: list[dict[str, Any]] = [
        {
            "name": "create_customer",
            "title": "Create a customer",
            "description": "Create a customer with a billing address.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "email": {"type": "string"},
                    "address": ADDRESS,
                    "tags": {"type": "array", "items": {"type": "string"}, "default": []},
                },
                "required": ["name", "address"],
            },
            "outputSchema": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
                "required": ["id", "name"],
            },
            "annotations": {"destructiveHint": False, "idempotentHint": False},
        },
        {
            "name": "charge_card",
            "description": "Charge a customer's card.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "customer": {
                        "type": "object",
                        "properties": {"id": {"type": "string"}, "tier": {"type": "string"}},
                        "required": ["id"],
                    },
                    "amount": {
                        "type": "object",
                        "properties": {
                            "value": {"type": "integer", "minimum": 1},
                            "currency": {"type": "string", "enum": ["EUR", "USD"]},
                        },
                        "required": ["value", "currency"],
                    },
                },
                "required": ["customer", "amount"],
            },
            "outputSchema": {
                "type": "object",
                "properties": {
                    "charge_id": {"type": "string"},
                    "status": {"type": "string", "enum": ["succeeded", "pending", "failed"]},
                    "amount": {"type": "integer"},
                },
                "required": ["charge_id", "status"],
            },
            "annotations": {"destructiveHint": True, "openWorldHint": True},
        },
        {
            "name": "delete_customer",
            "description": "Delete a customer for good.",
            "inputSchema": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
            "annotations": {"destructiveHint": True, "idempotentHint": True},
        },
        {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "units": {"type": "string", "enum": ["metric", "imperial"], "default": "metric"},
                },
                "required": ["city"],
            },
            "annotations": {"readOnlyHint": True},
        },
    ]
    for i in range(7):
        tools.append(
            {
                "name": f"lookup_{i}",
                "description": f"Lookup number {i}.",
                "inputSchema": {
                    "type": "object",
                    "properties": {
                        "query": {
                            "type": "object",
                            "properties": {"text": {"type": "string"}, "limit": {"type": "integer"}},
                        }
                    },
                },
                "annotations": {"readOnlyHint": True},
            }
        )
    return tools


TOOLS = _tools()


async def list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
    start = int(params.cursor) if params is not None and params.cursor else 0
    page = TOOLS[start : start + PAGE_SIZE]
    following = start + PAGE_SIZE
    return types.ListToolsResult(
        tools=[types.Tool.model_validate(t) for t in page],
        next_cursor=str(following) if following < len(TOOLS) else None,
    )


async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=f"called {params.name}")])


def make_server() -> Server[Any]:
    return Server("catalog-test", version="1.2.3", on_list_tools=list_tools, on_call_tool=call_tool)


def http_app() -> Any:
    return make_server().streamable_http_app()


async def _serve_stdio() -> None:
    from mcp.server.stdio import stdio_server

    server = make_server()
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    import anyio

    anyio.run(_serve_stdio)

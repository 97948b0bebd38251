"""The guest SDK: write tool components in Python, compiled into Wasm with componentize-py.

Inside a component (it runs in the sandbox, with no native extensions available)::

    from tracefabric.guest import Component, FileNotFound, kv

    component = Component("notes")

    @component.tool(description="Save a note")
    def save_note(title: str, text: str) -> str:
        kv.open("default").set(f"note/{title}", text)
        return f"saved {title}"

    WitWorld = component.export()

Tools are functions with a JSON schema (given, or derived from the signature); a tool
returns a value (text, or anything JSON-able) or raises a `ToolError`. `kv`, `http`,
`variables` and `log` wrap the host's imports; what they may reach is decided by the
manifest, not by the component. See docs/components.md.
"""

from . import http, kv, log, variables
from .component import Component, Context, ManageError, Tool
from .errors import (
    APIError,
    CapabilityDenied,
    FileNotFound,
    InvalidArguments,
    InvalidRequest,
    IOError_,
    NotFound,
    PermissionDenied,
    RateLimited,
    ResourceExhausted,
    ServiceUnavailable,
    Timeout,
    ToolError,
    Unauthorized,
    UnknownTool,
)
from .schema import dataclass_schema, function_schema

__all__ = [
    "APIError",
    "CapabilityDenied",
    "Component",
    "Context",
    "FileNotFound",
    "IOError_",
    "InvalidArguments",
    "InvalidRequest",
    "ManageError",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ResourceExhausted",
    "ServiceUnavailable",
    "Timeout",
    "Tool",
    "ToolError",
    "Unauthorized",
    "UnknownTool",
    "dataclass_schema",
    "function_schema",
    "http",
    "kv",
    "log",
    "variables",
]

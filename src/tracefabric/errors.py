"""The error catalogue shared by every component, the host and the HTTP server.

Every tool call answers ``{"success": bool, "result": str, "error_type": str | None}``.
When ``success`` is false, ``error_type`` is one of the names below (components may add
their own, e.g. ``RepoNotAllowed``) and ``result`` is a message written for a model to
learn from. ``docs/errors.md`` renders this table.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorType(StrEnum):
    INVALID_REQUEST = "InvalidRequest"
    UNKNOWN_TOOL = "UnknownTool"
    INVALID_ARGUMENTS = "InvalidArguments"
    CAPABILITY_DENIED = "CapabilityDenied"
    PERMISSION_DENIED = "PermissionDenied"
    FILE_NOT_FOUND = "FileNotFound"
    NOT_FOUND = "NotFound"
    IO_ERROR = "IOError"
    TIMEOUT = "Timeout"
    RESOURCE_EXHAUSTED = "ResourceExhausted"
    RATE_LIMITED = "RateLimited"
    SERVICE_UNAVAILABLE = "ServiceUnavailable"
    UNAUTHORIZED = "Unauthorized"
    API_ERROR = "APIError"
    # Host-side: the guest crashed (a trap that is neither a limit nor a timeout).
    COMPONENT_ERROR = "ComponentError"
    # Host-side: no such component in the manifest, or it is disabled.
    UNKNOWN_COMPONENT = "UnknownComponent"


CATALOGUE: dict[str, str] = {
    ErrorType.INVALID_REQUEST: "The request itself is malformed (bad JSON, missing or mistyped fields, too large).",
    ErrorType.UNKNOWN_TOOL: "The component has no tool of that name.",
    ErrorType.INVALID_ARGUMENTS: "The arguments do not satisfy the tool's inputSchema; the message names "
    "the path and the rule that failed.",
    ErrorType.CAPABILITY_DENIED: "The component tried to use a store, host or variable its manifest entry "
    "does not grant.",
    ErrorType.PERMISSION_DENIED: "The tool refused the operation (e.g. a path outside the session root).",
    ErrorType.FILE_NOT_FOUND: "The file does not exist in this session.",
    ErrorType.NOT_FOUND: "The requested object does not exist.",
    ErrorType.IO_ERROR: "Storage failed, or the operation does not fit the object (e.g. reading a directory).",
    ErrorType.TIMEOUT: "The call ran out of its compute budget (fuel) or its wall-clock deadline.",
    ErrorType.RESOURCE_EXHAUSTED: "A size or memory limit was reached.",
    ErrorType.RATE_LIMITED: "The (real or simulated) service is rate limiting; retry later.",
    ErrorType.SERVICE_UNAVAILABLE: "The (real or simulated) service is unavailable.",
    ErrorType.UNAUTHORIZED: "Credentials are missing or were rejected.",
    ErrorType.API_ERROR: "A remote API answered with an error.",
    ErrorType.COMPONENT_ERROR: "The component crashed while handling the call.",
    ErrorType.UNKNOWN_COMPONENT: "No enabled component of that name in the manifest.",
}


class TracefabricError(Exception):
    """Base class of errors raised to Python callers (never for tool failures, which are results)."""


class ConfigError(TracefabricError):
    """A configuration or manifest problem; the message names the field."""


class SandboxError(TracefabricError):
    """A request the sandbox cannot serve at all (as opposed to a tool that failed)."""

    def __init__(self, error_type: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.status = status

    def to_json(self) -> dict[str, object]:
        return {"success": False, "result": self.message, "error_type": self.error_type}


def error_body(error_type: str, message: str) -> dict[str, object]:
    """The JSON body of an HTTP error answer (tool server, trace viewer): `error` is what
    DeepFabric's client reads on non-200 answers; `result` keeps the tool-call shape."""
    return {"success": False, "result": message, "error": message, "error_type": error_type}

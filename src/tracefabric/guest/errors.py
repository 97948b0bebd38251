"""Structured errors a tool raises; the dispatcher turns them into `{"success": false, ...}`.

The names are tracefabric's error catalogue (see `tracefabric.errors`); components may use
their own names too: ``raise ToolError("RepoNotAllowed", "...")``.
"""

from __future__ import annotations


class ToolError(Exception):
    """A tool failure the model should see: an `error_type` and a message it can learn from."""

    error_type = "IOError"

    def __init__(self, *args: str) -> None:
        # ToolError("Type", "message") or SubClass("message")
        if len(args) == 2:
            self.error_type, message = args
        elif len(args) == 1:
            message = args[0]
        else:
            raise TypeError("ToolError(error_type, message) or ToolError(message)")
        super().__init__(message)
        self.message = message


def _kind(name: str) -> type[ToolError]:
    return type(name, (ToolError,), {"error_type": name, "__doc__": f"error_type {name!r}."})


InvalidRequest = _kind("InvalidRequest")
UnknownTool = _kind("UnknownTool")
InvalidArguments = _kind("InvalidArguments")
CapabilityDenied = _kind("CapabilityDenied")
PermissionDenied = _kind("PermissionDenied")
FileNotFound = _kind("FileNotFound")
NotFound = _kind("NotFound")
IOError_ = _kind("IOError")
Timeout = _kind("Timeout")
ResourceExhausted = _kind("ResourceExhausted")
RateLimited = _kind("RateLimited")
ServiceUnavailable = _kind("ServiceUnavailable")
Unauthorized = _kind("Unauthorized")
APIError = _kind("APIError")

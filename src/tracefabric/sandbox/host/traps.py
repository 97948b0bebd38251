"""Turn a wasmtime trap into a structured tool error (the host and other sessions go on)."""

from __future__ import annotations

from tracefabric.errors import ErrorType


def classify(message: str, *, fuel: int, timeout_ms: int, memory_mb: int) -> tuple[str, str]:
    """(error_type, message for the model) for a trapped call."""
    text = message.lower()
    if "all fuel consumed" in text:
        return ErrorType.TIMEOUT, f"The tool exceeded its compute budget ({fuel:,} fuel) and was stopped."
    if "wasm trap: interrupt" in text or "epoch deadline" in text:
        return ErrorType.TIMEOUT, f"The tool exceeded its time limit ({timeout_ms} ms) and was stopped."
    if "call stack exhausted" in text or "stack overflow" in text:
        return ErrorType.RESOURCE_EXHAUSTED, "The tool exhausted its call stack and was stopped."
    if "memory" in text and (
        "grow" in text or "limit" in text or "out of bounds" in text or "allocat" in text
    ):
        return (
            ErrorType.RESOURCE_EXHAUSTED,
            f"The tool exceeded its memory limit ({memory_mb} MiB) and was stopped.",
        )
    if "unreachable" in text:
        # Guests abort with `unreachable` when allocation fails under the memory limit.
        return (
            ErrorType.COMPONENT_ERROR,
            "The tool crashed (it aborted; often an allocation over its memory limit).",
        )
    first = message.strip().splitlines()[-1] if message.strip() else "unknown trap"
    return ErrorType.COMPONENT_ERROR, f"The tool crashed: {first[:200]}"

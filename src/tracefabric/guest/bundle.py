"""Inside a component: what its Python can import, and where `print` goes.

A component has no filesystem: the modules it can use are the ones imported when it was
built (componentize-py snapshots the interpreter then). The entry module the build generates
(see `tracefabric.sandbox.build.imports`) calls `preload` with every import found in the
component's sources, imports the component, then calls `seal`:

- an import of anything else raises `ModuleNotFoundError` naming the module and what to do,
  instead of looking for a file (a trap that used to be reported as a memory problem);
- `print` and `sys.stderr` go to the host's log (`tracefabric.components.<name>`), instead
  of a stdout the component does not have;
- tracebacks are formatted without their source lines (linecache would read files).
"""

from __future__ import annotations

import importlib
import io
import linecache
import sys
from importlib.machinery import PathFinder
from typing import Any

# Set by the component's first call. Before that (at build time) imports may still read
# files, and stdio writes go to the build's own streams (the host's log does not exist).
serving = False


def preload(sites: list[tuple[str, str, bool]]) -> None:
    """Import each `(module, where, optional)` now, at build time; `ImportError` listing every
    required one that cannot be imported (the build fails with it)."""
    problems = []
    for module, where, optional in sites:
        try:
            importlib.import_module(module)
        except Exception as exc:  # any failure of a required import fails the build
            if not optional:
                problems.append(f"{where}: module {module!r} cannot be used in a component: {_reason(exc)}")
    if problems:
        raise ImportError("\n".join(problems))


def _reason(exc: Exception) -> str:
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return (
            f"no module named {exc.name!r} here (a native extension the component runtime lacks, "
            "or a package that is not in the component's folder)"
        )
    return f"{type(exc).__name__}: {exc}"


class _NotBundled:
    """Placed before the finder that reads files: once the component serves calls, a module
    that is not loaded yet cannot be found (at build time, componentize-py's own imports after
    the component's pass through)."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> None:
        if not serving:
            return None
        raise ModuleNotFoundError(
            f"No module named {name!r} in this component: components have no filesystem, so only "
            "modules imported when it was built are in it. Add `import "
            f"{name}` to the component's source (at the top of a module) and build it again.",
            name=name,
        )


class _HostLog(io.TextIOBase):
    """A text stream whose lines go to the host's log (once the component serves calls)."""

    def __init__(self, level: str, build_stream: Any) -> None:
        self.level = level
        self.build_stream = build_stream
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not serving:
            return self.build_stream.write(text)
        self._pending += text
        while "\n" in self._pending:
            line, self._pending = self._pending.split("\n", 1)
            self._emit(line)
        return len(text)

    def flush(self) -> None:
        if not serving:
            self.build_stream.flush()
        elif self._pending:
            line, self._pending = self._pending, ""
            self._emit(line)

    def _emit(self, line: str) -> None:
        from . import log

        try:
            getattr(log, self.level)(line)
        except Exception:  # printing must never fail a tool
            pass


def seal() -> None:
    """Once the component serves calls: no file lookups for imports, stdio to the host's log,
    tracebacks without source lines."""
    where = sys.meta_path.index(PathFinder) if PathFinder in sys.meta_path else len(sys.meta_path)
    sys.meta_path.insert(where, _NotBundled())  # type: ignore[arg-type]
    sys.stdout = _HostLog("info", sys.stdout)
    sys.stderr = _HostLog("warn", sys.stderr)
    linecache.checkcache = _no_check  # type: ignore[assignment]
    linecache.updatecache = _no_source  # type: ignore[assignment]


def _no_check(filename: str | None = None) -> None:
    return None


def _no_source(filename: str, module_globals: Any = None) -> list[str]:
    return []

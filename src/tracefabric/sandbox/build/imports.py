"""What a Python component imports, read from its sources, so that the build bundles it.

componentize-py snapshots the interpreter once the component's module is imported: the
modules loaded by then are in the component, and nothing else is. A module imported later
(inside a function, or lazily by the standard library, like `_strptime` for
`datetime.strptime`) would be read from a filesystem that components do not have: the call
used to trap, with a message that blamed memory. So the build finds every import in the
sources (top level or not), and the entry module it generates imports them all before the
snapshot (see `tracefabric.guest.bundle`). An import that cannot be bundled fails the build
with its module, file and line; one inside `try: ... except ImportError` may be missing.

Modules that import fine but cannot work in a component (no network, processes, or time-zone
files) are refused here, with what to use instead.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError

_NETWORK = "components have no network of their own: call APIs with tracefabric.guest.http (the host checks allowed_outbound_hosts)"
_PROCESSES = "components cannot start processes or threads of their own"
_FILES = "components have no filesystem: keep data in the session's store (tracefabric.guest.kv)"

# module (or package) → why it cannot work in a component.
UNAVAILABLE: dict[str, str] = {
    **dict.fromkeys(
        [
            "socket",
            "ssl",
            "socketserver",
            "http.client",
            "http.server",
            "urllib.request",
            "ftplib",
            "smtplib",
            "poplib",
            "imaplib",
            "xmlrpc",
            "webbrowser",
        ],
        _NETWORK,
    ),
    **dict.fromkeys(["subprocess", "multiprocessing", "concurrent.futures"], _PROCESSES),
    "tempfile": _FILES,
    "zoneinfo": "it needs the system's time-zone files: use datetime.timezone(datetime.timedelta(hours=...))",
}

# Modules some standard-library functions import on first use: bundled with their module.
LAZY_COMPANIONS: dict[str, tuple[str, ...]] = {
    "datetime": ("_strptime",),  # datetime.strptime
    "time": ("_strptime",),  # time.strptime
}
# Bundled into every component: codecs that str.encode / bytes.decode look up by name.
ALWAYS = tuple(
    f"encodings.{name}"
    for name in (
        "ascii",
        "latin_1",
        "cp1252",
        "utf_16",
        "utf_32",
        "utf_8_sig",
        "idna",
        "punycode",
        "unicode_escape",
    )
)
# There already: the guest SDK (and the stub package above it) and the component runtime.
_SKIP = ("__future__", "tracefabric.guest", "wit_world", "componentize_py_types", "componentize_py_runtime")
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


@dataclass(frozen=True)
class ImportSite:
    module: str
    where: str  # "app.py:12"
    optional: bool  # inside `try: ... except ImportError` (or a submodule guess): may be missing


def scan_imports(directory: Path, package: str | None = None) -> list[ImportSite]:
    """Every module the component's sources import, in source order, first site of each."""
    sites: dict[str, ImportSite] = {}
    for file in sorted(directory.rglob("*.py")):
        if "__pycache__" in file.parts:
            continue
        relative = file.relative_to(directory)
        try:
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(relative))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue  # componentize-py reports it, with the compiler's own message
        # The file's dotted name, for relative imports: pkg/__init__.py is "pkg", pkg/app.py "pkg.app".
        is_package = file.name == "__init__.py"
        module_parts = [*(package.split("/") if package else []), *relative.with_suffix("").parts]
        if is_package:
            module_parts = module_parts[:-1]
        _Visitor(sites, str(relative), module_parts, is_package).visit(tree)
    for site in list(sites.values()):
        for companion in LAZY_COMPANIONS.get(site.module, ()):
            sites.setdefault(companion, ImportSite(companion, f"{site.where} (used by {site.module})", True))
    for module in ALWAYS:
        sites.setdefault(module, ImportSite(module, "(bundled in every component)", True))
    return [site for name, site in sites.items() if name != "tracefabric" and not name.startswith(_SKIP)]


def check_available(sites: list[ImportSite]) -> None:
    """`BuildError` for the first import of a module that cannot work in a component."""
    for site in sites:
        if site.optional:
            continue
        reason = _unavailable(site.module)
        if reason is not None:
            raise BuildError(f"{site.where}: module {site.module!r} cannot be used in a component: {reason}")


def bundled(sites: list[ImportSite]) -> list[ImportSite]:
    """The sites to import at build time (optional imports of unavailable modules are left out,
    so the component's fallback runs)."""
    return [site for site in sites if _unavailable(site.module) is None]


def _unavailable(module: str) -> str | None:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        reason = UNAVAILABLE.get(".".join(parts[:end]))
        if reason is not None:
            return reason
    return None


def entry_module(app_module: str, sites: list[ImportSite]) -> str:
    """The module componentize-py builds: bundle the imports, import the app, seal imports."""
    listed = ",\n".join(f"    ({s.module!r}, {s.where!r}, {s.optional!r})" for s in sites)
    return (
        '"""Generated by tracefabric at build time: the component\'s entry (not part of its sources)."""\n\n'
        "from tracefabric.guest import bundle as _bundle\n\n"
        f"_bundle.preload([\n{listed}\n])\n"
        f"from {app_module} import WitWorld  # noqa: E402,F401\n\n"
        "_bundle.seal()\n"
    )


class _Visitor(ast.NodeVisitor):
    def __init__(self, sites: dict[str, ImportSite], file: str, module_parts: list[str], is_package: bool):
        self.sites = sites
        self.file = file
        self.module_parts = module_parts
        self.is_package = is_package
        self.optional = False

    def _add(self, module: str, line: int, optional: bool) -> None:
        where = f"{self.file}:{line}"
        current = self.sites.get(module)
        if current is None or (current.optional and not optional):
            self.sites[module] = ImportSite(module, where, optional)

    def _resolve(self, level: int, module: str | None) -> str | None:
        base = self.module_parts if self.is_package else self.module_parts[:-1]
        if level - 1 > len(base):
            return None
        base = base[: len(base) - (level - 1)]
        name = ".".join([*base, *([module] if module else [])])
        return name or None

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno, self.optional)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module if node.level == 0 else self._resolve(node.level, node.module)
        if module is None:
            return
        self._add(module, node.lineno, self.optional)
        for alias in node.names:
            if alias.name != "*":  # `from pkg import sub` may name a submodule: bundle it if so
                self._add(f"{module}.{alias.name}", node.lineno, True)

    def visit_Call(self, node: ast.Call) -> None:
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name in ("import_module", "__import__") and node.args:
            first = node.args[0]
            if (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and not first.value.startswith(".")
            ):
                self._add(first.value, node.lineno, True)
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        outer = self.optional
        self.optional = outer or any(_catches_import_errors(h) for h in node.handlers)
        for statement in node.body:
            self.visit(statement)
        self.optional = outer
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    visit_TryStar = visit_Try


def _catches_import_errors(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return True
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names)

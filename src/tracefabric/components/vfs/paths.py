"""Path rules of the virtual filesystem: every path lands inside the session root or is refused.

`./a/../b.txt` and `/b.txt` both name `b.txt`; a leading `/` is the session root. Escapes
above the root, NUL bytes, host system paths (`/etc/passwd`, `~/.ssh`, `C:\\...`) are refused
with `PermissionDenied` and a message that tells the model what to do instead.
"""

from __future__ import annotations

from tracefabric.guest import InvalidArguments, PermissionDenied

MAX_PATH_BYTES = 240  # the store's key limit is 256 bytes, with room for our key prefix
MAX_DEPTH = 32

# Absolute paths under these roots are host paths, not workspace paths.
SYSTEM_ROOTS = frozenset(
    [
        "etc",
        "proc",
        "sys",
        "dev",
        "root",
        "boot",
        "usr",
        "bin",
        "sbin",
        "var",
        "lib",
        "lib64",
        "run",
        "home",
        "mnt",
        "opt",
        "srv",
        "private",
        "Users",
        "Windows",
    ]
)


def normalize(raw: str, *, allow_root: bool = False) -> str:
    """Return the path relative to the session root ('' is the root itself)."""
    if not isinstance(raw, str):
        raise InvalidArguments("path must be a string")
    if "\x00" in raw:
        raise PermissionDenied("Access denied: path contains a NUL byte")
    text = raw.strip().replace("\\", "/")
    if text.startswith("~"):
        raise PermissionDenied(
            f"Access denied: {raw!r} refers to a home directory on the host; "
            "workspace paths are relative to the session root, e.g. 'notes.txt'"
        )
    if len(text) >= 2 and text[1] == ":" and text[0].isalpha():
        raise PermissionDenied(f"Access denied: {raw!r} is a host drive path; use a path like 'notes.txt'")
    absolute = text.startswith("/")
    parts: list[str] = []
    for segment in text.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not parts:
                raise PermissionDenied(
                    f"Access denied: {raw!r} points outside the workspace; "
                    "paths cannot go above the session root '/'"
                )
            parts.pop()
            continue
        parts.append(segment)
    if absolute and parts and parts[0] in SYSTEM_ROOTS:
        raise PermissionDenied(
            f"Access denied: {raw!r} is a host system path and is not available in this sandbox; "
            "workspace files live under the session root, e.g. '/main.py'"
        )
    if len(parts) > MAX_DEPTH:
        raise InvalidArguments(f"path {raw!r} is nested too deeply (max {MAX_DEPTH} levels)")
    path = "/".join(parts)
    if len(path.encode("utf-8")) > MAX_PATH_BYTES:
        raise InvalidArguments(f"path is too long (max {MAX_PATH_BYTES} bytes)")
    if not path and not allow_root:
        raise InvalidArguments(f"{raw!r} is the workspace root, not a file path")
    return path


def parents(path: str) -> list[str]:
    """'a/b/c.txt' → ['a', 'a/b']."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def display(path: str) -> str:
    return path or "/"

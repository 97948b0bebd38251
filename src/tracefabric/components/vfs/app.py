"""The virtual filesystem component: session-isolated files in the host's key-value store.

Each file is one key (`f:<path>`); empty directories made with `make_dir` are markers
(`d:<path>`). There is no index to read-modify-write, so concurrent calls never lose files.
The host scopes the store to the call's session, so sessions can't see each other's files.
"""

from __future__ import annotations

import fnmatch
import json
import re

from tracefabric.guest import (
    Component,
    FileNotFound,
    InvalidArguments,
    IOError_,
    ResourceExhausted,
    kv,
)

from .paths import display, normalize, parents

MAX_FILE_BYTES = 1024 * 1024 - 64  # the store's value limit, minus headroom
MAX_FILES = 5000
MAX_SEARCH_RESULTS = 200

component = Component(
    "vfs",
    warmup=[
        ("read_file", {"file_path": "warmup.txt"}),
        ("list_files", {}),
        ("file_exists", {"file_path": "a"}),
    ],
)

FILE = "f:"
DIR = "d:"


def _store() -> kv.Store:
    return kv.open("default")


def _is_dir(store: kv.Store, path: str) -> bool:
    if not path:
        return True
    if store.exists(DIR + path):
        return True
    return bool(store.keys(FILE + path + "/")) or bool(store.keys(DIR + path + "/"))


def _read(store: kv.Store, path: str) -> bytes:
    data = store.get(FILE + path)
    if data is None:
        if _is_dir(store, path):
            raise IOError_(f"Is a directory: {display(path)} (use list_files to see its contents)")
        raise FileNotFound(f"File not found: {display(path)}")
    return data


def _check_parents(store: kv.Store, path: str) -> None:
    for parent in parents(path):
        if store.exists(FILE + parent):
            raise IOError_(f"Not a directory: {display(parent)} is a file")


def _write(store: kv.Store, path: str, data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise ResourceExhausted(f"File too large: {len(data)} bytes (limit {MAX_FILE_BYTES} bytes)")
    if not store.exists(FILE + path):
        if _is_dir(store, path):
            raise IOError_(f"Is a directory: {display(path)}")
        _check_parents(store, path)
        if len(store.keys(FILE)) >= MAX_FILES:
            raise ResourceExhausted(f"Too many files in this workspace (limit {MAX_FILES})")
    store.set(FILE + path, data)


@component.tool(
    description="Read the content of a file. Optionally only lines start_line..end_line (1-based, inclusive).",
    input_schema={
        "type": "object",
        "properties": {
            "file_path": {
                "type": "string",
                "description": "Path of the file, relative to the workspace root",
            },
            "start_line": {"type": "integer", "minimum": 1, "description": "First line to return (1-based)"},
            "end_line": {"type": "integer", "minimum": 1, "description": "Last line to return (inclusive)"},
        },
        "required": ["file_path"],
    },
    annotations={"readOnlyHint": True},
)
def read_file(file_path: str, start_line: int | None = None, end_line: int | None = None) -> str:
    path = normalize(file_path)
    text = _read(_store(), path).decode("utf-8", errors="replace")
    if start_line is None and end_line is None:
        return text
    lines = text.splitlines(keepends=True)
    first = (start_line or 1) - 1
    last = end_line if end_line is not None else len(lines)
    if first >= len(lines) and lines:
        raise InvalidArguments(
            f"start_line {start_line} is past the end of {display(path)} ({len(lines)} lines)"
        )
    return "".join(lines[first:last])


@component.tool(
    description="Create or overwrite a file with the given content. Parent directories are created as needed.",
    input_schema={
        "type": "object",
        "properties": {
            "file_path": {
                "type": "string",
                "description": "Path of the file, relative to the workspace root",
            },
            "content": {"type": "string", "description": "The complete new content of the file"},
        },
        "required": ["file_path", "content"],
    },
    annotations={"destructiveHint": True, "idempotentHint": True},
)
def write_file(file_path: str, content: str) -> str:
    path = normalize(file_path)
    data = content.encode("utf-8")
    _write(_store(), path, data)
    return f"Successfully wrote {len(data)} bytes to {display(path)}"


@component.tool(
    description="Append content to the end of a file (the file is created if it does not exist).",
    input_schema={
        "type": "object",
        "properties": {
            "file_path": {"type": "string", "description": "Path of the file"},
            "content": {"type": "string", "description": "Text to append"},
        },
        "required": ["file_path", "content"],
    },
)
def append_file(file_path: str, content: str) -> str:
    path = normalize(file_path)
    store = _store()
    existing = store.get(FILE + path) or b""
    data = existing + content.encode("utf-8")
    _write(store, path, data)
    return f"Appended {len(content.encode('utf-8'))} bytes to {display(path)} (now {len(data)} bytes)"


@component.tool(
    description="List files. By default every file under the directory, recursively; with recursive=false, "
    "only its direct entries (directories end with '/').",
    input_schema={
        "type": "object",
        "properties": {
            "directory": {"type": "string", "description": "Directory to list (default: the workspace root)"},
            "recursive": {"type": "boolean", "default": True},
        },
    },
    annotations={"readOnlyHint": True},
)
def list_files(directory: str = "/", recursive: bool = True) -> str:
    path = normalize(directory, allow_root=True)
    store = _store()
    if path and store.exists(FILE + path):
        raise IOError_(f"Not a directory: {display(path)} is a file (use read_file)")
    prefix = path + "/" if path else ""
    files = [key[len(FILE) :] for key in store.keys(FILE + prefix)]
    dirs = [key[len(DIR) :] for key in store.keys(DIR + prefix)]
    if path and not files and not dirs and not store.exists(DIR + path):
        raise FileNotFound(f"Directory not found: {display(path)}")
    if recursive:
        return json.dumps(files)
    entries: set[str] = set()
    for full in files + dirs:
        rest = full[len(prefix) :]
        head, sep, _ = rest.partition("/")
        if head:
            entries.add(head + "/" if sep or full in dirs else head)
    return json.dumps(sorted(entries))


@component.tool(
    description="Delete a file.",
    input_schema={
        "type": "object",
        "properties": {"file_path": {"type": "string", "description": "Path of the file to delete"}},
        "required": ["file_path"],
    },
    annotations={"destructiveHint": True},
)
def delete_file(file_path: str) -> str:
    path = normalize(file_path)
    store = _store()
    if not store.exists(FILE + path):
        if store.exists(DIR + path) and not store.keys(FILE + path + "/"):
            store.delete(DIR + path)
            return f"Successfully deleted empty directory {display(path)}"
        if _is_dir(store, path):
            raise IOError_(f"Is a directory: {display(path)} (delete the files inside it first)")
        raise FileNotFound(f"File not found: {display(path)}")
    store.delete(FILE + path)
    return f"Successfully deleted {display(path)}"


@component.tool(
    description="Check whether a path exists, and whether it is a file or a directory.",
    input_schema={
        "type": "object",
        "properties": {"file_path": {"type": "string", "description": "Path to check"}},
        "required": ["file_path"],
    },
    annotations={"readOnlyHint": True},
)
def file_exists(file_path: str) -> str:
    path = normalize(file_path, allow_root=True)
    store = _store()
    if path and store.exists(FILE + path):
        kind = "file"
    elif _is_dir(store, path):
        kind = "directory"
    else:
        kind = None
    return json.dumps({"path": display(path), "exists": kind is not None, "type": kind})


@component.tool(
    description="Create a directory (and its parents). Succeeds if it already exists.",
    input_schema={
        "type": "object",
        "properties": {"path": {"type": "string", "description": "Directory to create"}},
        "required": ["path"],
    },
)
def make_dir(path: str) -> str:
    target = normalize(path)
    store = _store()
    if store.exists(FILE + target):
        raise IOError_(f"File exists: {display(target)} is a file")
    _check_parents(store, target)
    if _is_dir(store, target):
        return f"Directory already exists: {display(target)}"
    store.set(DIR + target, b"")
    return f"Created directory {display(target)}"


@component.tool(
    description="Search file contents for a regular expression, like grep -n. Returns 'path:line: text' lines.",
    input_schema={
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "description": "Regular expression (Python syntax)"},
            "path": {"type": "string", "description": "Directory or file to search (default: everything)"},
            "glob": {"type": "string", "description": "Only files whose name matches, e.g. '*.py'"},
            "ignore_case": {"type": "boolean", "default": False},
        },
        "required": ["pattern"],
    },
    annotations={"readOnlyHint": True},
)
def search_files(pattern: str, path: str = "/", glob: str | None = None, ignore_case: bool = False) -> str:
    try:
        regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise InvalidArguments(f"invalid regular expression {pattern!r}: {exc}") from None
    base = normalize(path, allow_root=True)
    store = _store()
    if base and store.exists(FILE + base):
        candidates = [base]
    else:
        prefix = base + "/" if base else ""
        candidates = [key[len(FILE) :] for key in store.keys(FILE + prefix)]
    matches: list[str] = []
    for file in candidates:
        if glob and not fnmatch.fnmatch(file.rsplit("/", 1)[-1], glob) and not fnmatch.fnmatch(file, glob):
            continue
        data = store.get(FILE + file)
        if data is None:
            continue
        for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
            if regex.search(line):
                matches.append(f"{file}:{number}: {line.rstrip()[:300]}")
                if len(matches) >= MAX_SEARCH_RESULTS:
                    matches.append(f"... (stopped after {MAX_SEARCH_RESULTS} matches)")
                    return "\n".join(matches)
    if not matches:
        return f"No matches for {pattern!r}"
    return "\n".join(matches)


@component.tool(
    description="Information about a file or directory: type, size in bytes, number of lines.",
    input_schema={
        "type": "object",
        "properties": {"path": {"type": "string", "description": "File or directory"}},
        "required": ["path"],
    },
    annotations={"readOnlyHint": True},
)
def stat(path: str) -> str:
    target = normalize(path, allow_root=True)
    store = _store()
    data = store.get(FILE + target) if target else None
    if data is not None:
        text = data.decode("utf-8", errors="replace")
        return json.dumps(
            {"path": display(target), "type": "file", "size": len(data), "lines": len(text.splitlines())}
        )
    if _is_dir(store, target):
        prefix = target + "/" if target else ""
        count = len(store.keys(FILE + prefix))
        return json.dumps({"path": display(target), "type": "directory", "files": count})
    raise FileNotFound(f"No such file or directory: {display(target)}")


WitWorld = component.export()

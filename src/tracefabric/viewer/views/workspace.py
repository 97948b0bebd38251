"""The scenario's files and what the agent changed, from a replay (on demand: it runs the
record's tool calls again in a fresh sandbox session seeded like the run, as `verify` does).

The trace holds each call's request, response and state digest, not the files themselves,
so the honest source of the final state is a replay: the session's files are read (through
the vfs component's own tools) once the calls have run, and compared with the seed. Runs
without the vfs component have no file tree to show; runs whose `run.json` is not next to
the dataset can't be replayed (the config says how to build the sandbox and the seed).
"""

from __future__ import annotations

import asyncio
import difflib
import json
import threading
from pathlib import Path
from typing import Any

MAX_FILES = 500
MAX_DIFF_LINES = 400
_replays = threading.Lock()  # one at a time: a replay reuses the recorded session id


def _path(name: str) -> str:
    return name.lstrip("/")


def file_changes(before: dict[str, str], after: dict[str, str]) -> list[dict[str, Any]]:
    """Every path in either state: added, removed, modified (with a unified diff) or unchanged."""
    before = {_path(k): v for k, v in before.items()}
    after = {_path(k): v for k, v in after.items()}
    changes = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        entry: dict[str, Any] = {
            "path": path,
            "change": "added"
            if old is None
            else "removed"
            if new is None
            else "modified"
            if old != new
            else "unchanged",
            "before_bytes": len(old.encode()) if old is not None else None,
            "after_bytes": len(new.encode()) if new is not None else None,
        }
        if entry["change"] != "unchanged":
            lines = list(
                difflib.unified_diff(
                    (old or "").splitlines(),
                    (new or "").splitlines(),
                    fromfile=f"a/{path}" if old is not None else "/dev/null",
                    tofile=f"b/{path}" if new is not None else "/dev/null",
                    lineterm="",
                )
            )
            entry["diff"] = "\n".join(lines[:MAX_DIFF_LINES])
            entry["diff_truncated"] = len(lines) > MAX_DIFF_LINES
        changes.append(entry)
    return changes


async def _session_files(env: Any, session: str, namespace: str | None) -> dict[str, str]:
    listing = await env.sandbox.acall("vfs", "list_files", {}, session, namespace=namespace)
    if not listing.success:
        return {}
    files = {}
    for path in json.loads(listing.result)[:MAX_FILES]:
        result = await env.sandbox.acall(
            "vfs", "read_file", {"file_path": path}, session, namespace=namespace
        )
        if result.success:
            files[path] = result.result
    return files


async def _replay(record: dict[str, Any], dataset: Path, line: int) -> dict[str, Any]:
    from tracefabric.verify import replay_record

    captured: dict[str, Any] = {}
    trace = record.get("trace") if isinstance(record.get("trace"), dict) else {}

    async def inspect(env: Any, session: str) -> None:
        captured["seed"] = dict(env.seed.files)
        if "vfs" not in env.components:
            captured["no_vfs"] = True
            return
        captured["files"] = await _session_files(env, session, trace.get("namespace"))

    report = await replay_record(record, dataset=dataset, line=line, inspect=inspect)
    answer: dict[str, Any] = {
        "status": str(report.status),
        "detail": report.detail,
        "problems": [p.to_json() for p in report.problems],
        "replayed": "seed" in captured,
    }
    if "files" in captured:
        answer["seed_files"] = sorted(_path(p) for p in captured["seed"])
        answer["changes"] = file_changes(captured["seed"], captured["files"])
        answer["files_truncated"] = len(captured["files"]) >= MAX_FILES
    elif captured.get("no_vfs"):
        answer["message"] = "this run had no vfs component: there is no file tree to show"
    elif not answer["replayed"]:
        answer["message"] = f"not replayed: {report.detail}" if report.detail else "not replayed"
    return answer


def replay_workspace(record: dict[str, Any], dataset: Path, line: int, run_json: Path) -> dict[str, Any]:
    """Blocking (call it from a worker thread): the sandbox is built and run in its own loop."""
    from tracefabric.errors import TracefabricError

    if not run_json.is_file():
        return {
            "replayed": False,
            "status": None,
            "message": f"the run's {run_json.name} is not next to the dataset: without the run's config "
            "(tools, scenario seed) the record can't be replayed",
        }
    with _replays:
        try:
            return asyncio.run(_replay(record, dataset, line))
        except TracefabricError as exc:
            return {"replayed": False, "status": None, "message": f"cannot replay: {exc}"}

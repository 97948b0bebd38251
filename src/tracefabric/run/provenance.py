"""`run.json`: how a dataset was made (config and hash, versions, models, counts, usage)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from tracefabric import __version__
from tracefabric.config import RunConfig

PACKAGES = (
    "wasmtime",
    "componentize-py",
    "pydantic",
    "openai",
    "anthropic",
    "google-genai",
    "mcp",
    "xllamacpp",
    "jsonschema",
)
# Settings that change how many or how fast, not what: a run may resume across them.
SCHEDULING_FIELDS = {
    "output": ("num_samples", "concurrency", "max_tokens_total", "max_cost_usd", "max_failures")
}


def config_hash(config: RunConfig) -> str:
    data = config.model_dump(mode="json")
    for section, names in SCHEDULING_FIELDS.items():
        for name in names:
            data.get(section, {}).pop(name, None)
    data.pop("hub", None)  # where the dataset is pushed afterwards, not what it holds
    for section in ("llm",):
        for name in ("max_concurrency", "requests_per_minute", "tokens_per_minute", "timeout"):
            data.get(section, {}).pop(name, None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "tracefabric": __version__}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return versions


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    os.replace(tmp, path)


def read_run_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def command_line() -> str:
    return " ".join(sys.argv)

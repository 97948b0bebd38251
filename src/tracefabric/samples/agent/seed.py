"""`scenario_seed`: the files every agent sample's session starts with.

Inline files, a local folder, or a git repository (URL or local path, at a `ref`; local
paths work offline). Materialised once per run, then written into each fresh session
through the VFS before the loop starts (seeding is not part of the trace; its digest is,
so `verify` can check it re-seeded the same files).
"""

from __future__ import annotations

import fnmatch
import hashlib
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tracefabric.config import SeedConfig
from tracefabric.errors import ConfigError


@dataclass
class SeedFiles:
    files: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # binary or oversize files left out

    @property
    def digest(self) -> str:
        digest = hashlib.sha256()
        for path in sorted(self.files):
            digest.update(path.encode() + b"\0" + self.files[path].encode() + b"\0")
        return digest.hexdigest()[:16]

    def listing(self, limit: int = 60) -> str:
        paths = sorted(self.files)
        shown = paths[:limit]
        more = f"\n... and {len(paths) - limit} more" if len(paths) > limit else ""
        return "\n".join(shown) + more


def load_seed(config: SeedConfig | None, base_dir: Path) -> SeedFiles:
    seed = SeedFiles()
    if config is None:
        return seed
    total = 0

    def add(path: str, text: str) -> None:
        nonlocal total
        if path in seed.files:
            return
        seed.files[path] = text
        total += len(text.encode("utf-8"))
        if len(seed.files) > config.max_files:
            raise ConfigError(
                f"generation.tools.scenario_seed: more than max_files={config.max_files} files; "
                "raise the limit or add exclude globs"
            )
        if total > config.max_total_bytes:
            raise ConfigError(
                f"generation.tools.scenario_seed: more than max_total_bytes={config.max_total_bytes} bytes of files"
            )

    if config.from_git:
        with tempfile.TemporaryDirectory(prefix="tracefabric-seed-") as tmp:
            checkout = _git_checkout(config.from_git, config.ref, base_dir, Path(tmp) / "repo")
            _read_folder(checkout, config, add, seed)
    if config.from_dir:
        folder = Path(config.from_dir).expanduser()
        folder = folder if folder.is_absolute() else base_dir / folder
        if not folder.is_dir():
            raise ConfigError(f"generation.tools.scenario_seed.from_dir: {folder} is not a folder")
        _read_folder(folder, config, add, seed)
    for path, content in config.files.items():
        seed.files.pop(path, None)  # inline files win over folder/repository files of that name
        add(path, content)
    return seed


def _read_folder(folder: Path, config: SeedConfig, add: object, seed: SeedFiles) -> None:
    for file in sorted(folder.rglob("*")):
        if not file.is_file() or file.is_symlink():
            continue
        relative = file.relative_to(folder).as_posix()
        if any(fnmatch.fnmatch(relative, pattern) for pattern in config.exclude):
            continue
        if file.stat().st_size > config.max_file_bytes:
            seed.skipped.append(f"{relative} (over {config.max_file_bytes} bytes)")
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            seed.skipped.append(f"{relative} (not UTF-8 text)")
            continue
        add(relative, text)  # type: ignore[operator]


def _git_checkout(source: str, ref: str | None, base_dir: Path, target: Path) -> Path:
    is_url = "://" in source or source.startswith("git@")
    location = source
    if not is_url:
        local = Path(source).expanduser()
        local = local if local.is_absolute() else base_dir / local
        if not local.exists():
            raise ConfigError(f"generation.tools.scenario_seed.from_git: {local} does not exist")
        location = str(local)
    try:
        _git(["clone", "--quiet", "--no-checkout", location, str(target)])
        _git(["-C", str(target), "checkout", "--quiet", ref or "HEAD"])
    except FileNotFoundError:
        raise ConfigError(
            "generation.tools.scenario_seed.from_git needs git: install it (apt-get install git)"
        ) from None
    return target


def _git(args: list[str]) -> None:
    result = subprocess.run(["git", *args], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise ConfigError(
            f"generation.tools.scenario_seed.from_git: git {args[0]} failed: {' '.join(message[-2:])}"
        )

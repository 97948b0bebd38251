"""Join the embedded model's weight chunks once into the user cache, verified by sha256.

The chunks are found through `importlib.metadata` (the installed files' list), so nothing
from the weight packages is imported or executed. The join writes a temporary file next to
the target and renames it only after the hash matched: a partial or corrupt file is never
left where a later run would trust it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import tempfile
import threading
from pathlib import Path

from tracefabric import paths, progress
from tracefabric.errors import ConfigError

from .models import EMBEDDED_MODELS, EmbeddedModel

CHUNK = 8 << 20
# Threads of one process join once; processes racing each write a temp file and rename (atomic).
_join_lock = threading.Lock()


class WeightsError(ConfigError):
    """The weights cannot be assembled (missing extra, wrong version, hash mismatch)."""


def models_dir() -> Path:
    return paths.cache_dir() / "models"


def chunk_files(model: EmbeddedModel) -> list[Path]:
    """The chunk files of the installed weight packages, in part order."""
    found: list[Path] = []
    for package in model.packages:
        try:
            dist = importlib.metadata.distribution(package)
        except importlib.metadata.PackageNotFoundError:
            raise WeightsError(
                f"llm.model: the embedded model {model.name!r} is not installed; run: {model.install_command}"
            ) from None
        if dist.version != model.version:
            raise WeightsError(
                f"llm.model: {package} {dist.version} is installed but {model.name!r} needs {model.version}; "
                f"run: {model.install_command}"
            )
        chunks = sorted(f for f in (dist.files or []) if f.suffix == ".bin" and "data" in f.parts)
        if len(chunks) != 1:
            raise WeightsError(f"llm.model: {package} {dist.version} does not hold exactly one weight chunk")
        found.append(Path(str(dist.locate_file(chunks[0]))))
    return found


def is_available(model: EmbeddedModel) -> bool:
    try:
        chunk_files(model)
    except WeightsError:
        return (models_dir() / model.filename).is_file()
    return True


def _join(model: EmbeddedModel, parts: list[Path], target: Path) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    digest = hashlib.sha256()
    written = 0
    handle, temp_name = tempfile.mkstemp(prefix=f".{model.name}-", suffix=".partial", dir=target.parent)
    temp = Path(temp_name)
    try:
        with (
            os.fdopen(handle, "wb") as out,
            Progress(
                TextColumn(f"tracefabric: preparing {model.name}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=Console(stderr=True),  # stdout stays clean for the command's output
                transient=True,
                disable=progress.quiet(),
            ) as bar,
        ):
            task = bar.add_task("join", total=model.size)
            for part in parts:
                with part.open("rb") as source:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        out.write(block)
                        written += len(block)
                        bar.update(task, advance=len(block))
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if written != model.size or actual != model.sha256:
            raise WeightsError(
                f"llm.model: the weights of {model.name!r} failed verification "
                f"(sha256 {actual[:16]}…, {written:,} bytes; "
                f"expected {model.sha256[:16]}…, {model.size:,} bytes); "
                f"reinstall with: {model.install_command} --force-reinstall"
            )
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def ensure_weights(name: str) -> Path:
    """The path of the verified GGUF file of an embedded model, joining it on first use."""
    model = EMBEDDED_MODELS[name]
    target = models_dir() / model.filename
    with _join_lock:
        # The hash is in the file name and a file only gets there after verification.
        if target.is_file() and target.stat().st_size == model.size:
            return target
        parts = chunk_files(model)
        target.parent.mkdir(parents=True, exist_ok=True)
        with progress.step(f"joining the weights of {model.name} into {target.parent}"):
            _join(model, parts, target)
        return target

"""Read a manifest file (or the built-in default) into a validated `Manifest`."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from tracefabric.errors import ConfigError

from .model import BUILTIN_PREFIX, Manifest

__all__ = ["BUILTIN_PREFIX", "default_manifest_text", "load_manifest", "parse_manifest"]


def default_manifest_text() -> str:
    return resources.files("tracefabric.sandbox.manifest").joinpath("default.toml").read_text()


def load_manifest(path: str | Path | None = None) -> Manifest:
    """Load `path`, or the built-in default manifest when `path` is None."""
    if path is None:
        return parse_manifest(default_manifest_text(), source="<built-in manifest>", base_dir=Path.cwd())
    file = Path(path).expanduser()
    try:
        text = file.read_text()
    except FileNotFoundError:
        raise ConfigError(f"manifest {file} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"manifest {file}: {exc.strerror}") from None
    return parse_manifest(text, source=str(file), base_dir=file.resolve().parent)


def parse_manifest(text: str, *, source: str, base_dir: Path) -> Manifest:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {format_validation_error(exc)}") from None
    return manifest.model_copy(update={"base_dir": base_dir})


def format_validation_error(exc: ValidationError) -> str:
    """One line naming the field, e.g. 'component.vfs.fuel: Input should be greater than 0'."""
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key (not a manifest field)"
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more)" if more else ""
    return f"{location}: {message}{suffix}"

"""Optional dependencies: a missing one is one clear line naming the extra that brings it."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from tracefabric.errors import ConfigError


def require(module: str, extra: str, purpose: str) -> ModuleType:
    try:
        return import_module(module)
    except ImportError:
        raise ConfigError(
            f"{purpose} needs the '{module}' package: pip install 'tracefabric[{extra}]'"
        ) from None

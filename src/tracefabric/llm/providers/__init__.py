"""Provider adapters: one small class per API, all behind the `Provider` protocol."""

from .base import Provider
from .registry import make_provider
from .scripted import ScriptedProvider

__all__ = ["Provider", "ScriptedProvider", "make_provider"]

"""Scaffolding for new tool components (`tracefabric component new`)."""

from .component import LANGUAGES, Scaffold, new_component

__all__ = ["LANGUAGES", "Scaffold", "new_component"]

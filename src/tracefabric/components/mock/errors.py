"""The one error the mock's input checks raise: where in the document, and what is wrong."""

from __future__ import annotations


class FormatError(ValueError):
    """Bad input for a management operation. `path` names the field, e.g. ``tools[2].name``."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message

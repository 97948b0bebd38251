"""Component variables from the manifest (`[component.NAME.variables]`), resolved by the host."""

from __future__ import annotations

from .errors import CapabilityDenied

_MISSING = object()


def get(name: str, default: str | object | None = _MISSING) -> str | None:
    """The variable's value; `default` if given and the variable is not granted or not set."""
    from componentize_py_types import Err
    from wit_world.imports import variables

    try:
        return variables.get(name)
    except Err as exc:
        if default is not _MISSING:
            return default  # type: ignore[return-value]
        message = getattr(exc.value, "value", "") or f"variable {name!r} is not available"
        raise CapabilityDenied(message) from None

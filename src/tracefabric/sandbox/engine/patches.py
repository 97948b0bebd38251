"""Two fixes to wasmtime-py's value lowering (host → guest), applied once at engine start.

1. Thread safety: `VariantLikeType._lower` (wasmtime 50) tests untagged cases through a
   module-level set that it clears and refills on every call; two threads lowering values at
   once can see each other's half-built set and pick the wrong case. We use a local set.
2. Ambiguity: an untagged `result<option<T>, E>` cannot carry its error (the `none` case
   matches any object, so an error variant is taken for an `ok`). We accept an explicit
   `Variant("ok", v)` / `Variant("err", e)` for results, and our host functions always use it.
"""

from __future__ import annotations

import ctypes
from typing import Any

from wasmtime import _ffi as ffi
from wasmtime.component import _types

_applied = False


def _lower(self: Any, store: Any, val: Any) -> tuple[str, Any]:
    if isinstance(self, _types.ResultType) and isinstance(val, _types.Variant) and val.tag in ("ok", "err"):
        return _lower_case(store, val.tag, self.ok if val.tag == "ok" else self.err, val.payload)
    tagged = self._tagged()
    if tagged and not isinstance(val, _types.Variant):
        raise TypeError("expected Variant type")
    for name, ty in self._cases():
        if tagged:
            if name != val.tag:
                continue
        elif ty is None:
            if val is not None:
                continue
        else:
            classes: set[type] = set()
            ty.add_classes(classes)
            if not isinstance(val, tuple(classes)):
                continue
        return _lower_case(store, name, ty, val.payload if tagged else val)
    raise ValueError("value not valid for this variant")


def _lower_case(store: Any, name: str, ty: Any, payload: Any) -> tuple[str, Any]:
    if ty is None:
        return (name, None)
    raw = ffi.wasmtime_component_val_t()
    ty.convert_to_c(store, payload, ctypes.pointer(raw))
    return (name, ffi.wasmtime_component_val_new(ctypes.byref(raw)))


def apply() -> None:
    global _applied
    if _applied:
        return
    if not hasattr(_types, "VariantLikeType") or not hasattr(_types, "case_test_cache"):
        _applied = True  # a future wasmtime that changed this code: nothing to patch
        return
    _types.VariantLikeType._lower = _lower  # type: ignore[method-assign]
    _applied = True

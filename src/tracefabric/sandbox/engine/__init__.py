"""The wasmtime engine and the cross-process cache of compiled components."""

from .compile_cache import CompileCache, file_lock, sha256_file
from .engine import WasmEngine

__all__ = ["CompileCache", "WasmEngine", "file_lock", "sha256_file"]

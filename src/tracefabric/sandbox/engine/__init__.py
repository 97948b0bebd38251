"""The wasmtime engine and the cross-process cache of compiled components."""

from .compile_cache import CompileCache, file_lock, sha256_file
from .engine import WasmEngine
from .wasm_file import InvalidComponentFile, check_component_file, compile_component, read_component_file

__all__ = [
    "CompileCache",
    "InvalidComponentFile",
    "WasmEngine",
    "check_component_file",
    "compile_component",
    "file_lock",
    "read_component_file",
    "sha256_file",
]

"""Key-value stores behind the host's `key-value` import."""

from .backend import MAX_KEY_BYTES, MAX_VALUE_BYTES, KVBackend, KVLimitError, namespace_scope, session_scope
from .sqlite import SQLiteKV

__all__ = [
    "MAX_KEY_BYTES",
    "MAX_VALUE_BYTES",
    "KVBackend",
    "KVLimitError",
    "SQLiteKV",
    "namespace_scope",
    "session_scope",
]

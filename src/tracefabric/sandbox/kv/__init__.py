"""Key-value stores behind the host's `key-value` import."""

from .backend import (
    MAX_KEY_BYTES,
    MAX_VALUE_BYTES,
    KVBackend,
    KVLimitError,
    KVQuota,
    KVQuotaError,
    is_session_scope,
    namespace_scope,
    session_scope,
)
from .sqlite import SQLiteKV

__all__ = [
    "MAX_KEY_BYTES",
    "MAX_VALUE_BYTES",
    "KVBackend",
    "KVLimitError",
    "KVQuota",
    "KVQuotaError",
    "SQLiteKV",
    "is_session_scope",
    "namespace_scope",
    "session_scope",
]

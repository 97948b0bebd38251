"""The tool server's wire format (framework-independent router)."""

from .router import MAX_BODY_BYTES, Router, error_body

__all__ = ["MAX_BODY_BYTES", "Router", "error_body"]

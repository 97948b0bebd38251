"""JSON schemas for structured answers: validation, and the rewrites each provider needs."""

from .gemini import to_gemini
from .nulls import accepts_null, drop_added_nulls, make_nullable
from .openai_strict import StrictSchema, to_openai_strict
from .refs import inline_refs
from .validate import schema_instruction, schema_of, strip_fences, validate_answer
from .wrap import unwrap_text, wrap_root

__all__ = [
    "StrictSchema",
    "accepts_null",
    "drop_added_nulls",
    "inline_refs",
    "make_nullable",
    "schema_instruction",
    "schema_of",
    "strip_fences",
    "to_gemini",
    "to_openai_strict",
    "unwrap_text",
    "validate_answer",
    "wrap_root",
]

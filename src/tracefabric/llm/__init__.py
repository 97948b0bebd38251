"""The LLM layer: one async call returning a validated, typed answer plus usage.

Providers: local (embedded llama.cpp model), openai (and OpenAI-compatible: ollama,
openrouter, vLLM, ...), anthropic, gemini, scripted (tests). See `LLM` in client.py.
"""

from .client import LLM, schema_of
from .config import LLMConfig
from .providers import Provider, ScriptedProvider
from .types import (
    BudgetExceeded,
    CompletionRequest,
    CompletionResponse,
    LLMError,
    LLMResult,
    Message,
    ProviderError,
    Usage,
    ValidationFailed,
)

__all__ = [
    "LLM",
    "BudgetExceeded",
    "CompletionRequest",
    "CompletionResponse",
    "LLMConfig",
    "LLMError",
    "LLMResult",
    "Message",
    "Provider",
    "ProviderError",
    "ScriptedProvider",
    "Usage",
    "ValidationFailed",
    "schema_of",
]

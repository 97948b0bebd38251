"""The LLM layer: one async call returning a validated, typed answer plus usage.

Providers: local (embedded llama.cpp model), openai (and OpenAI-compatible: ollama,
openrouter, vLLM, ...), anthropic, gemini, scripted (tests). See `LLM` in client.py and
docs/llm.md.
"""

from .cache import ResponseCache, open_cache
from .client import LLM, schema_of
from .config import LLMConfig
from .limits import FakeClock, ProviderLimiter, shared_limiter
from .providers import Provider, ScriptedProvider
from .retry import Backoff
from .types import (
    BudgetExceeded,
    CompletionRequest,
    CompletionResponse,
    EndpointUnreachable,
    LLMError,
    LLMResult,
    Message,
    ProviderError,
    Usage,
    ValidationFailed,
)
from .usage import UsageTracker

__all__ = [
    "LLM",
    "Backoff",
    "BudgetExceeded",
    "CompletionRequest",
    "CompletionResponse",
    "EndpointUnreachable",
    "FakeClock",
    "LLMConfig",
    "LLMError",
    "LLMResult",
    "Message",
    "Provider",
    "ProviderError",
    "ProviderLimiter",
    "ResponseCache",
    "ScriptedProvider",
    "Usage",
    "UsageTracker",
    "ValidationFailed",
    "open_cache",
    "schema_of",
    "shared_limiter",
]

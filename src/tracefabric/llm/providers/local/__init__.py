"""The embedded local model (llama.cpp via xllamacpp)."""

from .models import DEFAULT_LOCAL_MODEL, EMBEDDED_MODELS, EmbeddedModel
from .provider import LocalProvider
from .weights import WeightsError, ensure_weights

__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "EMBEDDED_MODELS",
    "EmbeddedModel",
    "LocalProvider",
    "WeightsError",
    "ensure_weights",
]

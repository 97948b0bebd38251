"""List prices of well-known models, in US dollars per million tokens (prompt, completion).

Prices change: these are the public list prices as of mid-2025, without batch or cached-input
discounts. Set `price_prompt_per_mtok` / `price_completion_per_mtok` in the config to override.
A model that matches no entry is "unpriced": its calls are counted, its cost is unknown.
"""

from __future__ import annotations

# Longest matching prefix wins, so dated snapshots ("claude-3-5-haiku-20241022") find their family.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    # OpenAI
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
    "o3": (2.00, 8.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    # Anthropic
    "claude-3-haiku": (0.25, 1.25),
    "claude-3-5-haiku": (0.80, 4.00),
    "claude-haiku-4-5": (1.00, 5.00),
    "claude-3-5-sonnet": (3.00, 15.00),
    "claude-3-7-sonnet": (3.00, 15.00),
    "claude-sonnet-4": (3.00, 15.00),
    "claude-opus-4": (15.00, 75.00),
    # Google
    "gemini-2.0-flash-lite": (0.075, 0.30),
    "gemini-2.0-flash": (0.10, 0.40),
    "gemini-2.5-flash-lite": (0.10, 0.40),
    "gemini-2.5-flash": (0.30, 2.50),
    "gemini-2.5-pro": (1.25, 10.00),
    "gemini-1.5-flash": (0.075, 0.30),
    "gemini-1.5-pro": (1.25, 5.00),
}

# Providers whose calls cost nothing (the model runs on the user's machine).
FREE_PROVIDERS = frozenset({"local", "ollama", "scripted"})


def price_of(provider: str, model: str) -> tuple[float, float] | None:
    """(prompt, completion) dollars per million tokens, or None when unknown."""
    if provider in FREE_PROVIDERS:
        return (0.0, 0.0)
    name = _normal(model.lower().rsplit("/", 1)[-1])  # OpenRouter names: "openai/gpt-4o-mini"
    best: str | None = None
    for prefix in PRICES_PER_MTOK:
        if name.startswith(_normal(prefix)) and (best is None or len(prefix) > len(best)):
            best = prefix
    return PRICES_PER_MTOK[best] if best else None


def _normal(name: str) -> str:
    # OpenRouter writes "claude-3.5-haiku" where Anthropic writes "claude-3-5-haiku".
    return name.replace(".", "-")


def cost_of(price: tuple[float, float] | None, prompt_tokens: int, completion_tokens: int) -> float | None:
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000

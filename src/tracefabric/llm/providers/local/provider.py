"""`provider: local`: the embedded model, with JSON-schema constrained decoding.

Model names: `qwen2.5-coder-1.5b` (default), `qwen2.5-coder-0.5b`, or a path to a .gguf file.
Nothing leaves the machine. The model loads on first use (or `await llm.warmup()`).
"""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path
from typing import Any

from tracefabric.errors import ConfigError
from tracefabric.llm.config import LLMConfig
from tracefabric.llm.schema import inline_refs
from tracefabric.llm.types import CompletionRequest, CompletionResponse, ProviderError

from ..structured import SchemaMemo
from .models import DEFAULT_LOCAL_MODEL, EMBEDDED_MODELS, EmbeddedModel
from .runtime import LocalRuntime, default_threads, get_runtime
from .weights import chunk_files, ensure_weights, models_dir

# Small models fall into loops inside free-text fields ("The tool will ... The tool will ...")
# until max_tokens cuts the JSON. Measured on agent steps: 0.5B valid answers 5/9 -> 9/9 with
# this penalty, 1.5B unchanged (9/9, same tool choices), both ~10-30% fewer tokens.
REPEAT_PENALTY = 1.1


def _grammar_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Tighter grammar: objects that list properties take no others unless they say so."""

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {
            key: ({n: walk(s) for n, s in value.items()} if key in ("properties", "$defs") else walk(value))
            for key, value in node.items()
        }
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out

    return walk(inline_refs(schema))


class LocalProvider:
    name = "local"

    def __init__(self, config: LLMConfig) -> None:
        spec = config.model or DEFAULT_LOCAL_MODEL
        self.embedded: EmbeddedModel | None = EMBEDDED_MODELS.get(spec)
        self.gguf: Path | None = None
        if self.embedded is None:
            if not spec.endswith(".gguf"):
                choices = ", ".join(EMBEDDED_MODELS)
                raise ConfigError(
                    f"llm.model: {spec!r} is not an embedded model ({choices}) nor a .gguf path"
                )
            self.gguf = Path(spec).expanduser()
            if not self.gguf.is_file():
                raise ConfigError(f"llm.model: no such GGUF file: {self.gguf}")
        extra = self.embedded.extra if self.embedded else "local"
        if importlib.util.find_spec("xllamacpp") is None:
            raise ConfigError(
                "llm.provider: the local model needs the llama.cpp runtime; "
                f"run: pip install 'tracefabric[{extra}]'"
            )
        if self.embedded is not None and not (models_dir() / self.embedded.filename).is_file():
            chunk_files(self.embedded)  # raises the one-line install hint when the extra is missing
        self.model = self.embedded.name if self.embedded else self.gguf.stem  # type: ignore[union-attr]
        self.context_size = config.context_size
        self.threads = config.threads or default_threads()
        self._schemas = SchemaMemo(_grammar_schema)
        self._runtime: LocalRuntime | None = None

    def _load(self) -> LocalRuntime:
        if self._runtime is None:
            path = ensure_weights(self.embedded.name) if self.embedded else self.gguf
            assert path is not None
            self._runtime = get_runtime(
                path, context_size=self.context_size, threads=self.threads, label=self.model
            )
        return self._runtime

    async def warmup(self) -> None:
        await asyncio.to_thread(self._load)

    async def complete(self, request: CompletionRequest) -> CompletionResponse:
        runtime = self._runtime or await asyncio.to_thread(self._load)
        body: dict[str, Any] = {
            "messages": request.messages,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "repeat_penalty": REPEAT_PENALTY,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        if request.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": self._schemas(request.json_schema)},
            }
        # The call cannot be interrupted once started; cancelling only stops waiting for it.
        result = await asyncio.to_thread(runtime.chat, body)
        if "error" in result:
            error = result["error"]
            message = error.get("message", str(error)) if isinstance(error, dict) else str(error)
            status = error.get("code") if isinstance(error, dict) else None
            raise ProviderError(
                f"local ({self.model}): {message}", status=status if isinstance(status, int) else None
            )
        choice = result["choices"][0]
        usage = result.get("usage") or {}
        return CompletionResponse(
            text=choice["message"].get("content") or "",
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            finish_reason=choice.get("finish_reason"),
            timings=result.get("timings"),
        )

    async def aclose(self) -> None:
        return None  # the runtime stays loaded for the rest of the process

"""The run config: one YAML file with sections `llm`, `topics`, `generation`, `output`.

Unknown keys anywhere are errors (typos must not silently do nothing). See docs/config.md
for every field with an example.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tracefabric.llm import LLMConfig
from tracefabric.topics import TopicsConfig

SampleKind = Literal["basic", "cot", "agent"]

DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."
DEFAULT_AGENT_SYSTEM_PROMPT = (
    "You are a helpful assistant with access to tools. Use them to inspect and change the "
    "workspace; never guess what a tool would return."
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeedConfig(_Strict):
    """Files written into every sample's fresh session before its loop starts (not traced)."""

    files: dict[str, str] = Field(default_factory=dict)
    from_dir: str | None = None
    from_git: str | None = None
    ref: str | None = None
    # Globs (relative paths) to skip when reading a folder or a repository.
    exclude: list[str] = Field(default_factory=lambda: [".git/**", "**/__pycache__/**", "**/*.pyc"])
    max_files: int = Field(default=200, gt=0)
    max_file_bytes: int = Field(default=256 * 1024, gt=0)
    max_total_bytes: int = Field(default=2 * 1024 * 1024, gt=0)


class MockToolsConfig(_Strict):
    """Mock tools from an MCP tools/list file, with responses from a data file (issue #8)."""

    schema_file: str = Field(alias="schema")
    data: str | None = None
    namespace: str | None = None
    # Fault injection, e.g. {"seed": 7, "rate_limited": 0.1, "tools": {"charge": {"timeout": 0.2}}};
    # the full shape is in docs/mock.md.
    faults: dict[str, Any] | None = None
    # Tools annotated destructiveHint: offered (allow), left out (exclude), or offered but every
    # call refused with PermissionDenied (deny). true/false mean allow/exclude.
    destructive: Literal["allow", "exclude", "deny"] = "allow"

    @field_validator("destructive", mode="before")
    @classmethod
    def _destructive_bool(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return "allow" if value else "exclude"
        return value

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ToolsConfig(_Strict):
    # Components whose tools are offered. A list of names, or {component: [tool, ...]} to offer
    # only some tools of a component (DeepFabric's form; `builtin` means the VFS).
    components: list[str] | dict[str, list[str]] = Field(default_factory=lambda: ["vfs"])
    # Rename offered tools to resolve clashes: {"component.tool": "new_name"}.
    aliases: dict[str, str] = Field(default_factory=dict)
    manifest: str | None = None
    # Where components run when there is no endpoint: `process`, a child process of the run (its
    # own interpreter and core: the run's event loop and the guests don't contend), or
    # `thread`, worker threads of the run's own process.
    sandbox: Literal["process", "thread"] = "process"
    # A remote tool server (our `serve`, or a DeepFabric Spin tools-sdk) instead of in-process.
    endpoint: str | None = None
    token_env: str | None = None
    # Manifest variable overrides (e.g. allowed_repos for the GitHub component).
    variables: dict[str, str] = Field(default_factory=dict)
    namespace: str | None = None
    scenario_seed: SeedConfig | None = None
    mock: MockToolsConfig | None = None
    max_agent_steps: int = Field(default=8, ge=1, le=64)
    min_tool_calls: int = Field(default=1, ge=0)
    max_tool_calls: int = Field(default=8, ge=1)
    # strict: a sample that wants more than max_tool_calls is rejected; otherwise the loop stops there.
    strict_tool_calls: bool = False
    parallel_calls: bool = True
    max_observation_chars: int = Field(default=4000, ge=200)
    # History given to the model is trimmed to about this many characters (oldest steps first).
    max_context_chars: int = Field(default=24000, ge=2000)

    @model_validator(mode="after")
    def _bounds(self) -> ToolsConfig:
        if self.min_tool_calls > self.max_tool_calls:
            raise ValueError("min_tool_calls must not exceed max_tool_calls")
        return self

    def component_filter(self) -> dict[str, list[str] | None]:
        """component → tool names to offer (None: all of them)."""
        if isinstance(self.components, list):
            return {("vfs" if c == "builtin" else c): None for c in self.components}
        return {("vfs" if c == "builtin" else c): list(tools) or None for c, tools in self.components.items()}


class GenerationConfig(_Strict):
    kind: SampleKind = "basic"
    system_prompt: str | None = None
    # Guidance for what samples look like (shapes the user questions/requests).
    instructions: str = ""
    llm: LLMConfig | None = None
    tools: ToolsConfig | None = None
    # Put the reasoning into the assistant message content too (it is always in `reasoning`).
    reasoning_in_content: bool = False
    # Attempts per sample after the first (LLM errors, quality gates).
    max_retries: int = Field(default=2, ge=0, le=20)

    @model_validator(mode="after")
    def _agent_has_tools(self) -> GenerationConfig:
        if self.kind == "agent" and self.tools is None:
            self.tools = ToolsConfig()
        return self

    @property
    def effective_system_prompt(self) -> str:
        if self.system_prompt:
            return self.system_prompt
        return DEFAULT_AGENT_SYSTEM_PROMPT if self.kind == "agent" else DEFAULT_SYSTEM_PROMPT


NUM_SAMPLES_RE = re.compile(r"^(auto|\d+%|\d+)$")


class OutputConfig(_Strict):
    path: str = "output/dataset.jsonl"
    # An integer, "auto" (one per topic) or "NN%" of the topics.
    num_samples: int | str = 10
    # Samples in flight at once.
    concurrency: int = Field(default=4, ge=1, le=1024)
    seed: int = 0
    format: Literal["openai"] = "openai"
    # The system message put into each record (default: the generation system prompt).
    system_prompt: str | None = None
    include_system_message: bool = True
    # Budgets: when reached, the run stops as on Ctrl+C (resumable).
    max_tokens_total: int | None = Field(default=None, gt=0)
    max_cost_usd: float | None = Field(default=None, gt=0)
    # Stop the run when more samples than this have failed for good (None: 2 × num_samples + 10).
    max_failures: int | None = Field(default=None, ge=0)
    # Processes building samples. auto: one per 256 samples in flight (up to half the CPU count)
    # for cloud providers, 1 for the embedded model. See docs/generation.md.
    workers: int | Literal["auto"] = "auto"

    @field_validator("workers")
    @classmethod
    def _workers(cls, value: int | str) -> int | str:
        if isinstance(value, int) and not 1 <= value <= 64:
            raise ValueError("must be between 1 and 64, or 'auto'")
        return value

    @field_validator("num_samples")
    @classmethod
    def _num_samples(cls, value: int | str) -> int | str:
        if isinstance(value, int):
            if value < 1:
                raise ValueError("must be at least 1")
            return value
        text = value.strip()
        if not NUM_SAMPLES_RE.match(text):
            raise ValueError("must be an integer, 'auto' or a percentage like '50%'")
        return int(text) if text.isdigit() else text

    def resolve_num_samples(self, topic_count: int) -> int:
        value = self.num_samples
        if isinstance(value, int):
            return value
        if value == "auto":
            return max(1, topic_count)
        return max(1, topic_count * int(value[:-1]) // 100)


class HubConfig(_Strict):
    """Push the dataset to the Hugging Face Hub when a run completes (`tracefabric push`)."""

    repo_id: str = Field(pattern=r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
    private: bool = False
    revision: str | None = None
    tags: list[str] = Field(default_factory=list)
    license: str | None = None
    tools: Literal["all", "used"] = "all"
    drop: list[Literal["tools", "reasoning", "metadata", "trace"]] = Field(default_factory=list)
    # The environment variable holding the token (default: the library's lookup, HF_TOKEN first).
    token_env: str | None = None


class RunConfig(_Strict):
    llm: LLMConfig = Field(default_factory=LLMConfig)
    topics: TopicsConfig
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    hub: HubConfig | None = None

    def topics_llm(self) -> LLMConfig:
        return self.llm.merged(self.topics.llm)

    def generation_llm(self) -> LLMConfig:
        return self.llm.merged(self.generation.llm)

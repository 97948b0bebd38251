"""The manifest: Spin's `spin.toml` (manifest version 2), plus a few keys of our own.

The manifest is the single source of truth for what a component may touch: stores,
outbound hosts and variables are denied unless listed here.

Our own keys on ``[component.NAME]`` (Spin ignores nothing, so they are documented):
``deterministic`` (false when results can't be replayed, e.g. real APIs), ``enabled``
(false ships the component off until ``--enable NAME``), ``shared_key_value_stores``
(labels the component may open shared across sessions of a namespace), and the limits
``fuel``, ``timeout_ms``, ``memory_limit_mb``, ``max_request_bytes``, ``max_response_bytes``.
``description`` is shown by ``tracefabric tools list``. On ``[variables.NAME]``, ``env``
lists extra environment variables to read (e.g. ``GITHUB_TOKEN``).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
LABEL_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
VARIABLE_RE = re.compile(r"^[a-z][a-z0-9_]*$")

BUILTIN_PREFIX = "builtin:"

DEFAULT_FUEL = 4_000_000_000  # ~0.3 s of guest compute on this class of machine
DEFAULT_TIMEOUT_MS = 10_000
DEFAULT_MEMORY_LIMIT_MB = 256
DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@cache
def builtin_names() -> tuple[str, ...]:
    """The components that ship with tracefabric (`source = "builtin:NAME"`)."""
    root = resources.files("tracefabric.components")
    return tuple(
        sorted(
            entry.name for entry in root.iterdir() if entry.is_dir() and entry.joinpath("app.py").is_file()
        )
    )


class BuildConfig(_Strict):
    command: str
    workdir: str | None = None
    watch: list[str] = Field(default_factory=list)


class ComponentConfig(_Strict):
    source: str
    description: str = ""
    key_value_stores: list[str] = Field(default_factory=list)
    allowed_outbound_hosts: list[str] = Field(default_factory=list)
    variables: dict[str, str] = Field(default_factory=dict)
    build: BuildConfig | None = None
    # tracefabric's own keys
    deterministic: bool = True
    enabled: bool = True
    shared_key_value_stores: list[str] = Field(default_factory=list)
    fuel: int = Field(default=DEFAULT_FUEL, gt=0)
    timeout_ms: int = Field(default=DEFAULT_TIMEOUT_MS, gt=0)
    memory_limit_mb: int = Field(default=DEFAULT_MEMORY_LIMIT_MB, gt=0)
    max_request_bytes: int = Field(default=DEFAULT_MAX_REQUEST_BYTES, gt=0)
    max_response_bytes: int = Field(default=DEFAULT_MAX_RESPONSE_BYTES, gt=0)

    @field_validator("source")
    @classmethod
    def _source(cls, source: str) -> str:
        if not source.strip():
            raise ValueError("must name a .wasm file (or builtin:NAME)")
        if source.startswith(BUILTIN_PREFIX) and source[len(BUILTIN_PREFIX) :] not in builtin_names():
            raise ValueError(
                f"{source!r} is not a built-in component (built-ins: "
                + ", ".join(f"builtin:{name}" for name in builtin_names())
                + ")"
            )
        return source

    @field_validator("key_value_stores", "shared_key_value_stores")
    @classmethod
    def _labels(cls, labels: list[str]) -> list[str]:
        for label in labels:
            if not LABEL_RE.match(label):
                raise ValueError(f"store label {label!r} must match {LABEL_RE.pattern}")
        return labels

    @field_validator("variables")
    @classmethod
    def _variable_names(cls, variables: dict[str, str]) -> dict[str, str]:
        for name in variables:
            if not VARIABLE_RE.match(name):
                raise ValueError(f"variable name {name!r} must match {VARIABLE_RE.pattern}")
        return variables

    @model_validator(mode="after")
    def _shared_needs_grant(self) -> ComponentConfig:
        missing = [s for s in self.shared_key_value_stores if s not in self.key_value_stores]
        if missing:
            raise ValueError(f"shared_key_value_stores {missing} must also be listed in key_value_stores")
        return self


class Variable(_Strict):
    default: str | None = None
    required: bool = False
    secret: bool = False
    env: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _required_xor_default(self) -> Variable:
        if self.required and self.default is not None:
            raise ValueError("a variable is either required or has a default, not both")
        return self


class HttpTrigger(_Strict):
    route: str
    component: str
    executor: dict[str, str] | None = None

    @field_validator("route")
    @classmethod
    def _route(cls, route: str) -> str:
        if not route.startswith("/"):
            raise ValueError(f"route {route!r} must start with '/'")
        return route

    @property
    def prefix(self) -> str:
        """'/vfs/...' → '/vfs'; '/...' → ''."""
        route = self.route
        if route.endswith("/..."):
            route = route[: -len("/...")]
        return route.rstrip("/")


class Triggers(_Strict):
    http: list[HttpTrigger] = Field(default_factory=list)


class Application(_Strict):
    name: str
    version: str = "0.0.0"
    description: str = ""
    authors: list[str] = Field(default_factory=list)
    trigger: dict[str, dict[str, str]] | None = None


class Manifest(_Strict):
    spin_manifest_version: int = 2
    application: Application
    variables: dict[str, Variable] = Field(default_factory=dict)
    trigger: Triggers = Field(default_factory=Triggers)
    component: dict[str, ComponentConfig] = Field(default_factory=dict)
    # Where the manifest was read from: relative `source`/`workdir` paths resolve against it.
    base_dir: Path = Field(default=Path("."), exclude=True)

    @field_validator("spin_manifest_version")
    @classmethod
    def _version(cls, version: int) -> int:
        if version != 2:
            raise ValueError("only spin_manifest_version = 2 is supported")
        return version

    @field_validator("component")
    @classmethod
    def _component_names(cls, components: dict[str, ComponentConfig]) -> dict[str, ComponentConfig]:
        for name in components:
            if not NAME_RE.match(name):
                raise ValueError(f"component name {name!r} must match {NAME_RE.pattern}")
        return components

    @model_validator(mode="after")
    def _triggers_name_components(self) -> Manifest:
        prefixes: dict[str, str] = {}
        for trigger in self.trigger.http:
            if trigger.component not in self.component:
                raise ValueError(
                    f"trigger route {trigger.route!r} names unknown component {trigger.component!r}"
                )
            if trigger.prefix in prefixes:
                raise ValueError(
                    f"route {trigger.route!r} is used by both {prefixes[trigger.prefix]!r} and {trigger.component!r}"
                )
            prefixes[trigger.prefix] = trigger.component
        return self

    def route_prefix(self, component: str) -> str:
        """The URL prefix a component is served under (its first HTTP trigger, else /NAME)."""
        for trigger in self.trigger.http:
            if trigger.component == component:
                return trigger.prefix
        return "/" + component

    def resolve_path(self, path: str) -> Path:
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else (self.base_dir / candidate).resolve()

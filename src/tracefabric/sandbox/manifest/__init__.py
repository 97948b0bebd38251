"""The manifest (Spin `spin.toml` v2 form): the single source of truth for component capabilities."""

from .hosts import HostAllowlist, parse_host_pattern
from .loader import BUILTIN_PREFIX, default_manifest_text, load_manifest, parse_manifest
from .model import BuildConfig, ComponentConfig, HttpTrigger, Manifest, Variable
from .variables import VariableResolver

__all__ = [
    "BUILTIN_PREFIX",
    "BuildConfig",
    "ComponentConfig",
    "HostAllowlist",
    "HttpTrigger",
    "Manifest",
    "Variable",
    "VariableResolver",
    "default_manifest_text",
    "load_manifest",
    "parse_host_pattern",
    "parse_manifest",
]

"""The run config (YAML): models, loading with precise errors, DeepFabric 4.x translation."""

from .loader import ConfigErrors, LoadedConfig, config_from_dict, load_config, parse_config
from .models import (
    GenerationConfig,
    MockToolsConfig,
    OutputConfig,
    RunConfig,
    SeedConfig,
    ToolsConfig,
)

__all__ = [
    "ConfigErrors",
    "GenerationConfig",
    "LoadedConfig",
    "MockToolsConfig",
    "OutputConfig",
    "RunConfig",
    "SeedConfig",
    "ToolsConfig",
    "config_from_dict",
    "load_config",
    "parse_config",
]

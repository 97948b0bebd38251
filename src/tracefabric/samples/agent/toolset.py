"""The tools offered to the model: from the components a config names, with unique names.

A name offered by two components is a config error naming both (rename one with
`generation.tools.aliases: {"component.tool": "new_name"}`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from tracefabric.config import ToolsConfig
from tracefabric.errors import ConfigError, SandboxError

# DeepFabric's Spin tools-sdk serves no tool list; its VFS tools are these four.
DEEPFABRIC_VFS_TOOLS: list[dict[str, Any]] = [
    {
        "name": "read_file",
        "description": "Read content from a file",
        "inputSchema": {
            "type": "object",
            "properties": {"file_path": {"type": "string", "description": "Path to the file to read"}},
            "required": ["file_path"],
        },
    },
    {
        "name": "write_file",
        "description": "Write content to a file",
        "inputSchema": {
            "type": "object",
            "properties": {
                "file_path": {"type": "string", "description": "Path to the file to write"},
                "content": {"type": "string", "description": "Content to write"},
            },
            "required": ["file_path", "content"],
        },
    },
    {
        "name": "list_files",
        "description": "List all files in the workspace",
        "inputSchema": {"type": "object", "properties": {}},
    },
    {
        "name": "delete_file",
        "description": "Delete a file",
        "inputSchema": {
            "type": "object",
            "properties": {"file_path": {"type": "string", "description": "Path to the file to delete"}},
            "required": ["file_path"],
        },
    },
]


@dataclass(frozen=True)
class OfferedTool:
    name: str  # what the model sees
    component: str
    tool: str  # the component's own name for it
    description: str
    input_schema: dict[str, Any]
    annotations: dict[str, Any]

    def openai(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.input_schema},
        }

    def signature(self) -> str:
        properties = self.input_schema.get("properties") or {}
        required = set(self.input_schema.get("required") or [])
        args = []
        for name, schema in properties.items():
            kind = schema.get("type", "any") if isinstance(schema, dict) else "any"
            args.append(f"{name}{'' if name in required else '?'}: {kind}")
        return f"{self.name}({', '.join(args)})"


def _schema(entry: dict[str, Any]) -> dict[str, Any]:
    schema = entry.get("inputSchema") or {"type": "object", "properties": {}}
    return copy.deepcopy(schema)


def resolve_tools(
    sandbox: Any,
    config: ToolsConfig,
    namespace: str | None,
) -> list[OfferedTool]:
    offered: dict[str, OfferedTool] = {}
    for component, wanted in config.component_filter().items():
        try:
            entries = sandbox.tools(component, namespace=namespace)
        except SandboxError as exc:
            if component == "vfs" and exc.status == 404 and config.endpoint:
                entries = DEEPFABRIC_VFS_TOOLS  # a DeepFabric tools-sdk server: no /vfs/tools route
            else:
                raise ConfigError(f"generation.tools.components: {component!r}: {exc.message}") from None
        by_name = {entry["name"]: entry for entry in entries}
        names = wanted if wanted is not None else list(by_name)
        missing = [name for name in names if name not in by_name]
        if missing:
            raise ConfigError(
                f"generation.tools.components.{component}: no tool named {', '.join(map(repr, missing))} "
                f"(it has: {', '.join(sorted(by_name)) or 'no tools'})"
            )
        for name in names:
            entry = by_name[name]
            annotations = dict(entry.get("annotations") or {})
            shown = config.aliases.get(f"{component}.{name}", name)
            if shown in offered:
                other = offered[shown]
                raise ConfigError(
                    f"generation.tools: tool name {shown!r} is offered by both {other.component!r} and "
                    f"{component!r}; rename one with generation.tools.aliases: "
                    f"{{'{component}.{name}': '{component}_{name}'}}"
                )
            offered[shown] = OfferedTool(
                name=shown,
                component=component,
                tool=name,
                description=str(entry.get("description") or entry.get("title") or name),
                input_schema=_schema(entry),
                annotations=annotations,
            )
    unused = [alias for alias in config.aliases if alias.split(".", 1)[0] not in config.component_filter()]
    if unused:
        raise ConfigError(f"generation.tools.aliases: {unused[0]!r} names a component that is not offered")
    if not offered:
        raise ConfigError("generation.tools: no tools to offer (check components and their tool lists)")
    return list(offered.values())

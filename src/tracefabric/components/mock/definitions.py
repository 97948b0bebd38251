"""The documents the mock loads: MCP tool definitions and mock data, checked field by field.

One document may hold any of:

- ``tools``: MCP ``tools/list`` entries (``name``, ``title``, ``description``,
  ``inputSchema``, ``outputSchema``, ``annotations``), each optionally with
  ``mockResponse`` and ``mockFixtures`` (a list of ``{match, response}``, or DeepFabric's
  map ``{"a=1,b=x": response}``). A bare list is a list of tools.
- ``mockResponses``: per tool, ``{defaultResponse, fixtures: [{match, response}]}``.
- ``fixtures``: per tool, a list of ``{match, response}`` (DeepFabric's data files).
- ``faults``: fault injection settings (see `faults`).

Errors name the field (``tools[3].inputSchema: must be an object``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import faults as fault_config
from .errors import FormatError
from .matching import check_match, from_deepfabric_key

NAME_RE = re.compile(r"^[A-Za-z0-9_.:/-]{1,128}$")
HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
# Fields of an MCP tool entry that a mock has no use for; dropped without complaint.
IGNORED_TOOL_FIELDS = {"_meta", "icons", "execution"}
DOCUMENT_FIELDS = {"tools", "mockResponses", "fixtures", "faults", "nextCursor", "_meta", "namespace"}
EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}


@dataclass
class ToolData:
    """Responses for one tool: the template (if given) and fixtures in insertion order."""

    fixtures: list[dict[str, Any]] = field(default_factory=list)
    response: Any = None
    has_response: bool = False

    def merge(self, other: ToolData) -> None:
        self.fixtures.extend(other.fixtures)
        if other.has_response:
            self.response, self.has_response = other.response, True


@dataclass
class Document:
    tools: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, ToolData] = field(default_factory=dict)
    faults: dict[str, Any] | None = None
    has_faults: bool = False

    def add_data(self, name: str, data: ToolData) -> None:
        if name in self.data:
            self.data[name].merge(data)
        else:
            self.data[name] = data

    @property
    def empty(self) -> bool:
        return not self.tools and not self.data and not self.has_faults


def check_name(name: Any, path: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise FormatError(
            path, f"a tool name is 1-128 letters, digits or '_', '-', '.', ':', '/' (got {name!r})"
        )
    return name


def _optional_text(entry: dict[str, Any], key: str, path: str) -> str | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise FormatError(f"{path}.{key}", "must be a string")
    return value


def _annotations(value: Any, path: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FormatError(path, "must be an object")
    for hint in HINTS:
        if hint in value and not isinstance(value[hint], bool):
            raise FormatError(f"{path}.{hint}", "must be true or false")
    if "title" in value and not isinstance(value["title"], str):
        raise FormatError(f"{path}.title", "must be a string")
    return dict(value)


def fixture(entry: Any, path: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise FormatError(path, "a fixture is an object {match, response}")
    unknown = sorted(set(entry) - {"match", "response"})
    if unknown:
        raise FormatError(f"{path}.{unknown[0]}", "unknown field (a fixture has 'match' and 'response')")
    if "response" not in entry:
        raise FormatError(f"{path}.response", "is required")
    return {"match": check_match(entry.get("match"), f"{path}.match"), "response": entry["response"]}


def fixtures(value: Any, path: str) -> list[dict[str, Any]]:
    """A list of fixtures, or DeepFabric's ``{"a=1,b=x": response}`` map."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [{"match": from_deepfabric_key(k, f"{path}.{k}"), "response": v} for k, v in value.items()]
    if not isinstance(value, list):
        raise FormatError(path, "must be a list of {match, response}")
    return [fixture(item, f"{path}[{i}]") for i, item in enumerate(value)]


def tool(entry: Any, path: str) -> tuple[dict[str, Any], ToolData | None]:
    """An MCP tool entry → (stored definition, its mock data if it carries any)."""
    if not isinstance(entry, dict):
        raise FormatError(path, "a tool is an object with at least a 'name'")
    name = check_name(entry.get("name"), f"{path}.name")
    definition: dict[str, Any] = {"name": name}
    for key in ("title", "description"):
        text = _optional_text(entry, key, path)
        if text is not None:
            definition[key] = text
    schema = entry.get("inputSchema", entry.get("input_schema"))
    if schema is None:
        schema = dict(EMPTY_SCHEMA)
    if not isinstance(schema, dict):
        raise FormatError(f"{path}.inputSchema", "must be a JSON Schema object")
    if schema.get("type", "object") != "object":
        raise FormatError(f"{path}.inputSchema.type", "an MCP tool's inputSchema must have type 'object'")
    definition["inputSchema"] = schema
    output = entry.get("outputSchema", entry.get("output_schema"))
    if output is not None:
        if not isinstance(output, dict):
            raise FormatError(f"{path}.outputSchema", "must be a JSON Schema object")
        definition["outputSchema"] = output
    annotations = _annotations(entry.get("annotations"), f"{path}.annotations")
    if annotations:
        definition["annotations"] = annotations
    data: ToolData | None = None
    if "mockResponse" in entry or "mockFixtures" in entry:
        data = ToolData(fixtures=fixtures(entry.get("mockFixtures"), f"{path}.mockFixtures"))
        if "mockResponse" in entry and entry["mockResponse"] is not None:
            data.response, data.has_response = entry["mockResponse"], True
    return definition, data


def _tool_data(value: Any, path: str) -> ToolData:
    if not isinstance(value, dict):
        raise FormatError(path, "must be an object {defaultResponse, fixtures}")
    unknown = sorted(set(value) - {"defaultResponse", "fixtures"})
    if unknown:
        raise FormatError(f"{path}.{unknown[0]}", "unknown field (expected defaultResponse, fixtures)")
    data = ToolData(fixtures=fixtures(value.get("fixtures"), f"{path}.fixtures"))
    if value.get("defaultResponse") is not None:
        data.response, data.has_response = value["defaultResponse"], True
    return data


def _tool_map(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FormatError(path, "must map tool names to entries")
    for name in value:
        check_name(name, f"{path}.{name}")
    return value


def document(doc: Any) -> Document:
    """Parse a whole document (already decoded from JSON or YAML)."""
    out = Document()
    if isinstance(doc, list):
        doc = {"tools": doc}
    if not isinstance(doc, dict):
        raise FormatError("", 'expected an object ({"tools": [...]} or a mock data file) or a list of tools')
    unknown = sorted(set(doc) - DOCUMENT_FIELDS)
    if unknown:
        allowed = ", ".join(sorted(DOCUMENT_FIELDS - {"nextCursor", "_meta", "namespace"}))
        raise FormatError(unknown[0], f"unknown field (a document may have {allowed})")
    tools = doc.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise FormatError("tools", "must be a list of MCP tool definitions")
        seen: set[str] = set()
        for i, entry in enumerate(tools):
            definition, data = tool(entry, f"tools[{i}]")
            if definition["name"] in seen:
                raise FormatError(f"tools[{i}].name", f"tool {definition['name']!r} is defined twice")
            seen.add(definition["name"])
            out.tools.append(definition)
            if data is not None:
                out.add_data(definition["name"], data)
    for name, value in _tool_map(doc.get("mockResponses") or {}, "mockResponses").items():
        out.add_data(name, _tool_data(value, f"mockResponses.{name}"))
    for name, value in _tool_map(doc.get("fixtures") or {}, "fixtures").items():
        out.add_data(name, ToolData(fixtures=fixtures(value, f"fixtures.{name}")))
    if "faults" in doc:
        out.faults = fault_config.normalize(doc["faults"])
        out.has_faults = True
    return out

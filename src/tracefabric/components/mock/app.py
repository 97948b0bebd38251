"""The mock component: tools loaded from MCP schemas, answered from fixtures and templates.

Tools live per namespace in the shared store (see `state`); management operations (served
at ``/mock/<operation>``) write them, tool calls only read them. A call is answered by, in
order: an injected fault (when the namespace has fault settings and the seeded draw says
so), the most specific matching fixture, the tool's ``mockResponse`` template, or a default
echo. Arguments arrive already validated against the tool's inputSchema by the host.

The host adds what a guest can't do (see ``tracefabric.mock.extension``): YAML bodies,
JSON Schema checks of schemas and of responses against ``outputSchema``, and ``/mock/pull``.
"""

from __future__ import annotations

from typing import Any

from tracefabric.guest import Component, ManageError, ToolError, UnknownTool

from . import definitions, faults, matching, state
from .errors import FormatError
from .templates import render

component = Component("mock")
# False while componentize-py snapshots the module: the build-time describe has no host.
_ready = False


def _public(definition: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": definition["name"]}
    if "title" in definition:
        entry["title"] = definition["title"]
    entry["description"] = definition.get("description") or ""
    entry["inputSchema"] = definition.get("inputSchema") or dict(definitions.EMPTY_SCHEMA)
    for key in ("outputSchema", "annotations"):
        if key in definition:
            entry[key] = definition[key]
    return entry


@component.dynamic_tools
def describe_tools(namespace: str) -> list[dict[str, Any]]:
    if not _ready:
        return []
    return [_public(d) for d in state.tools(state.shared())]


def _echo(definition: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    name = definition["name"]
    return {
        "tool": name,
        "description": definition.get("description"),
        "input_received": args,
        "mock_result": f"Successfully executed {name}",
        "status": "success",
    }


@component.dynamic_execute
def execute(name: str, args: dict[str, Any]) -> Any:
    store = state.shared()
    definition = state.get_tool(store, name)
    if definition is None:
        raise UnknownTool(f"Unknown tool: {name}")
    context = component.context
    index = state.session().increment(state.CALLS)
    config = store.get_json(state.FAULTS)
    if config:
        profile = faults.profile_for(config, name)
        if faults.is_active(profile):
            fault = faults.choose(profile, faults.draw(config["seed"], context.session_id or "", index))
            if fault is not None:
                error_type, text, meta = faults.error_for(fault, profile, args)
                context.meta.update(meta)
                context.meta["mock"] = {"source": "fault", "call": index}
                raise ToolError(error_type, text)
    data = state.get_data(store, name)
    chosen = matching.select(data["fixtures"], args)
    if chosen is not None:
        context.meta["mock"] = {"source": "fixture", "fixture": chosen, "call": index}
        return render(data["fixtures"][chosen]["response"], args)
    if "mockResponse" in data:
        context.meta["mock"] = {"source": "mockResponse", "call": index}
        return render(data["mockResponse"], args)
    context.meta["mock"] = {"source": "echo", "call": index}
    return _echo(definition, args)


# -- management ---------------------------------------------------------------------------
def _invalid(message: str) -> ManageError:
    return ManageError(400, "InvalidRequest", message)


def _object(body: Any, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _invalid(f"expected a JSON object with {', '.join(required)}")
    for key in required:
        if key not in body:
            raise _invalid(f"missing field {key!r}")
    unknown = sorted(set(body) - {*required, *optional, "namespace"})
    if unknown:
        raise _invalid(f"unknown field {unknown[0]!r} (expected {', '.join((*required, *optional))})")
    return body


def _existing_tool(store: Any, name: Any) -> dict[str, Any]:
    try:
        definitions.check_name(name, "name")
    except FormatError as exc:
        raise _invalid(str(exc)) from None
    definition = state.get_tool(store, name)
    if definition is None:
        namespace = component.context.namespace
        hint = "" if state.tool_names(store) else "; no tools are loaded (POST a schema to /mock/load-schema)"
        raise ManageError(404, "UnknownTool", f"Tool not found: {name} (namespace {namespace!r}{hint})")
    return definition


class _Fixtures:
    """A tool's fixture list, indexed by match identity (adding an existing match replaces it)."""

    def __init__(self, fixtures: list[dict[str, Any]]) -> None:
        self.fixtures = fixtures
        self.index = {matching.identity(f.get("match") or {}): i for i, f in enumerate(fixtures)}

    def upsert(self, fixture: dict[str, Any]) -> tuple[int, bool]:
        identity = matching.identity(fixture["match"])
        position = self.index.get(identity)
        if position is not None:
            self.fixtures[position] = fixture
            return position, True
        self.fixtures.append(fixture)
        self.index[identity] = len(self.fixtures) - 1
        return len(self.fixtures) - 1, False


def _load(body: Any, request: dict[str, Any]) -> dict[str, Any]:
    if body is None or isinstance(body, str):
        raise _invalid('expected a JSON (or YAML) document: {"tools": [...]}, a list of tools, or mock data')
    try:
        doc = definitions.document(body)
    except FormatError as exc:
        raise _invalid(str(exc)) from None
    if doc.empty:
        raise _invalid("nothing to load: the document has no tools, mockResponses, fixtures or faults")
    store = state.shared()
    loading = {d["name"] for d in doc.tools}
    for name in doc.data:
        if name not in loading and state.get_tool(store, name) is None:
            raise ManageError(
                404,
                "UnknownTool",
                f"mock data for {name!r}, but no such tool is loaded in namespace "
                f"{component.context.namespace!r} (load its schema first, or in the same document)",
            )
    # Everything is checked: now write.
    for definition in doc.tools:
        state.put_tool(store, definition)
    fixture_count = 0
    responses = 0
    for name, tool_data in doc.data.items():
        data = state.get_data(store, name)
        indexed = _Fixtures(data["fixtures"])
        for fixture in tool_data.fixtures:
            indexed.upsert(fixture)
        fixture_count += len(tool_data.fixtures)
        if tool_data.has_response:
            data["mockResponse"] = tool_data.response
            responses += 1
        state.put_data(store, name, data)
    if doc.has_faults:
        if doc.faults:
            store.set_json(state.FAULTS, doc.faults)
        else:
            store.delete(state.FAULTS)
    return {
        "loaded": len(doc.tools),
        "tools": [d["name"] for d in doc.tools],
        "responses": responses,
        "fixtures": fixture_count,
        "faults": doc.has_faults,
        "namespace": component.context.namespace,
    }


component.operation("load-schema")(_load)
component.operation("load-data")(_load)
component.operation("load")(_load)


@component.operation("update-response")
def update_response(body: Any, request: dict[str, Any]) -> dict[str, Any]:
    body = _object(body, ("name", "mockResponse"))
    store = state.shared()
    name = _existing_tool(store, body["name"])["name"]
    data = state.get_data(store, name)
    if body["mockResponse"] is None:
        data.pop("mockResponse", None)
    else:
        data["mockResponse"] = body["mockResponse"]
    state.put_data(store, name, data)
    return {"updated": name}


@component.operation("add-fixture")
def add_fixture(body: Any, request: dict[str, Any]) -> dict[str, Any]:
    body = _object(body, ("name", "response"), ("match",))
    store = state.shared()
    name = _existing_tool(store, body["name"])["name"]
    try:
        fixture = definitions.fixture({"match": body.get("match"), "response": body["response"]}, "")
    except FormatError as exc:
        raise _invalid(str(exc)) from None
    data = state.get_data(store, name)
    index, replaced = _Fixtures(data["fixtures"]).upsert(fixture)
    state.put_data(store, name, data)
    return {
        "tool": name,
        "fixture_key": matching.fixture_key(fixture["match"]),
        "index": index,
        "replaced": replaced,
        "total_fixtures": len(data["fixtures"]),
    }


@component.operation("remove-fixture")
def remove_fixture(body: Any, request: dict[str, Any]) -> dict[str, Any]:
    body = _object(body, ("name",), ("match",))
    store = state.shared()
    name = _existing_tool(store, body["name"])["name"]
    try:
        match = matching.check_match(body.get("match"), "match")
    except FormatError as exc:
        raise _invalid(str(exc)) from None
    data = state.get_data(store, name)
    identity = matching.identity(match)
    kept = [f for f in data["fixtures"] if matching.identity(f.get("match") or {}) != identity]
    removed = len(kept) != len(data["fixtures"])
    data["fixtures"] = kept
    state.put_data(store, name, data)
    return {"tool": name, "removed": removed, "total_fixtures": len(kept)}


@component.operation("list-tools")
def list_tools(body: Any, request: dict[str, Any]) -> dict[str, Any]:
    store = state.shared()
    entries = []
    for definition in state.tools(store):
        data = state.get_data(store, definition["name"])
        entry = _public(definition)
        entry["mock"] = {"fixtures": len(data["fixtures"]), "mockResponse": "mockResponse" in data}
        entries.append(entry)
    return {
        "namespace": component.context.namespace,
        "tools": entries,
        "faults": store.get_json(state.FAULTS),
    }


@component.operation("get-tool")
def get_tool(body: Any, request: dict[str, Any]) -> dict[str, Any]:
    name = (body or {}).get("name") if isinstance(body, dict) else None
    name = name or (request.get("query") or {}).get("name")
    store = state.shared()
    definition = _existing_tool(store, name)
    data = state.get_data(store, definition["name"])
    out: dict[str, Any] = {"tool": _public(definition), "fixtures": data["fixtures"]}
    if "mockResponse" in data:
        out["mockResponse"] = data["mockResponse"]
    return out


@component.operation("clear")
def clear(body: Any, request: dict[str, Any]) -> dict[str, Any]:
    store = state.shared()
    name = body.get("name") if isinstance(body, dict) else None
    if name is not None:
        state.delete_tool(store, _existing_tool(store, name)["name"])
        return {"cleared": True, "tools": 1}
    return {"cleared": True, "tools": state.clear(store)}


@component.operation("faults")
def fault_settings(body: Any, request: dict[str, Any]) -> dict[str, Any]:
    """GET: the namespace's fault settings; POST/PUT: replace them; DELETE: remove them."""
    store = state.shared()
    method = str(request.get("method") or "GET").upper()
    if method == "DELETE":
        store.delete(state.FAULTS)
        return {"faults": None}
    if method in ("POST", "PUT"):
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k != "namespace"}
        try:
            config = faults.normalize(body)
        except FormatError as exc:
            raise _invalid(str(exc)) from None
        if config:
            store.set_json(state.FAULTS, config)
        else:
            store.delete(state.FAULTS)
        return {"faults": config}
    return {"faults": store.get_json(state.FAULTS)}


WitWorld = component.export()
_ready = True

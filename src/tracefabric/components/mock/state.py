"""Where the mock keeps things, in its key-value store (label ``mock``).

Shared scope (one per namespace; written only by management operations):

- ``t:<tool>``: the tool's MCP definition plus ``seq``, its load order;
- ``r:<tool>``: its responses, ``{"mockResponse"?: ..., "fixtures": [{match, response}]}``;
- ``faults``: the namespace's fault settings; ``seq``: the load-order counter.

Session scope: ``calls``, the number of mock calls the session has made (the call index
fault injection is keyed on).
"""

from __future__ import annotations

from typing import Any

from tracefabric.guest import kv

LABEL = "mock"
TOOL = "t:"
DATA = "r:"
FAULTS = "faults"
SEQ = "seq"
CALLS = "calls"


def shared() -> kv.Store:
    return kv.open_shared(LABEL)


def session() -> kv.Store:
    return kv.open(LABEL)


def tool_names(store: kv.Store) -> list[str]:
    return [key[len(TOOL) :] for key in store.keys(TOOL)]


def tools(store: kv.Store) -> list[dict[str, Any]]:
    """Every tool definition, in load order."""
    found = [store.get_json(TOOL + name) for name in tool_names(store)]
    return sorted((d for d in found if d is not None), key=lambda d: (d.get("seq", 0), d["name"]))


def get_tool(store: kv.Store, name: str) -> dict[str, Any] | None:
    return store.get_json(TOOL + name)


def put_tool(store: kv.Store, definition: dict[str, Any]) -> None:
    """Insert or replace a definition; a replaced tool keeps its place in the order."""
    existing = store.get_json(TOOL + definition["name"])
    seq = existing.get("seq") if existing else None
    if not isinstance(seq, int):
        seq = store.increment(SEQ)
    store.set_json(TOOL + definition["name"], {**definition, "seq": seq})


def get_data(store: kv.Store, name: str) -> dict[str, Any]:
    data = store.get_json(DATA + name)
    if not isinstance(data, dict):
        return {"fixtures": []}
    data.setdefault("fixtures", [])
    return data


def put_data(store: kv.Store, name: str, data: dict[str, Any]) -> None:
    store.set_json(DATA + name, data)


def delete_tool(store: kv.Store, name: str) -> None:
    store.delete(TOOL + name)
    store.delete(DATA + name)


def clear(store: kv.Store) -> int:
    names = tool_names(store)
    for name in names:
        delete_tool(store, name)
    for key in store.keys(DATA):  # responses left behind by an interrupted clear
        store.delete(key)
    store.delete(FAULTS)
    store.delete(SEQ)
    return len(names)

"""The `hf` export's table: one fixed Arrow schema for every record, whatever its kind or tools.

Tool definitions, the trace and metadata beyond the documented fields are stored as JSON
text: as structs, a table library merges the schemas of different records (datasets 3.6
adds `"file_path": null` to every tool that lacks it) and one record's shape leaks into
all. Tool-call `arguments` stay OpenAI's JSON text for the same reason. `record_from_row`
turns a row back into the record it came from.
"""

from __future__ import annotations

from typing import Any

import orjson

from tracefabric.stats.collect import accepted

# (name, arrow type name) of metadata's fixed fields; anything else goes to metadata.extra.
METADATA_FIELDS = (
    ("sample_id", "string"),
    ("slot", "string"),
    ("topic_id", "string"),
    ("topic_path", "list<string>"),
    ("kind", "string"),
    ("provider", "string"),
    ("model", "string"),
    ("seed", "int64"),
    ("cycle", "int32"),
    ("attempt", "int32"),
    ("steps", "int32"),
    ("tool_calls", "int32"),
    ("errors_seen", "list<string>"),
    ("injected_faults", "list<string>"),
    ("invalid_arguments", "int32"),
)
_FIXED = {name for name, _ in METADATA_FIELDS}
COLUMNS = ("messages", "tools", "reasoning", "metadata", "trace")


def _type(pa: Any, name: str) -> Any:
    if name == "list<string>":
        return pa.list_(pa.string())
    return getattr(pa, name)()


def arrow_schema(drop: frozenset[str] = frozenset()) -> Any:
    import pyarrow as pa

    function = pa.struct([("name", pa.string()), ("arguments", pa.string())])
    tool_call = pa.struct([("id", pa.string()), ("type", pa.string()), ("function", function)])
    message = pa.struct(
        [
            ("role", pa.string()),
            ("content", pa.string()),
            ("tool_calls", pa.list_(tool_call)),
            ("tool_call_id", pa.string()),
        ]
    )
    metadata = pa.struct(
        [(name, _type(pa, kind)) for name, kind in METADATA_FIELDS]
        + [("accepted", pa.bool_()), ("extra", pa.string())]
    )
    columns = {
        "messages": pa.list_(message),
        "tools": pa.string(),
        "reasoning": pa.list_(
            pa.struct([("step", pa.int32()), ("thought", pa.string()), ("action", pa.string())])
        ),
        "metadata": metadata,
        "trace": pa.string(),
    }
    return pa.schema([(name, kind) for name, kind in columns.items() if name not in drop])


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def record_to_row(record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "messages": [
            {
                "role": m["role"],
                "content": m.get("content"),
                "tool_calls": [
                    {
                        "id": c["id"],
                        "type": c.get("type", "function"),
                        "function": {"name": c["function"]["name"], "arguments": c["function"]["arguments"]},
                    }
                    for c in m["tool_calls"]
                ]
                if m.get("tool_calls")
                else None,
                "tool_call_id": m.get("tool_call_id"),
            }
            for m in record["messages"]
        ]
    }
    if "tools" in record:
        row["tools"] = _json(record["tools"])
    if "reasoning" in record:
        row["reasoning"] = record["reasoning"]
    if "metadata" in record:
        metadata = record["metadata"]
        fixed = {name: metadata.get(name) for name, _ in METADATA_FIELDS}
        extra = {k: v for k, v in metadata.items() if k not in _FIXED}
        fixed["accepted"] = accepted(record)
        fixed["extra"] = _json(extra) if extra else None
        row["metadata"] = fixed
    if "trace" in record:
        row["trace"] = None if record["trace"] is None else _json(record["trace"])
    return row


def record_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """The record a row was made from (JSON text decoded, null message fields left out)."""
    record: dict[str, Any] = {"messages": []}
    for m in row["messages"]:
        message = {"role": m["role"], "content": m.get("content")}
        if m.get("tool_calls"):
            message["tool_calls"] = m["tool_calls"]
        if m.get("tool_call_id") is not None:
            message["tool_call_id"] = m["tool_call_id"]
        record["messages"].append(message)
    if "tools" in row:
        record["tools"] = orjson.loads(row["tools"]) if row["tools"] else []
    if "reasoning" in row:
        record["reasoning"] = row["reasoning"] or []
    if "metadata" in row and row["metadata"] is not None:
        metadata = {k: v for k, v in row["metadata"].items() if k not in ("accepted", "extra")}
        if row["metadata"].get("extra"):
            metadata.update(orjson.loads(row["metadata"]["extra"]))
        record["metadata"] = metadata
    if "trace" in row:
        record["trace"] = orjson.loads(row["trace"]) if row["trace"] else None
    return record

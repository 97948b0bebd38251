"""Quality gates of agent records (on top of the schema and non-empty-answer gates)."""

from __future__ import annotations

from typing import Any

from tracefabric.config import ToolsConfig

from ..gates import Gate, GateContext


def agent_gates(tools: ToolsConfig) -> list[Gate]:
    def min_tool_calls(record: dict[str, Any], context: GateContext) -> str | None:
        count = sum(len(m.get("tool_calls") or []) for m in record["messages"])
        if count < tools.min_tool_calls:
            return f"min_tool_calls: {count} tool calls, at least {tools.min_tool_calls} required"
        return None

    def answer_after_observations(record: dict[str, Any], context: GateContext) -> str | None:
        """Every call has its observation right after it, and the answer comes after the last one."""
        messages = record["messages"]
        pending: set[str] = set()
        for message in messages:
            if message["role"] == "assistant" and message.get("tool_calls"):
                if pending:
                    return "order: a new tool call before the previous results were observed"
                pending = {call["id"] for call in message["tool_calls"]}
            elif message["role"] == "tool":
                if message.get("tool_call_id") not in pending:
                    return "order: a tool result without a matching call before it"
                pending.discard(message["tool_call_id"])
            elif message["role"] == "assistant" and pending:
                return "order: the answer came before the results it depends on"
        last = messages[-1]
        if last["role"] != "assistant" or last.get("tool_calls") or pending:
            return "order: the record does not end with the final answer after the last observation"
        return None

    def trace_matches(record: dict[str, Any], context: GateContext) -> str | None:
        """Each tool message holds what the sandbox returned for that call."""
        calls = (record.get("trace") or {}).get("calls") or []
        observed = [m for m in record["messages"] if m["role"] == "tool"]
        if len(calls) != len(observed):
            return f"trace: {len(calls)} traced calls but {len(observed)} tool messages"
        return None

    return [min_tool_calls, answer_after_observations, trace_matches]

"""Do a record's `messages` (what users train on) and its `trace` (what really ran) agree?

`agreement_problems(record)` is a pure function (no sandbox, no files), so `verify`, a
`check` command and the evaluation can all use it. One to one and in order:

- every assistant `tool_calls` entry has exactly one trace call, with the same id, the same
  tool name and the same arguments (parsed JSON, compared as values: `1` is not `true`);
- every `tool` message answers the next unanswered tool call, and its content is exactly
  what the builder rendered from that call's recorded response (`observation_text`, with
  the run's `max_observation_chars`);
- a call recorded as never executed (no `component`: an unknown tool name) must name a tool
  the record does not offer.

Each problem is `invalid` (the record is malformed: a missing or mistyped field) or
`mismatch` (well-formed, but messages and trace disagree).
"""

from __future__ import annotations

import json
import re
import sys
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tracefabric.samples.agent.protocol import observation_text

Severity = Literal["invalid", "mismatch"]

_EXCERPT = 60  # characters of expected/found text shown around the first difference
# The marker `observation_text` appends; read back only to learn the limit a record used
# when the run's `max_observation_chars` is not known.
_TRUNCATED = re.compile(r"\n\.\.\. \[truncated: (\d+) more characters\]\Z")


@dataclass(frozen=True)
class Problem:
    severity: Severity
    where: str  # messages[3], messages[2].tool_calls[0], trace.calls[1], trace
    what: str
    expected: str | None = None  # short excerpts around the first difference
    found: str | None = None

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}"
        if self.expected is not None or self.found is not None:
            text += f" (expected {self.expected!r}, found {self.found!r})"
        return text

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"severity": self.severity, "where": self.where, "what": self.what}
        if self.expected is not None or self.found is not None:
            data.update(expected=self.expected, found=self.found)
        return data


@dataclass(frozen=True)
class _Call:
    """One well-formed trace call, as far as the messages are concerned."""

    index: int
    call_id: str | None
    name: str  # the name the model used (offered_name; `tool` in older records)
    args: dict[str, Any] | None  # None: not recorded (unknown tool, older records)
    executed: bool  # False only for calls the host never saw (no component)
    success: bool
    result: str
    error_type: str | None


@dataclass
class _Pending:
    where: str
    call_id: str
    call: _Call | None  # None when the trace call is malformed or missing (already reported)


def agreement_problems(
    record: Mapping[str, Any], *, max_observation_chars: int | None = None
) -> list[Problem]:
    """Everything on which `record`'s messages and trace disagree; [] when they agree.

    `max_observation_chars` is the run's limit; without it a truncated observation is
    checked against the limit its own truncation marker implies."""
    messages = record.get("messages")
    if not isinstance(messages, list):
        return [_invalid("messages", _absent_or(messages, "a list of messages"))]
    trace = record.get("trace")
    if not isinstance(trace, dict):
        return [_invalid("trace", _absent_or(trace, "an object"))]
    raw_calls = trace.get("calls")
    if not isinstance(raw_calls, list):
        return [_invalid("trace.calls", _absent_or(raw_calls, "a list of calls"))]

    problems: list[Problem] = []
    calls = [_parse_call(k, raw, problems) for k, raw in enumerate(raw_calls)]
    offered = _offered_names(record.get("tools"))
    for call in calls:
        if call is not None and not call.executed and call.name in offered:
            problems.append(
                _mismatch(
                    f"trace.calls[{call.index}]",
                    f"recorded as never executed (unknown tool), but {call.name!r} is an offered tool",
                )
            )
    requested = sum(
        len(m["tool_calls"])
        for m in messages
        if isinstance(m, dict) and m.get("role") == "assistant" and isinstance(m.get("tool_calls"), list)
    )
    if requested != len(raw_calls):
        what = (
            f"empty, but the messages hold {requested} tool calls"
            if not raw_calls
            else f"holds {len(raw_calls)} calls, but the messages hold {requested} tool calls"
        )
        problems.append(_mismatch("trace.calls", what))
        if not raw_calls:
            return problems
    _walk(messages, calls, max_observation_chars, problems)
    return problems


def _walk(messages: list[Any], calls: list[_Call | None], limit: int | None, problems: list[Problem]) -> None:
    pending: deque[_Pending] = deque()
    next_call = 0
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            problems.append(_invalid(where, f"{_kind(message)}, not a message object"))
            continue
        role = message.get("role")
        if role == "assistant":
            _unanswered(pending, f"before {where}", problems)
            tool_calls = message.get("tool_calls")
            if tool_calls is None:
                continue
            if not isinstance(tool_calls, list):
                problems.append(_invalid(f"{where}.tool_calls", f"{_kind(tool_calls)}, not a list"))
                continue
            for j, entry in enumerate(tool_calls):
                call = calls[next_call] if next_call < len(calls) else None
                if next_call >= len(calls):
                    problems.append(
                        _mismatch(
                            f"{where}.tool_calls[{j}]", f"no trace call for it (trace.calls[{next_call}])"
                        )
                    )
                pending_call = _check_tool_call(f"{where}.tool_calls[{j}]", entry, call, problems)
                if pending_call is not None:
                    pending.append(pending_call)
                next_call += 1
        elif role == "tool":
            _check_tool_message(where, message, pending, limit, problems)
    _unanswered(pending, "at the end of the messages", problems)
    for extra in calls[next_call:]:
        if extra is not None:
            problems.append(
                _mismatch(
                    f"trace.calls[{extra.index}]", f"{extra.name!r} matches no tool call in the messages"
                )
            )


def _check_tool_call(where: str, entry: Any, call: _Call | None, problems: list[Problem]) -> _Pending | None:
    if not isinstance(entry, dict):
        problems.append(_invalid(where, f"{_kind(entry)}, not a tool call object"))
        return None
    identifier = entry.get("id")
    function = entry.get("function")
    if not isinstance(identifier, str) or not identifier:
        problems.append(_invalid(f"{where}.id", _absent_or(identifier, "a non-empty string")))
        return None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        problems.append(_invalid(f"{where}.function", "has no name"))
        return _Pending(where, identifier, None)
    name = function["name"]
    try:
        arguments = json.loads(function.get("arguments"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        arguments = None
    if not isinstance(arguments, dict):
        problems.append(_invalid(f"{where}.function.arguments", "not a JSON object as text"))
        return _Pending(where, identifier, None)
    if call is None:
        return _Pending(where, identifier, None)
    trace_where = f"trace.calls[{call.index}]"
    if call.call_id is not None and call.call_id != identifier:
        problems.append(
            _mismatch(f"{where}.id", f"differs from {trace_where}.call_id", call.call_id, identifier)
        )
    if call.name != name:
        problems.append(_mismatch(f"{where}.function.name", f"differs from {trace_where}", call.name, name))
    if call.args is not None and not _same_json(call.args, arguments):
        problems.append(
            _mismatch(
                f"{where}.function.arguments",
                f"differ from {trace_where}.request.args",
                *_excerpts(_canonical(call.args), _canonical(arguments)),
            )
        )
    return _Pending(where, identifier, call)


def _check_tool_message(
    where: str, message: dict[str, Any], pending: deque[_Pending], limit: int | None, problems: list[Problem]
) -> None:
    if not pending:
        problems.append(_mismatch(where, "a tool message that answers no tool call"))
        return
    answered = pending.popleft()
    if message.get("tool_call_id") != answered.call_id:
        problems.append(
            _mismatch(
                f"{where}.tool_call_id",
                f"does not answer the next tool call ({answered.where})",
                answered.call_id,
                str(message.get("tool_call_id")),
            )
        )
    content = message.get("content")
    if not isinstance(content, str):
        problems.append(_invalid(f"{where}.content", _absent_or(content, "a string")))
        return
    call = answered.call
    if call is None:
        return
    expected = _rendered(call, content, limit)
    if content != expected:
        problems.append(
            _mismatch(
                f"{where}.content",
                f"is not what trace.calls[{call.index}] returned",
                *_excerpts(expected, content),
            )
        )


def _rendered(call: _Call, content: str, limit: int | None) -> str:
    """The tool message the builder wrote for `call` (the same function, the same limit)."""
    if limit is None:
        full = observation_text(call.success, call.result, call.error_type, sys.maxsize)
        match = _TRUNCATED.search(content)
        cut = int(match.group(1)) if match else 0
        limit = len(full) - cut if 0 < cut <= len(full) else len(full)
    return observation_text(call.success, call.result, call.error_type, limit)


def _unanswered(pending: deque[_Pending], when: str, problems: list[Problem]) -> None:
    while pending:
        item = pending.popleft()
        problems.append(_mismatch(item.where, f"tool call {item.call_id!r} has no tool message {when}"))


def _parse_call(index: int, raw: Any, problems: list[Problem]) -> _Call | None:
    where = f"trace.calls[{index}]"
    before = len(problems)
    if not isinstance(raw, dict):
        problems.append(_invalid(where, f"{_kind(raw)}, not a call object"))
        return None
    name = raw.get("offered_name", raw.get("tool"))
    if not isinstance(name, str):
        problems.append(_invalid(where, "names no tool (offered_name, or tool in older records)"))
    component = raw.get("component")
    executed = "component" in raw
    request = raw.get("request")
    args = request.get("args") if isinstance(request, dict) else None
    if executed:
        if not isinstance(component, str) or not isinstance(raw.get("tool"), str):
            problems.append(_invalid(where, "component and tool must be strings"))
        if not isinstance(args, dict):
            problems.append(_invalid(f"{where}.request.args", _absent_or(args, "an object")))
    else:
        if raw.get("executed") is not False:
            problems.append(_invalid(where, "no component, yet not marked executed: false"))
        if request is not None and not isinstance(args, dict):
            problems.append(_invalid(f"{where}.request.args", _absent_or(args, "an object")))
    if isinstance(request, dict) and "tool" in request:
        called = raw.get("tool") if executed else name
        if request["tool"] != called:
            problems.append(
                _mismatch(
                    f"{where}.request.tool", "differs from the call's tool", str(called), str(request["tool"])
                )
            )
    response = raw.get("response")
    if not isinstance(response, dict):
        problems.append(_invalid(f"{where}.response", _absent_or(response, "an object")))
    else:
        if not isinstance(response.get("success"), bool):
            problems.append(_invalid(f"{where}.response.success", "not true or false"))
        if not isinstance(response.get("result"), str):
            problems.append(
                _invalid(f"{where}.response.result", _absent_or(response.get("result"), "a string"))
            )
        if response.get("error_type") is not None and not isinstance(response["error_type"], str):
            problems.append(_invalid(f"{where}.response.error_type", "neither a string nor null"))
    call_id = raw.get("call_id")
    if "call_id" in raw and not isinstance(call_id, str):
        problems.append(_invalid(f"{where}.call_id", "not a string"))
    if any(p.severity == "invalid" for p in problems[before:]):
        return None
    assert isinstance(name, str) and isinstance(response, dict)
    return _Call(
        index,
        call_id,
        name,
        args,
        executed,
        response["success"],
        response["result"],
        response.get("error_type"),
    )


def _offered_names(tools: Any) -> set[str]:
    if not isinstance(tools, list):
        return set()
    names = set()
    for tool in tools:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            names.add(function["name"])
    return names


def _same_json(a: Any, b: Any) -> bool:
    """JSON values equal as JSON: unlike `==` in Python, `true` is not `1`."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b or (a != a and b != b)  # NaN written by json.dumps reads back as NaN
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _excerpts(expected: str, found: str) -> tuple[str, str]:
    """Both texts from a little before their first difference, cut to a short length."""
    same = next(
        (i for i, (a, b) in enumerate(zip(expected, found, strict=False)) if a != b),
        min(len(expected), len(found)),
    )
    start = max(0, same - 20)

    def cut(text: str) -> str:
        piece = text[start : start + _EXCERPT]
        return ("…" if start else "") + piece + ("…" if len(text) > start + _EXCERPT else "")

    return cut(expected), cut(found)


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


def _absent_or(value: Any, wanted: str) -> str:
    return "missing" if value is None else f"{_kind(value)}, not {wanted}"


def _invalid(where: str, what: str) -> Problem:
    return Problem("invalid", where, what)


def _mismatch(where: str, what: str, expected: str | None = None, found: str | None = None) -> Problem:
    return Problem("mismatch", where, what, expected, found)

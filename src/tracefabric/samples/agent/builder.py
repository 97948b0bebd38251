"""Agent samples: a ReAct loop whose every tool call runs in the sandbox.

One user request (generated for the topic), then steps: Reason (the model writes a thought
and picks tool calls), Act (each call runs in this sample's own session), Observe (the real
result, success or structured error, goes back to the model) - until the final answer or
`max_agent_steps`. No result ever appears before its call ran: the next prompt is built
only from what has been observed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import string
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from tracefabric.config import RunConfig
from tracefabric.errors import SandboxError
from tracefabric.llm import LLM, BudgetExceeded, LLMError, ValidationFailed
from tracefabric.llm.schema import strip_fences
from tracefabric.run.slots import Slot

from ..base import Estimate, SampleError, base_metadata, sample_id, system_message, variation_note
from ..gates import RECORD_GATES, Gate
from .environment import ToolEnvironment
from .gates import agent_gates
from .protocol import (
    AGENT_SYSTEM,
    CallRecord,
    Step,
    loose_step_schema,
    observation_text,
    render_tools,
    step_messages,
    step_schema,
)
from .toolset import OfferedTool, resolve_tools

_ALPHABET = string.ascii_letters + string.digits


class UserRequest(BaseModel):
    request: str = Field(min_length=10, description="The user's message to the assistant")


REQUEST_SYSTEM = (
    "You write realistic requests that users send to an AI assistant which can use tools. "
    "A good request is specific, needs the tools to be done, and does not contain the answer. "
    "Reply with JSON only."
)


def call_id(sample: str, attempt: int, step: int, index: int) -> str:
    """9 letters/digits (what DeepFabric-format consumers expect), deterministic per sample."""
    number = int.from_bytes(hashlib.sha256(f"{sample}:{attempt}:{step}:{index}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(9):
        number, rest = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[rest])
    return "".join(chars)


class AgentBuilder:
    kind = "agent"

    def __init__(self, config: RunConfig, llm: LLM, *, base_dir: Path, sandbox: Any = None) -> None:
        tools_config = config.generation.tools
        assert tools_config is not None
        self.config = config
        self.tools_config = tools_config
        self.llm = llm
        self.env = ToolEnvironment(tools_config, base_dir, sandbox=sandbox)
        self.sandbox = self.env.sandbox
        self.namespace = self.env.namespace
        self.seed = self.env.seed
        self.tools: list[OfferedTool] = resolve_tools(self.sandbox, tools_config, self.namespace)
        self.by_name = {tool.name: tool for tool in self.tools}
        self.max_calls_per_step = tools_config.max_tool_calls if tools_config.parallel_calls else 1
        self.system = AGENT_SYSTEM.format(
            role=config.generation.effective_system_prompt, tools=render_tools(self.tools)
        )
        self.schema = step_schema(self.tools, max_calls=self.max_calls_per_step)
        self.final_schema = step_schema(self.tools, max_calls=1, allow_tools=False)
        self.gates: list[Gate] = [*RECORD_GATES, *agent_gates(tools_config)]
        self._cleanups: set[asyncio.Future[None]] = set()

    # -- one sample -------------------------------------------------------------------
    async def build(self, slot: Slot, attempt: int) -> dict[str, Any]:
        sample = sample_id(self.config.output.seed, slot)
        session = f"s-{sample}-{attempt}"
        # The user request doesn't depend on the workspace's state: write it while seeding.
        request_task = asyncio.ensure_future(self._user_request(slot, attempt))
        try:
            await self.env.start_session(session)
            request = await request_task
            steps, answer, notes = await self._loop(session, sample, attempt, request)
        finally:
            request_task.cancel()
            # Ending the session is off the sample's critical path; `aclose` waits for it.
            cleanup = asyncio.ensure_future(self.env.end_session(session))
            self._cleanups.add(cleanup)
            cleanup.add_done_callback(self._cleanups.discard)
        return self._record(slot, attempt, session, request, steps, answer, notes)

    async def _user_request(self, slot: Slot, attempt: int) -> str:
        generation = self.config.generation
        lines = [
            f"Topic: {' > '.join(slot.topic.path)}",
            f"The assistant's role: {generation.effective_system_prompt}",
            "The assistant can use these tools:\n" + render_tools(self.tools),
        ]
        if self.seed.files:
            lines.append("Files in the user's workspace:\n" + self.seed.listing())
        if generation.instructions:
            lines.append(f"Instructions: {generation.instructions}")
        lines.append("Write the user's request.")
        note = variation_note(slot, attempt)
        if note:
            lines.append(note)
        messages = [
            {"role": "system", "content": REQUEST_SYSTEM},
            {"role": "user", "content": "\n\n".join(lines)},
        ]
        try:
            result = await self.llm.structured(messages, UserRequest, name="user_request")
        except BudgetExceeded:
            raise
        except LLMError as exc:
            raise SampleError("llm_error", f"user request: {exc}", getattr(exc, "raw", None)) from None
        return result.value.request.strip()

    async def _decide(self, messages: list[dict[str, Any]], final_only: bool) -> tuple[dict[str, Any], bool]:
        """The model's next step, and whether it only passed the loose schema (bad arguments)."""
        schema = self.final_schema if final_only else self.schema
        try:
            result = await self.llm.structured(messages, schema, name="agent_step")
            return result.value, False
        except BudgetExceeded:
            raise
        except ValidationFailed as exc:
            if not final_only:
                salvaged = _salvage(exc.raw)
                if salvaged is not None:
                    return salvaged, True
            raise SampleError("llm_error", f"agent step: {exc}", exc.raw) from None
        except LLMError as exc:
            raise SampleError("llm_error", f"agent step: {exc}", getattr(exc, "raw", None)) from None

    async def _loop(
        self, session: str, sample: str, attempt: int, request: str
    ) -> tuple[list[Step], str, dict[str, Any]]:
        tools = self.tools_config
        steps: list[Step] = []
        notes: dict[str, Any] = {
            "discarded_early_answers": 0,
            "repeated_calls_skipped": 0,
            "stopped_at_call_limit": False,
        }
        calls_made = 0
        # Calls made since the last one that may have changed state: repeating one is pointless.
        unchanged: set[str] = set()
        hint: str | None = None
        final_only = False
        for step_number in range(tools.max_agent_steps + 1):
            if step_number == tools.max_agent_steps:
                final_only = True
                hint = "You have used all your steps. Give the final answer now, based on the results above."
            messages = step_messages(
                self.system, request, steps, max_chars=tools.max_context_chars, hint=hint
            )
            decision, loose = await self._decide(messages, final_only)
            hint = None
            action = decision.get("action") or {}
            thought = str(decision.get("thought") or "").strip()
            if "final_answer" in action:
                answer = str(action["final_answer"]).strip()
                if calls_made < tools.min_tool_calls and not final_only:
                    # Answered before doing the work: discard the answer (it never enters the record).
                    notes["discarded_early_answers"] += 1
                    hint = (
                        f"You have not used any tools yet. Use the tools (at least {tools.min_tool_calls} call) "
                        "to do the request before answering."
                    )
                    continue
                return steps, answer, notes
            calls = list(action.get("tool_calls") or [])
            if calls_made + len(calls) > tools.max_tool_calls:
                if tools.strict_tool_calls:
                    raise SampleError(
                        "too_many_tool_calls",
                        f"the model wanted {calls_made + len(calls)} tool calls (max_tool_calls={tools.max_tool_calls})",
                    )
                # Not strict: this step is dropped whole (never half-executed), and the model answers.
                notes["stopped_at_call_limit"] = True
                final_only = True
                hint = "You have used all the tool calls you may make. Give the final answer now."
                continue
            keys = [_call_key(call) for call in calls]
            if keys and all(key in unchanged for key in keys) and not final_only:
                # The model repeats itself (small models loop): don't run or record the step, and
                # point at the result it already has.
                notes["repeated_calls_skipped"] += 1
                names = ", ".join(sorted({str(call.get("name")) for call in calls}))
                hint = (
                    f"You already called {names} with these arguments; its result is above and nothing has "
                    "changed since. Use that result: call a different tool, or give the final answer."
                )
                continue
            step = Step(thought=thought)
            for index, call in enumerate(calls):
                step.calls.append(
                    await self._execute(session, sample, attempt, len(steps), index, call, loose)
                )
            calls_made += len(step.calls)
            steps.append(step)
            for key, record in zip(keys, step.calls, strict=True):
                read_only = record.tool is not None and record.tool.annotations.get("readOnlyHint") is True
                if not read_only:
                    unchanged.clear()
                if record.success:  # retrying a failed call (e.g. after RateLimited) is legitimate
                    unchanged.add(key)
            if any(not c.success for c in step.calls):
                hint = "A call failed: read the error above, then fix the call or try another tool before answering."
        raise SampleError("no_final_answer", f"no final answer after {tools.max_agent_steps} steps")

    async def _execute(
        self,
        session: str,
        sample: str,
        attempt: int,
        step: int,
        index: int,
        call: dict[str, Any],
        loose: bool,
    ) -> CallRecord:
        name = str(call.get("name"))
        arguments = call.get("arguments") if isinstance(call.get("arguments"), dict) else {}
        identifier = call_id(sample, attempt, step, index)
        tool = self.by_name.get(name)
        limit = self.tools_config.max_observation_chars
        if tool is None:
            # Only reachable when the provider could not constrain the name: answer like a real host.
            message = f"Unknown tool: {name}"
            trace = {
                "call_id": identifier,
                "offered_name": name,
                "request": {"tool": name, "args": arguments},  # so verify can check the message's arguments
                "executed": False,
                "response": {"success": False, "result": message, "error_type": "UnknownTool"},
            }
            return CallRecord(
                identifier,
                None,
                name,
                arguments,
                observation_text(False, message, "UnknownTool", limit),
                False,
                "UnknownTool",
                True,
                trace,
            )
        try:
            result = await self.sandbox.acall(
                tool.component, tool.tool, arguments, session, namespace=self.namespace, trace=True
            )
        except SandboxError as exc:
            raise SampleError(
                "sandbox_error", f"{tool.component}.{tool.tool}: {exc.error_type}: {exc.message}"
            ) from None
        invalid = loose and result.error_type == "InvalidArguments"
        host_trace = result.trace or {}
        trace = {
            "call_id": identifier,
            "step": step,
            "component": tool.component,
            "tool": tool.tool,
            "offered_name": tool.name,
            "request": {"tool": tool.tool, "args": arguments},
            "response": {"success": result.success, "result": result.result, "error_type": result.error_type},
            "duration_ms": host_trace.get("duration_ms"),
            "state_digest": host_trace.get("state_digest"),
            "executed": host_trace.get("executed", True),
        }
        if result.meta:
            trace["meta"] = result.meta
        if invalid:
            trace["invalid_arguments"] = True
        return CallRecord(
            identifier,
            tool,
            name,
            arguments,
            observation_text(result.success, result.result, result.error_type, limit),
            result.success,
            result.error_type,
            invalid,
            trace,
        )

    # -- the record -------------------------------------------------------------------
    def _record(
        self,
        slot: Slot,
        attempt: int,
        session: str,
        request: str,
        steps: list[Step],
        answer: str,
        notes: dict[str, Any],
    ) -> dict[str, Any]:
        in_content = self.config.generation.reasoning_in_content
        messages: list[dict[str, Any]] = [*system_message(self.config), {"role": "user", "content": request}]
        reasoning: list[dict[str, Any]] = []
        for number, step in enumerate(steps, start=1):
            messages.append(
                {
                    "role": "assistant",
                    "content": step.thought if in_content else "",
                    "tool_calls": [
                        {
                            "id": call.call_id,
                            "type": "function",
                            "function": {
                                "name": call.name,
                                "arguments": json.dumps(
                                    call.arguments, ensure_ascii=False, separators=(",", ":")
                                ),
                            },
                        }
                        for call in step.calls
                    ],
                }
            )
            for call in step.calls:
                messages.append({"role": "tool", "tool_call_id": call.call_id, "content": call.observation})
            reasoning.append(
                {
                    "step": number,
                    "thought": step.thought,
                    "action": "; ".join(
                        f"{c.name}({json.dumps(c.arguments, ensure_ascii=False)})" for c in step.calls
                    ),
                }
            )
        messages.append({"role": "assistant", "content": answer})
        reasoning.append({"step": len(steps) + 1, "thought": "", "action": "final_answer"})
        calls = [call for step in steps for call in step.calls]
        metadata = base_metadata(self.config, slot, attempt, self.llm.provider.name, self.llm.provider.model)
        metadata.update(
            {
                "steps": len(steps),
                "tool_calls": len(calls),
                "errors_seen": [c.error_type for c in calls if c.error_type],
                "injected_faults": [
                    c.trace["meta"]["injected_fault"]
                    for c in calls
                    if isinstance(c.trace.get("meta"), dict) and c.trace["meta"].get("injected_fault")
                ],
                "invalid_arguments": sum(1 for c in calls if c.invalid_arguments),
                **notes,
            }
        )
        components = sorted({c.tool.component for c in calls if c.tool is not None})
        return {
            "messages": messages,
            "tools": [tool.openai() for tool in self.tools],
            "reasoning": reasoning,
            "metadata": metadata,
            "trace": {
                "session_id": session,
                "namespace": self.namespace,
                "endpoint": self.tools_config.endpoint,
                "seed": {"files": len(self.seed.files), "digest": self.seed.digest},
                "components": {name: {"deterministic": self.env.deterministic(name)} for name in components},
                "calls": [c.trace for c in calls],
            },
        }

    def estimate(self) -> Estimate:
        steps = min(self.tools_config.max_agent_steps, max(2, self.tools_config.min_tool_calls + 1))
        return Estimate(
            llm_calls=1 + steps, prompt_tokens=(1 + steps) * 900, completion_tokens=(1 + steps) * 120
        )

    async def warmup(self) -> None:
        await self.llm.warmup()

    async def aclose(self) -> None:
        if self._cleanups:
            await asyncio.gather(*self._cleanups, return_exceptions=True)
        await self.env.aclose()


def _call_key(call: dict[str, Any]) -> str:
    return json.dumps([call.get("name"), call.get("arguments")], sort_keys=True, default=str)


def _salvage(raw: str) -> dict[str, Any] | None:
    """A step whose calls break their tools' schemas, but is otherwise well-formed."""
    try:
        data = json.loads(strip_fences(raw))
    except (ValueError, TypeError):
        return None
    from jsonschema import Draft202012Validator

    if not isinstance(data, dict) or not Draft202012Validator(loose_step_schema()).is_valid(data):
        return None
    return data

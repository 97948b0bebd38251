"""Scripted LLMs for pipeline tests: answers depend on the prompt, like a real model's would."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable
from typing import Any

from tracefabric.llm import CompletionRequest, ScriptedProvider

Plan = list[Any]  # per step: a list of (tool, args) calls, or {"final": text}


def _topic(request: CompletionRequest) -> str:
    text = request.messages[-1]["content"]
    match = re.search(r"Topic: (.*)", text)
    return match.group(1) if match else text[:40]


def topic_answer(request: CompletionRequest, counter: itertools.count) -> Any:
    """Subtopics for the topic stage: distinct words so dedup keeps them."""
    props = (request.json_schema or {}).get("properties", {})
    n = next(counter)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    return {
        key: (
            [f"{words[(n + i) % len(words)]} {n} {i} topic" for i in range(12)]
            if spec.get("type") == "array"
            else "x"
        )
        for key, spec in props.items()
    }


def qa_responder(*, bad: Callable[[int], Any] | None = None) -> Callable[[CompletionRequest], Any]:
    """basic/cot samples: a question unique to the topic, cycle and attempt."""
    counter = itertools.count()
    topics = itertools.count()

    def respond(request: CompletionRequest) -> Any:
        props = (request.json_schema or {}).get("properties", {})
        if "question" not in props:
            return topic_answer(request, topics)
        n = next(counter)
        if bad is not None:
            override = bad(n)
            if override is not None:
                return override
        text = request.messages[-1]["content"]
        variation = re.findall(r"sample (\d+)|Attempt (\d+)", text)
        answer = {
            "question": f"About {_topic(request)}, what should I know? {variation}",
            "answer": f"Answer {n}.",
        }
        if "reasoning" in props:
            answer["reasoning"] = "First, think. Then answer."
        return answer

    return respond


def agent_responder(plan: Plan | Callable[[str], Plan]) -> Callable[[CompletionRequest], Any]:
    """Agent samples: a user request, then the steps of `plan` in order (by how many results
    the prompt already holds, so concurrent samples don't interfere)."""
    topics = itertools.count()

    def respond(request: CompletionRequest) -> Any:
        props = (request.json_schema or {}).get("properties", {})
        if "request" in props:
            # Deterministic per prompt (so runs compare equal), distinct per topic and cycle.
            tag = hashlib.blake2b(request.messages[-1]["content"].encode(), digest_size=4).hexdigest()
            return {"request": f"Please help with {_topic(request)} ({tag})."}
        if "thought" not in props:
            return topic_answer(request, topics)
        user_request = request.messages[1]["content"]
        steps = plan(user_request) if callable(plan) else plan
        done = sum(
            1 for m in request.messages if m["role"] == "user" and m["content"].startswith("Tool results")
        )
        action_schema = props["action"]
        final_only = "anyOf" not in action_schema
        step = steps[min(done, len(steps) - 1)]
        if final_only or isinstance(step, dict):
            text = step["final"] if isinstance(step, dict) else "Done, based on the results above."
            return {"thought": "I can answer now.", "action": {"final_answer": text}}
        calls = [{"name": name, "arguments": args} for name, args in step]
        return {
            "thought": f"Step {done + 1}: call {', '.join(c['name'] for c in calls)}.",
            "action": {"tool_calls": calls},
        }

    return respond


def provider(
    responder: Callable[[CompletionRequest], Any], latency: float = 0.0
) -> Callable[[Any], ScriptedProvider]:
    return lambda config: ScriptedProvider(responder, latency=latency)


def read_jsonl(path: Any) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]

"""Convert OpenAI-style chat messages into what other APIs expect."""

from __future__ import annotations

from typing import Any

from tracefabric.llm.types import Message


def _text(message: Message) -> str:
    content = message.get("content")
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts: keep the text ones
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def split_system(messages: list[Message]) -> tuple[str, list[tuple[str, str]]]:
    """(system text, [(role, text)]) with roles user/assistant, alternating, starting with user.

    Tool results and other roles become user turns; consecutive turns of one role are joined.
    """
    system_parts: list[str] = []
    turns: list[tuple[str, str]] = []
    for message in messages:
        role = message.get("role", "user")
        text = _text(message)
        if role in ("system", "developer"):
            system_parts.append(text)
            continue
        if role == "tool":
            text = f"Tool result: {text}"
        role = "assistant" if role == "assistant" else "user"
        if turns and turns[-1][0] == role:
            turns[-1] = (role, f"{turns[-1][1]}\n\n{text}")
        else:
            turns.append((role, text))
    if not turns or turns[0][0] != "user":
        turns.insert(0, ("user", "Begin."))
    return "\n\n".join(p for p in system_parts if p), turns


def to_anthropic(messages: list[Message]) -> tuple[str, list[dict[str, Any]]]:
    system, turns = split_system(messages)
    return system, [{"role": role, "content": text} for role, text in turns]


def to_gemini(messages: list[Message]) -> tuple[str, list[dict[str, Any]]]:
    system, turns = split_system(messages)
    return system, [
        {"role": "model" if role == "assistant" else "user", "parts": [{"text": text}]}
        for role, text in turns
    ]
